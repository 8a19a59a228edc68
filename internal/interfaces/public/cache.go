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
// The header values are built once too: serving a cached response puts
// them in the header map without allocating.
type rendered struct {
	body, gz    []byte
	etag        string
	contentType string
	// asOf is when the data it shows was read (the snapshot's time).
	asOf time.Time

	etagH, contentTypeH, bodyLenH, gzLenH []string
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
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	return &rendered{body: body, gz: buf.Bytes(), contentType: contentType, etag: etag,
		etagH: []string{etag}, contentTypeH: []string{contentType},
		bodyLenH: []string{strconv.Itoa(len(body))}, gzLenH: []string{strconv.Itoa(buf.Len())}}
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
	h["Etag"] = res.etagH
	h["Cache-Control"] = headerValue(cacheControl)
	h["Vary"] = varyValue
	if match := r.Header["If-None-Match"]; len(match) > 0 && etagMatches(match[0], res.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = res.contentTypeH
	body, length := res.body, res.bodyLenH
	if acceptsGzip(r.Header["Accept-Encoding"]) {
		h["Content-Encoding"] = gzipValue
		body, length = res.gz, res.gzLenH
	}
	h["Content-Length"] = length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// Header values that every cached response shares. Each slice has cap 1:
// Header.Add copies instead of writing into it, Header.Set replaces it.
var (
	varyValue    = []string{"Accept-Encoding"}
	gzipValue    = []string{"gzip"}
	corsAnyValue = []string{"*"}
	cspValue     = []string{csp}
	// cacheControlValues are the Cache-Control values serve is given.
	cacheControlValues = func() map[string][]string {
		m := map[string][]string{}
		for _, v := range []string{revalidate, badgeCache, feedCache, assetCache} {
			m[v] = []string{v}
		}
		return m
	}()
)

// headerValue is the shared slice of a Cache-Control value.
func headerValue(v string) []string {
	if s, ok := cacheControlValues[v]; ok {
		return s
	}
	return []string{v}
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

// acceptsGzip reads the Accept-Encoding lines: gzip unless its q is 0.
func acceptsGzip(lines []string) bool {
	for _, header := range lines {
		for rest := header; rest != ""; {
			var part string
			part, rest, _ = strings.Cut(rest, ",")
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") {
				q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
				return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
			}
		}
	}
	return false
}
