#!/usr/bin/env bash
# Desktop-app timings (launch → interactive; open a 10,000-evidence project →
# checklist shown) in the real app under Xvfb. Needs the app and CLI built.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
tmp=$(mktemp -d /tmp/iovaudit-bench-home.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" NO_AT_BRIDGE=1
xvfb-run -a -s "-screen 0 1280x800x24" node tests/e2e/bench/open-10k.mjs
