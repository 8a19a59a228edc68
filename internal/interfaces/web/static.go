package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// asset is one embedded static file with its content hash.
type asset struct {
	body        []byte
	hash        string // short hex content hash: the ETag and the ?v= value
	contentType string
}

// Content types by extension, set explicitly so that they do not depend on
// the host's mime tables.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// loadAssets reads every file of fsys (at its root) into memory.
func loadAssets(fsys fs.FS) (map[string]asset, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("web: read static files: %w", err)
	}
	out := make(map[string]asset, len(entries))
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("web: read static file %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(e.Name())
		ct := contentTypes[ext]
		if ct == "" {
			ct = mime.TypeByExtension(ext)
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		out[e.Name()] = asset{body: body, hash: hex.EncodeToString(sum[:])[:12], contentType: ct}
	}
	return out, nil
}

// assetURL returns the URL of a static file with a cache-busting version.
// An unknown name is a template bug: it still returns a URL, which 404s.
func (h *Handler) assetURL(name string) string {
	a, ok := h.assets[name]
	if !ok {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + a.hash
}

// Static serves the embedded static files under /static/. The ETag is the
// content hash; a request carrying the current hash as ?v= may be cached for
// a year, any other must revalidate (If-None-Match → 304).
func (h *Handler) Static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	a, ok := h.assets[name]
	if !ok || name == "" || strings.Contains(name, "/") {
		h.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("ETag", `"`+a.hash+`"`)
	hdr.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == a.hash {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	// ServeContent answers If-None-Match with 304 and handles ranges and HEAD.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}
