package server

import (
	"net"
	"sync"
	"time"
)

// ipLimiter allows each remote IP address a burst of connections that then
// refills at a fixed rate (a token bucket per address). It remembers at
// most maxIPs addresses; when full it forgets the buckets that have refilled
// completely, and failing that the least recently seen one.
type ipLimiter struct {
	every  time.Duration // one token per every
	burst  float64
	maxIPs int
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*ipBucket
}

type ipBucket struct {
	tokens float64
	last   time.Time
}

func newIPLimiter(every time.Duration, burst, maxIPs int) *ipLimiter {
	return &ipLimiter{every: every, burst: float64(max(1, burst)), maxIPs: max(1, maxIPs),
		now: time.Now, buckets: map[string]*ipBucket{}}
}

// allow takes a token for ip and reports whether there was one.
func (l *ipLimiter) allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[ip]
	if !ok {
		if len(l.buckets) >= l.maxIPs {
			l.evict(now)
		}
		b = &ipBucket{tokens: l.burst, last: now}
		l.buckets[ip] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.last))/float64(l.every))
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// evict forgets full buckets, or else the oldest one. l.mu is held.
func (l *ipLimiter) evict(now time.Time) {
	var oldest string
	var oldestT time.Time
	for ip, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.last))/float64(l.every) >= l.burst {
			delete(l.buckets, ip)
			continue
		}
		if oldest == "" || b.last.Before(oldestT) {
			oldest, oldestT = ip, b.last
		}
	}
	if len(l.buckets) >= l.maxIPs {
		delete(l.buckets, oldest)
	}
}

// remoteIP returns the IP address of addr without the port.
func remoteIP(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

// countedConn releases a connection slot once, when closed.
type countedConn struct {
	net.Conn
	ip      string
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
