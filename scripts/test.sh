#!/usr/bin/env bash
# Runs every test of iovaudit: formatting, lints, the core and CLI test
# suite, the front end's unit tests, and the desktop app end to end in the
# real WebKit under Xvfb. This is the README's test command and what
# .ci/run calls. Ends with "N passed, N failed" over all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p target

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== ui: typecheck"
(cd ui && npx --no-install tsc --noEmit)
echo "== ui: build (embedded in the desktop app)"
(cd ui && npx --no-install vite build --logLevel warn)
echo "== cargo clippy (core + CLI, desktop app)"
cargo clippy --all-targets --locked -- -D warnings
cargo clippy -p iovaudit-app --all-targets --locked -- -D warnings

status=0
echo "== cargo test"
set +e
cargo test --locked --lib --bins --tests 2>&1 | tee target/test-output.txt
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
set -e
# Benchmarks are programs, not tests: they are not run here (cargo bench runs them).

echo "== fuzz: every reader of untrusted input, time-boxed (scripts/fuzz.sh 10)"
set +e
bash scripts/fuzz.sh 10
[ $? -eq 0 ] || status=1
set -e

echo "== ui: unit tests (Vitest)"
set +e
(cd ui && npx --no-install vitest run --reporter=default --reporter=json --outputFile=../target/vitest.json)
[ $? -eq 0 ] || status=1
set -e

echo "== desktop app: build, then end-to-end tests (tauri-driver + WebKitWebDriver + Xvfb)"
cargo build --locked -p iovaudit-app -p iovaudit
set +e
E2E_TAP=target/e2e.tap bash scripts/e2e.sh
[ $? -eq 0 ] || status=1
set -e

python3 - <<'PY'
import json, re
passed = failed = 0
for line in open("target/test-output.txt", encoding="utf-8", errors="replace"):
    m = re.match(r"test result: \w+\. (\d+) passed; (\d+) failed", line)
    if m:
        passed += int(m.group(1)); failed += int(m.group(2))
print(f"rust: {passed} passed, {failed} failed")
try:
    v = json.load(open("target/vitest.json"))
    vp, vf = v.get("numPassedTests", 0), v.get("numFailedTests", 0)
except Exception:
    vp, vf = 0, 1
print(f"ui (vitest): {vp} passed, {vf} failed")
ep = ef = 0
try:
    for line in open("target/e2e.tap", encoding="utf-8", errors="replace"):
        m = re.match(r"# (pass|fail) (\d+)", line)
        if m:
            if m.group(1) == "pass": ep += int(m.group(2))
            else: ef += int(m.group(2))
except FileNotFoundError:
    ef += 1
print(f"e2e (desktop app): {ep} passed, {ef} failed")
print(f"{passed + vp + ep} passed, {failed + vf + ef} failed")
PY
exit "$status"
