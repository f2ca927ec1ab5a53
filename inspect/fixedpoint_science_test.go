//go:build science

package inspect

import "testing"

// TestEC28Rank1Science runs EC-28 at the spec's N = 1000.
func TestEC28Rank1Science(t *testing.T) { fptEC28(t, 1000) }

// TestEC29OutlierScience runs EC-29 at the spec's N = 1000, radius 0.55.
func TestEC29OutlierScience(t *testing.T) { fptEC29(t, 1000, 0.05) }

// TestPeerBothMethods compares TrustRegion and Adam on the peer's
// construction at N = 300, K = 256 (Adam takes tens of seconds).
func TestPeerBothMethods(t *testing.T) { fptPeer(t, 300, 256) }
