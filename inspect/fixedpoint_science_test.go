//go:build science

package inspect

import (
	"testing"

	"attractor/internal/repro"
)

// TestEC28Rank1Science runs EC-28 at the spec's N = 1000 and records it.
func TestEC28Rank1Science(t *testing.T) {
	fptEC28(t, 1000, repro.New(t, "EC-28", "inspect", "N = 1000, g = 0, J = (λ/N) m mᵀ, m_i = ±1, λ ∈ {0.5, 0.9, 1.5, 2, 3}, 100 noisy starts (σ 0.1) per λ, seed 28"))
}

// TestEC29OutlierScience runs EC-29 at the spec's N = 1000, radius 0.55,
// and records it.
func TestEC29OutlierScience(t *testing.T) {
	fptEC29(t, 1000, 0.05, repro.New(t, "EC-29", "inspect", "J = gχ + (λ/N) m mᵀ, g = 0.5, λ = 1.5, N = 1000, mᵀm = N, seed 29"))
}

// TestPeerBothMethods compares TrustRegion and Adam on the peer's
// construction at N = 300, K = 256 (Adam takes tens of seconds).
func TestPeerBothMethods(t *testing.T) { fptPeer(t, 300, 256) }
