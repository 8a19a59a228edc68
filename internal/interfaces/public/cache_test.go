package public

import (
	"context"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCacheFreshness(t *testing.T) {
	var gen atomic.Uint64
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	c := newCache(gen.Load, func() time.Time { return now }, 10*time.Second)
	builds := 0
	get := func() any {
		v, err := c.get(context.Background(), "k", func(context.Context) (any, error) { builds++; return builds, nil })
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	steps := []struct {
		name  string
		do    func()
		wantV int
	}{
		{"first build", func() {}, 1},
		{"cached", func() {}, 1},
		{"still fresh just before the TTL", func() { now = now.Add(9 * time.Second) }, 1},
		{"expired at the TTL", func() { now = now.Add(time.Second) }, 2},
		{"a change invalidates", func() { gen.Add(1) }, 3},
		{"cached again", func() {}, 3},
	}
	for _, s := range steps {
		s.do()
		if got := get(); got != s.wantV {
			t.Errorf("%s: value %v, want %d", s.name, got, s.wantV)
		}
	}
}

// A herd of requests for a stale value costs one build.
func TestCacheBuildsOnceForAHerd(t *testing.T) {
	c := newCache(func() uint64 { return 0 }, time.Now, 10*time.Second)
	var builds atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.get(context.Background(), "k", func(context.Context) (any, error) {
				builds.Add(1)
				<-release
				return "v", nil
			})
			if err != nil || v != "v" {
				t.Errorf("got %v, %v", v, err)
			}
		}()
	}
	close(release)
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("%d builds, want 1", n)
	}
}

func TestServeNegotiation(t *testing.T) {
	res := newRendered([]byte("hello hello hello hello"), "text/plain")
	tests := []struct {
		name, accept, match string
		code                int
		gzip                bool
	}{
		{"plain", "", "", 200, false},
		{"gzip", "gzip, deflate, br", "", 200, true},
		{"gzip refused", "gzip;q=0, deflate", "", 200, false},
		{"etag match", "gzip", res.etag, 304, false},
		{"weak etag match", "", "W/" + res.etag, 304, false},
		{"one of several", "", `"x", ` + res.etag, 304, false},
		{"stale etag", "", `"old"`, 200, false},
		{"gzip on a second line", "deflate\ngzip", "", 200, true},
		{"gzip with spaces and q", " GZIP ; q=0.5", "", 200, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.Header["Accept-Encoding"] = strings.Split(tc.accept, "\n")
			if tc.match != "" {
				req.Header.Set("If-None-Match", tc.match)
			}
			rec := httptest.NewRecorder()
			serve(rec, req, res, "no-cache")
			if rec.Code != tc.code || (rec.Header().Get("Content-Encoding") == "gzip") != tc.gzip {
				t.Errorf("code %d, encoding %q; want %d, gzip %v", rec.Code, rec.Header().Get("Content-Encoding"), tc.code, tc.gzip)
			}
			if rec.Header().Get("ETag") != res.etag || rec.Header().Get("Vary") != "Accept-Encoding" ||
				rec.Header().Get("Cache-Control") != "no-cache" {
				t.Errorf("headers %v", rec.Header())
			}
			if tc.code == 200 && rec.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("Content-Length %q for %d bytes", rec.Header().Get("Content-Length"), rec.Body.Len())
			}
		})
	}
}

func TestAddDayMergesEqualDays(t *testing.T) {
	d0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	day := func(i int, has bool, av float64, inc int) pubDay {
		return pubDay{Date: d0.AddDate(0, 0, i), HasData: has, Availability: av, Incidents: inc}
	}
	var bars []pubBar
	for _, d := range []pubDay{day(0, false, 0, 0), day(1, false, 0, 0), day(2, true, 100, 0), day(3, true, 100, 0),
		day(4, true, 100, 1), day(5, true, 99.5, 1), day(6, true, 100, 0)} {
		bars = addDay(bars, d)
	}
	var got []int
	for _, b := range bars {
		got = append(got, b.Days)
	}
	if want := []int{2, 2, 1, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}
	if !bars[1].Last.Equal(d0.AddDate(0, 0, 3)) {
		t.Errorf("second run ends %v", bars[1].Last)
	}
}

// A response rendered from an older snapshot expires with that snapshot.
func TestCacheExpiresWithTheDataTime(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	c := newCache(func() uint64 { return 0 }, func() time.Time { return now }, 10*time.Second)
	builds := 0
	get := func() {
		if _, err := c.get(context.Background(), "page", func(context.Context) (any, error) {
			builds++
			return &rendered{asOf: now.Add(-8 * time.Second)}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	get()
	now = now.Add(time.Second) // 9 s after the data was read
	get()
	if builds != 1 {
		t.Fatalf("%d builds within the TTL, want 1", builds)
	}
	now = now.Add(time.Second) // 10 s after: stale, though built 2 s ago
	get()
	if builds != 2 {
		t.Errorf("%d builds, want a rebuild 10 s after the data was read", builds)
	}
}
