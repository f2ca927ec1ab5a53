package server

import (
	"fmt"
	"net"
	"testing"
	"time"
)

func TestIPLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newIPLimiter(time.Second, 3, 4)
	l.now = func() time.Time { return now }
	for i := range 5 {
		if got, want := l.allow("10.0.0.1"), i < 3; got != want {
			t.Errorf("attempt %d: allow = %v, want %v", i, got, want)
		}
	}
	if !l.allow("10.0.0.2") {
		t.Error("another address was limited")
	}
	now = now.Add(1500 * time.Millisecond)
	if !l.allow("10.0.0.1") || l.allow("10.0.0.1") {
		t.Error("after 1.5 s exactly one more connection must be allowed")
	}
	// The map stays bounded.
	for i := range 100 {
		l.allow(fmt.Sprintf("192.0.2.%d", i))
	}
	if len(l.buckets) > 4 {
		t.Errorf("%d buckets kept, limit 4", len(l.buckets))
	}
	if ip := remoteIP(&net.TCPAddr{IP: net.ParseIP("::1"), Port: 22}); ip != "::1" {
		t.Errorf("remoteIP = %q", ip)
	}
}
