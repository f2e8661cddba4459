#!/usr/bin/env bash
# Runs every test of iovaudit: formatting, lints, and the whole test suite.
# This is the README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
mkdir -p target
set +e
cargo test --locked --lib --bins --tests 2>&1 | tee target/test-output.txt
rc=${PIPESTATUS[0]}
set -e
# Benchmarks are programs, not tests: they are not run here (cargo bench runs them).
# cargo stops at the first failing test binary; summarise what ran.
python3 - <<'PY'
import re
passed = failed = 0
for line in open("target/test-output.txt", encoding="utf-8", errors="replace"):
    m = re.match(r"test result: \w+\. (\d+) passed; (\d+) failed", line)
    if m:
        passed += int(m.group(1)); failed += int(m.group(2))
print(f"{passed} passed, {failed} failed")
PY
exit "$rc"
