// Command ceiling serves one recorded response from a bare net/http server:
// the same bytes and headers the service sent, with the service's server
// timeouts, garbage collector setting and listener (httpserver.CoalesceWrites;
// -coalesce=false for net/http's own), and nothing else — no router, no
// middleware, no cache lookup. bench/status_load.sh runs wrk against it next
// to the service, so that each figure has the ceiling of net/http for that
// response on the same machine at the same moment beside it
// (docs/PERFORMANCE.md).
//
//	go run ./bench/ceiling -url http://127.0.0.1:8080/status -encoding gzip
//
// It fetches -url once, then listens on -addr (default 127.0.0.1:0) and
// prints "listening on ADDR". Loopback only.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

func main() {
	url := flag.String("url", "", "the response to record (required)")
	encoding := flag.String("encoding", "identity", "Accept-Encoding to record the response with")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	coalesce := flag.Bool("coalesce", true, "serve through httpserver.CoalesceWrites, as the service does")
	flag.Parse()
	if *url == "" {
		flag.Usage()
		os.Exit(2)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // the service's default (main.go gcPercent)
	}
	req, err := http.NewRequest(http.MethodGet, *url, nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", *encoding)
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		log.Fatalf("GET %s: %v %v", *url, resp.Status, err)
	}
	header := resp.Header.Clone()
	header.Del("Date")

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		log.Fatalf("%s is not a loopback address", ln.Addr())
	}
	fmt.Printf("listening on %s (%d bytes, %d headers: %s)\n", ln.Addr(), len(body), len(header), strings.Join(keys(header), ", "))
	srv := &http.Server{
		// The same timeouts as the service (main.go): each costs deadline
		// updates per request.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for k, v := range header {
				h[k] = v
			}
			w.Write(body)
		}),
	}
	if *coalesce {
		ln = httpserver.CoalesceWrites(srv, ln)
	}
	log.Fatal(srv.Serve(ln))
}

func keys(h http.Header) []string {
	var ks []string
	for k := range h {
		ks = append(ks, k)
	}
	return ks
}
