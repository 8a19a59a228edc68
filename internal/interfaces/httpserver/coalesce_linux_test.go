package httpserver_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// sizedBodies serves /N with an N-byte body written in one call, as the
// cached public responses are.
func sizedBodies(t *testing.T, coalesce bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.Write(pattern(n))
	})}
	if coalesce {
		ln = httpserver.CoalesceWrites(srv, ln)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return addr
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%23)
	}
	return b
}

// rawClient speaks HTTP/1.1 over one TCP connection and counts the bytes
// and TCP segments each response took.
type rawClient struct {
	t    *testing.T
	conn *net.TCPConn
	br   *bufio.Reader
	read int
}

func dial(t *testing.T, addr string) *rawClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rc := &rawClient{t: t, conn: c.(*net.TCPConn)}
	rc.br = bufio.NewReader(readCounter{rc})
	return rc
}

type readCounter struct{ c *rawClient }

func (r readCounter) Read(p []byte) (int, error) {
	n, err := r.c.conn.Read(p)
	r.c.read += n
	return n, err
}

func (c *rawClient) segmentsIn() uint32 {
	c.t.Helper()
	raw, err := c.conn.SyscallConn()
	if err != nil {
		c.t.Fatal(err)
	}
	var info *unix.TCPInfo
	var ierr error
	if err := raw.Control(func(fd uintptr) {
		info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); err != nil || ierr != nil {
		c.t.Fatalf("TCP_INFO: %v %v", err, ierr)
	}
	return info.Data_segs_in
}

// get sends one request and reads its response; it returns the response's
// size on the wire and the TCP segments it came in.
func (c *rawClient) get(n int, close bool) (wire int, segments uint32) {
	c.t.Helper()
	c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	hdr := ""
	if close {
		hdr = "Connection: close\r\n"
	}
	before, read := c.segmentsIn(), c.read
	if _, err := fmt.Fprintf(c.conn, "GET /%d HTTP/1.1\r\nHost: test\r\n%s\r\n", n, hdr); err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.t.Fatalf("GET /%d: %v", n, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(body, pattern(n)) {
		c.t.Fatalf("GET /%d: %d bytes, %v; the body did not arrive whole", n, len(body), err)
	}
	if c.br.Buffered() != 0 {
		c.t.Fatalf("GET /%d: %d bytes after the response", n, c.br.Buffered())
	}
	return c.read - read, c.segmentsIn() - before
}

// A response larger than net/http's 4 KB write buffer leaves in one TCP
// segment over a coalescing listener, and in two without it: the difference
// docs/PERFORMANCE.md measures for the 12 KB gzipped summary.json.
func TestCoalesceWritesSendsALargeResponseInOneSegment(t *testing.T) {
	for _, tc := range []struct {
		coalesce bool
		want     uint32
	}{{true, 1}, {false, 2}} {
		c := dial(t, sizedBodies(t, tc.coalesce))
		for range 5 {
			if wire, segs := c.get(12000, false); segs != tc.want {
				t.Errorf("coalesce %v: a %d-byte response came in %d segments, want %d", tc.coalesce, wire, segs, tc.want)
			}
		}
	}
}

// Every response arrives whole without the client sending anything more,
// including one that ends exactly on a full buffer, which is held until
// net/http reads again or closes; on a kept-alive connection and on one
// that closes after the response.
func TestCoalesceWritesNeverStrandsAResponse(t *testing.T) {
	addr := sizedBodies(t, true)
	c := dial(t, addr)
	sawFullBuffer := false
	for _, n := range []int{0, 1, 4000, 12000, 300_000, 4096, 8192} {
		c.get(n, false)
	}
	// The header is the same length for every 4-digit body, so one of these
	// responses is exactly 4,096 bytes on the wire; then the same as the last
	// response on a connection (which adds "Connection: close").
	for n := 3900; n < 4096 && !sawFullBuffer; n++ {
		wire, _ := c.get(n, false)
		sawFullBuffer = wire == 4096
	}
	c.get(12000, false) // and the connection goes on
	sawLastFullBuffer := false
	for n := 3900; n < 4096 && !sawLastFullBuffer; n++ {
		last := dial(t, addr)
		wire, _ := last.get(n, true)
		if _, err := last.br.ReadByte(); err != io.EOF {
			t.Fatalf("after the last response: %v, want EOF", err)
		}
		sawLastFullBuffer = wire == 4096
	}
	if !sawFullBuffer || !sawLastFullBuffer {
		t.Fatal("no response was exactly one full buffer: the test no longer covers that case")
	}
}
