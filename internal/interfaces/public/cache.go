package public

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rendered is one cached response: its bytes, gzipped once, and their ETag.
type rendered struct {
	body, gz    []byte
	etag        string
	contentType string
	// asOf is when the data it shows was read (the snapshot's time).
	asOf time.Time
}

// dated is a cached value that knows when its data was read: a response
// rendered from an older snapshot expires with that snapshot, so that
// nothing is served more than the TTL after its data was read.
type dated interface{ dataTime() time.Time }

func (r *rendered) dataTime() time.Time { return r.asOf }

// newRendered gzips body and computes its ETag.
func newRendered(body []byte, contentType string) *rendered {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	sum := sha256.Sum256(body)
	return &rendered{body: body, gz: buf.Bytes(), contentType: contentType,
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
}

// maxEntries bounds the cache; past it, it starts over.
const maxEntries = 512

// cacheEntry is a value with the change generation and time it was built at.
type cacheEntry struct {
	val   any
	gen   uint64
	built time.Time
}

// cache keeps built values by key. A value is fresh while the change
// generation has not moved since it was built and it is younger than the
// TTL (the TTL covers what changes with the clock alone: a maintenance
// window starting, today's bar). One caller rebuilds a stale value while
// the others wait for it, so a herd of requests costs one rebuild.
type cache struct {
	gen func() uint64
	now func() time.Time
	ttl time.Duration

	mu      sync.RWMutex
	entries map[string]cacheEntry
	// building serialises the rebuild of each key.
	building sync.Map // key -> *sync.Mutex
}

func newCache(gen func() uint64, now func() time.Time, ttl time.Duration) *cache {
	return &cache{gen: gen, now: now, ttl: ttl, entries: map[string]cacheEntry{}}
}

func (c *cache) fresh(key string) (any, bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || e.gen != c.gen() || c.now().Sub(e.built) >= c.ttl {
		return nil, false
	}
	return e.val, true
}

// get returns the fresh value of key, building it when there is none.
func (c *cache) get(ctx context.Context, key string, build func(context.Context) (any, error)) (any, error) {
	if v, ok := c.fresh(key); ok {
		return v, nil
	}
	m, _ := c.building.LoadOrStore(key, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()
	if v, ok := c.fresh(key); ok {
		return v, nil
	}
	// Read the generation first: a change committed while building makes
	// the value stale at once instead of hiding behind a newer generation.
	gen, built := c.gen(), c.now()
	v, err := build(ctx)
	if err != nil {
		return nil, err
	}
	if d, ok := v.(dated); ok && !d.dataTime().IsZero() && d.dataTime().Before(built) {
		built = d.dataTime()
	}
	c.mu.Lock()
	if len(c.entries) >= maxEntries {
		// Keys come from URLs (history cursors, incident ids): bound them.
		clear(c.entries)
	}
	c.entries[key] = cacheEntry{val: v, gen: gen, built: built}
	c.mu.Unlock()
	return v, nil
}

// serve writes a cached response: 304 when the client has it, gzipped when
// the client accepts it.
func serve(w http.ResponseWriter, r *http.Request, res *rendered, cacheControl string) {
	h := w.Header()
	h.Set("ETag", res.etag)
	h.Set("Cache-Control", cacheControl)
	h.Set("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, res.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", res.contentType)
	body := res.body
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body = res.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding: gzip unless its q is 0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
