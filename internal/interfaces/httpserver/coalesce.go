package httpserver

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
)

// netHTTPWriteBuffer is the size of the buffer net/http writes each
// connection's responses through (net/http/server.go: newBufioWriterSize(…,
// 4<<10)). It cannot be configured.
const netHTTPWriteBuffer = 4 << 10

// CoalesceWrites wraps a plain-TCP listener for an http.Server so that a
// response larger than net/http's 4 KB write buffer leaves in one write
// instead of two or more.
//
// net/http fills the buffer with the status line, headers and the start of
// the body, writes it out, then writes the rest of a large body directly:
// two sends, so two TCP segments and two wake-ups of the reader for, say,
// the 12 KB gzipped summary.json. On loopback that second send cost 10–20 %
// of the requests per second (docs/PERFORMANCE.md). The
// connections this listener returns hold a write of exactly one full buffer
// — the only write of that size net/http makes in practice is that flush —
// and send it together with the next write in one writev. Nothing is held
// longer than that: whatever is held is sent before the next write, before
// any read (net/http always reads again, or closes, once a response is
// complete, so a response that happens to end on a full buffer still leaves
// at once), and before the connection closes or half-closes. Every other
// write goes straight through.
//
// A handler's flush (http.ResponseController, http.Flusher) can end on a
// full buffer too; the request frame's writer then sends what the
// connection holds, which srv's ConnContext (set here, after any already
// set) lets it find.
//
// Not for TLS listeners: HTTP/2 reads and writes in separate goroutines, so
// a held write could wait for a read that is already blocked. For the same
// reason a handler that hijacks the connection (none does) must not write
// exactly 4 KB and then wait without reading.
func CoalesceWrites(srv *http.Server, ln net.Listener) net.Listener {
	next := srv.ConnContext
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if next != nil {
			ctx = next(ctx, c)
		}
		if cc, ok := c.(*coalescingConn); ok {
			ctx = context.WithValue(ctx, connKey{}, cc)
		}
		return ctx
	}
	return coalescingListener{ln}
}

// connKey is the context key of a request's *coalescingConn.
type connKey struct{}

// flushConn sends what the connection of the request with context ctx
// holds, if it is a coalescing one.
func flushConn(ctx context.Context) error {
	if c, ok := ctx.Value(connKey{}).(*coalescingConn); ok {
		return c.flush()
	}
	return nil
}

type coalescingListener struct{ net.Listener }

func (l coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &coalescingConn{Conn: c}, nil
}

// coalescingConn is a connection that holds a full-buffer write until the
// next write, read, close or half-close. net/http writes from the handler's
// goroutine but may read (its background read, which notices a client
// going away) and close from others, so mu orders the held bytes with
// everything else.
type coalescingConn struct {
	net.Conn
	mu   sync.Mutex
	held *[netHTTPWriteBuffer]byte // nil when nothing is held
}

// heldBuffers lend a connection its held buffer only while it holds one,
// so that an idle kept-alive connection costs no more than without the
// wrapper.
var heldBuffers = sync.Pool{New: func() any { return new([netHTTPWriteBuffer]byte) }}

func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held == nil {
		if len(p) != netHTTPWriteBuffer {
			return c.Conn.Write(p)
		}
		c.held = heldBuffers.Get().(*[netHTTPWriteBuffer]byte)
		copy(c.held[:], p)
		return len(p), nil
	}
	bufs := net.Buffers{c.held[:], p} // one writev on a TCP connection
	n, err := bufs.WriteTo(c.Conn)
	c.release()
	// The held bytes were reported written by the earlier call; report
	// only what was sent of p.
	return int(max(n-netHTTPWriteBuffer, 0)), err
}

// flushLocked sends the held bytes, if any. c.mu must be held.
func (c *coalescingConn) flushLocked() error {
	if c.held == nil {
		return nil
	}
	_, err := c.Conn.Write(c.held[:])
	c.release()
	return err
}

// release returns the held buffer. c.mu must be held.
func (c *coalescingConn) release() {
	heldBuffers.Put(c.held)
	c.held = nil
}

func (c *coalescingConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

// Read sends what is held first: a peer is not expected to send before it
// has the response.
func (c *coalescingConn) Read(p []byte) (int, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

// ReadFrom lets net/http hand a file to the kernel (sendfile) as it would
// without this wrapper, after what is held.
func (c *coalescingConn) ReadFrom(r io.Reader) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return io.Copy(c.Conn, r)
}

// CloseWrite sends what is held, then half-closes (net/http does this
// before closing a connection whose request body it did not read).
func (c *coalescingConn) CloseWrite() error {
	if err := c.flush(); err != nil {
		return err
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Close sends what is held, unless another goroutine is writing right now:
// Server.Close closes connections to abort writes blocked on a peer that
// does not read, and must not wait for them.
func (c *coalescingConn) Close() error {
	if c.mu.TryLock() {
		_ = c.flushLocked() // closing anyway: the close error is the one to report
		c.mu.Unlock()
	}
	return c.Conn.Close()
}
