package httpserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
)

// recordingConn is the connection under a coalescingConn: it records what
// reaches it, in order.
type recordingConn struct {
	net.Conn // nil: only the methods below are called
	mu       sync.Mutex
	events   []string
	written  bytes.Buffer
	writeErr error
	block    chan struct{} // when set, writes wait for it to close
}

func (r *recordingConn) record(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recordingConn) Write(p []byte) (int, error) {
	if r.block != nil {
		<-r.block
	}
	r.record(fmt.Sprintf("write %d", len(p)))
	if r.writeErr != nil {
		return 0, r.writeErr
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.written.Write(p)
}

func (r *recordingConn) Read([]byte) (int, error) { r.record("read"); return 0, errors.New("eof") }
func (r *recordingConn) CloseWrite() error        { r.record("closewrite"); return nil }
func (r *recordingConn) Close() error {
	r.record("close")
	if r.block != nil {
		close(r.block)
	}
	return nil
}

func (r *recordingConn) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.events, ", ")
}

func fill(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }

func TestCoalescingConnHoldsOnlyAFullBuffer(t *testing.T) {
	inner := &recordingConn{}
	c := &coalescingConn{Conn: inner}
	write := func(p []byte) {
		t.Helper()
		if n, err := c.Write(p); n != len(p) || err != nil {
			t.Fatalf("Write(%d bytes) = %d, %v", len(p), n, err)
		}
	}

	write(fill(100, 'a'))
	if got := inner.log(); got != "write 100" {
		t.Fatalf("a small write should pass straight through; got %q", got)
	}
	write(fill(netHTTPWriteBuffer, 'b'))
	if got := inner.log(); got != "write 100" {
		t.Fatalf("a full buffer should be held; got %q", got)
	}
	write(fill(8000, 'c'))
	// On a TCP connection the held buffer and the next write leave in one
	// writev; this connection is not one, so net.Buffers writes them in turn.
	if got := inner.log(); got != "write 100, write 4096, write 8000" {
		t.Fatalf("the held buffer should leave with the next write; got %q", got)
	}
	if c.held != nil {
		t.Fatal("an idle connection should not keep a buffer")
	}
	write(fill(netHTTPWriteBuffer, 'd'))
	write(fill(netHTTPWriteBuffer, 'e'))
	if got := inner.log(); got != "write 100, write 4096, write 8000, write 4096, write 4096" {
		t.Fatalf("a second full buffer should not be held behind the first; got %q", got)
	}
	want := string(fill(100, 'a')) + string(fill(4096, 'b')) + string(fill(8000, 'c')) + string(fill(4096, 'd')) + string(fill(4096, 'e'))
	if inner.written.String() != want {
		t.Fatal("the bytes did not arrive whole and in order")
	}
}

func TestCoalescingConnSendsWhatItHoldsFirst(t *testing.T) {
	for name, tc := range map[string]struct {
		do   func(c *coalescingConn)
		want string
	}{
		"read":  {func(c *coalescingConn) { c.Read(make([]byte, 10)) }, "write 4096, read"},
		"close": {func(c *coalescingConn) { c.Close() }, "write 4096, close"},
		"half-close": {func(c *coalescingConn) {
			if err := c.CloseWrite(); err != nil {
				t.Errorf("CloseWrite: %v", err)
			}
		}, "write 4096, closewrite"},
		"copy": {func(c *coalescingConn) {
			if n, err := c.ReadFrom(strings.NewReader("tail")); n != 4 || err != nil {
				t.Errorf("ReadFrom = %d, %v", n, err)
			}
		}, "write 4096, write 4"},
	} {
		t.Run(name, func(t *testing.T) {
			inner := &recordingConn{}
			c := &coalescingConn{Conn: inner}
			c.Write(fill(netHTTPWriteBuffer, 'x'))
			tc.do(c)
			if got := inner.log(); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCoalescingConnReportsWriteErrors(t *testing.T) {
	broken := errors.New("connection reset")

	inner := &recordingConn{writeErr: broken}
	c := &coalescingConn{Conn: inner}
	c.Write(fill(netHTTPWriteBuffer, 'x'))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, broken) {
		t.Fatalf("Read after a failed send of the held bytes = %v, want %v", err, broken)
	}
	if got := inner.log(); got != "write 4096" {
		t.Fatalf("a read should not happen after the held bytes failed to leave; got %q", got)
	}

	c = &coalescingConn{Conn: &recordingConn{writeErr: broken}}
	c.Write(fill(netHTTPWriteBuffer, 'x'))
	if n, err := c.Write(fill(10, 'y')); n != 0 || !errors.Is(err, broken) {
		t.Fatalf("Write after a held buffer on a broken connection = %d, %v; want 0, %v", n, err, broken)
	}
}

// Server.Close closes connections to abort writes stuck on a peer that does
// not read; the held bytes must not make Close wait for such a write.
func TestCoalescingConnCloseDoesNotWaitForABlockedWrite(t *testing.T) {
	inner := &recordingConn{block: make(chan struct{})}
	c := &coalescingConn{Conn: inner}
	c.Write(fill(netHTTPWriteBuffer, 'x'))
	wrote := make(chan error, 1)
	go func() {
		_, err := c.Write(fill(10, 'y')) // takes the lock, then blocks in the kernel
		wrote <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for c.mu.TryLock() { // wait until the writer holds the lock
		c.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatal("the writer never took the lock")
		}
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() {
		c.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the blocked write")
	}
	select {
	case <-wrote:
	case <-time.After(10 * time.Second):
		t.Fatal("the blocked write did not end when the connection closed")
	}
}

// countingReader counts the bytes read from a connection.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// A handler that flushes mid-response gets what it flushed to the client
// at once, also when the flush ends exactly on a full buffer, which the
// connection holds: the frame's writer sends it on.
func TestFrameFlushSendsWhatTheConnectionHolds(t *testing.T) {
	f, _, _ := newTestFrame(t)
	next := make(chan struct{})
	wait := func() {
		select { // until the client has read what came before
		case <-next:
		case <-time.After(10 * time.Second):
		}
	}
	f.Mux.Get("/stream/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(chi.URLParam(r, "n"))
		rc := http.NewResponseController(w)
		// First the headers and a short chunk: by the time the client has
		// them, net/http's background read of the connection is waiting,
		// so only the flush can send what the connection holds next.
		w.Write([]byte("start"))
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		wait()
		w.Write(fill(n, 's'))
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		wait()
		w.Write([]byte("end"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: f}
	go srv.Serve(CoalesceWrites(srv, ln))
	defer srv.Close()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cr := &countingReader{r: conn}
	br := bufio.NewReader(cr)
	read := func(resp *http.Response, n int) string {
		t.Helper()
		b := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, b); err != nil {
			t.Fatalf("%s: the flushed part did not arrive: %v", resp.Request.URL, err)
		}
		return string(b)
	}
	sawFullBuffer := false
	// A chunk's header, data and end come to exactly 4,096 bytes for one of
	// these sizes.
	for n := 4080; n < 4096; n++ {
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(conn, "GET /stream/%d HTTP/1.1\r\nHost: test\r\n\r\n", n)
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("/stream/%d", n), nil)
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			t.Fatalf("GET /stream/%d: %v", n, err)
		}
		if got := read(resp, 5); got != "start" {
			t.Fatalf("GET /stream/%d began with %q", n, got)
		}
		next <- struct{}{}
		before := cr.n
		read(resp, n)
		sawFullBuffer = sawFullBuffer || cr.n-before == netHTTPWriteBuffer
		next <- struct{}{}
		rest, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(rest) != "end" {
			t.Fatalf("GET /stream/%d: then %q, %v", n, rest, err)
		}
	}
	if !sawFullBuffer {
		t.Fatal("no flush ended exactly on a full buffer: the test no longer covers that case")
	}
}
