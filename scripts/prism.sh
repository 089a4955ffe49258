#!/usr/bin/env bash
# Apache Beam's Prism runner for --runner=prism.
#   scripts/prism.sh install   builds it once with `go install` (about 3 min of
#                              CPU; cached in $(go env GOPATH)/bin), unless a
#                              prism binary is already there or on the PATH
#   scripts/prism.sh path      prints the binary millrace will run
# Needs Go (1.21+) and the Go module proxy.
set -euo pipefail
VERSION="v2.78.0"
MODULE="github.com/apache/beam/sdks/v2/go/cmd/prism"

find_prism() {
  if command -v prism >/dev/null 2>&1; then
    command -v prism
    return 0
  fi
  if command -v go >/dev/null 2>&1; then
    local bin
    bin="$(go env GOPATH | cut -d: -f1)/bin/prism"
    if [ -x "$bin" ]; then
      echo "$bin"
      return 0
    fi
  fi
  return 1
}

case "${1:-}" in
  install)
    if existing="$(find_prism)"; then
      echo "prism: already installed at $existing"
      exit 0
    fi
    if ! command -v go >/dev/null 2>&1; then
      echo "prism: Go is needed to build Prism (https://go.dev/doc/install)" >&2
      exit 1
    fi
    start=$(date +%s)
    echo "prism: building $MODULE@$VERSION (a few minutes, once)..."
    go install "$MODULE@$VERSION"
    echo "prism: installed $(find_prism) in $(( $(date +%s) - start )) s"
    ;;
  path)
    if ! find_prism; then
      echo "prism: not installed; run scripts/prism.sh install" >&2
      exit 1
    fi
    ;;
  *)
    echo "usage: scripts/prism.sh install|path" >&2
    exit 2
    ;;
esac
