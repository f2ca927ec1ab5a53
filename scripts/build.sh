#!/usr/bin/env bash
# Builds the static attractor binary with its version and commit recorded.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
version=$(git describe --tags --always --dirty 2>/dev/null || echo devel)
CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X attractor/cli.Version=$version -X attractor/cli.Commit=$commit" \
  -o "${1:-attractor}" .
echo "built ${1:-attractor} ($version, $commit)"
