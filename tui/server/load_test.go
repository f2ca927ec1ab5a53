package server

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestLoad opens 20 sessions on loopback, each typing a key every 25 ms for
// 3 s and timing how long the frame showing it takes to arrive, and logs
// the memory per session and the frame latencies (go test -v -run Load).
// Client and server share the process, so the heap per session counts both
// ends of the connection; cli's TestServeLoad measures the server process
// alone.
func TestLoad(t *testing.T) {
	const (
		sessions = 20
		duration = 3 * time.Second
		pace     = 25 * time.Millisecond
	)
	ts := startServer(t, Config{MaxSessions: sessions, ConnBurst: sessions})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()
	css := make([]*clientSession, sessions)
	for i := range css {
		css[i] = ts.open(t, fmt.Sprintf("load%d", i))
	}
	for _, cs := range css {
		cs.waitFor("keys=0|")
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heapPer := (float64(after.HeapInuse) - float64(before.HeapInuse)) / sessions
	gPer := float64(runtime.NumGoroutine()-g0) / sessions
	if ts.Sessions() != sessions {
		t.Fatalf("%d sessions open, want %d", ts.Sessions(), sessions)
	}

	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for _, cs := range css {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			off := 0
			for n := 1; time.Since(start) < duration; n++ {
				sent := time.Now()
				if _, err := cs.in.Write([]byte("a")); err != nil {
					t.Error(err)
					return
				}
				want := fmt.Sprintf("keys=%d|", n)
				for {
					if i := cs.out.indexFrom(want, off); i >= 0 {
						off = i
						break
					}
					if time.Since(sent) > 10*time.Second {
						t.Errorf("no frame with %s within 10 s", want)
						return
					}
					time.Sleep(200 * time.Microsecond)
				}
				mine = append(mine, time.Since(sent))
				time.Sleep(max(0, pace-time.Since(sent)))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, cs := range css {
		cs.send("q")
	}
	for _, cs := range css {
		if err := cs.wait(); err != nil {
			t.Errorf("session ended with %v", err)
		}
	}
	if len(lat) < sessions*10 {
		t.Fatalf("only %d frames in %v", len(lat), elapsed)
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	t.Logf("%d sessions, %d key→frame round trips in %v (%.0f frames/s): latency p50 %v, p90 %v, p99 %v, max %v",
		sessions, len(lat), elapsed.Round(time.Millisecond), float64(len(lat))/elapsed.Seconds(),
		q(0.5).Round(10*time.Microsecond), q(0.9).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	t.Logf("per session (client and server in one process, fake UI): heap %.0f KiB, %.1f goroutines", heapPer/1024, gPer)
	if p99 := q(0.99); p99 > 2*time.Second {
		t.Errorf("p99 frame latency %v over 2 s", p99)
	}
}
