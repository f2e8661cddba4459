#!/usr/bin/env bash
# Time-boxed mutation fuzzing of every reader of untrusted input
# (tests/fuzz_readers.rs: condition, pack, xlsx, package, pdf).
#
#   scripts/fuzz.sh SECONDS [TARGET...]
#
# SECONDS is per target; the targets run two at a time, so the wall time is
# about SECONDS × targets / 2 plus the build. CI runs `scripts/fuzz.sh 10`
# (about 30 s); for a local session run e.g. `scripts/fuzz.sh 1800` overnight,
# or one target: `scripts/fuzz.sh 600 xlsx`. FUZZ_SEED=N replays a run.
#
# The test binary runs with its address space capped (FUZZ_MEM_MIB, default
# 4096), so an unbounded allocation aborts instead of eating the machine. If
# the run dies on an input (stack overflow, allocation failure), that input
# is in target/fuzz-current/TARGET.bin and is copied into
# tests/fuzz-corpus/TARGET/crash-HASH.bin: commit it as a regression once the
# reader is fixed. Panics and slow inputs are saved under target/fuzz-found/.
set -uo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
shift || true
filter=()
for t in "$@"; do filter+=("fuzz_$t"); done
[ ${#filter[@]} -eq 0 ] && filter=("fuzz_")
mem_mib="${FUZZ_MEM_MIB:-4096}"

cargo test --test fuzz_readers --no-run -q || exit 1
rm -rf target/fuzz-current
status=0
for f in "${filter[@]}"; do
  (
    ulimit -v $((mem_mib * 1024))
    FUZZ_SECONDS="$secs" cargo test -q --test fuzz_readers -- --test-threads=2 --nocapture "$f"
  ) || status=$?
done
if [ "$status" -ne 0 ]; then
  # A crash that killed the process leaves the input it was on (a target that
  # ends normally removes its file).
  for cur in target/fuzz-current/*.bin; do
    [ -e "$cur" ] || continue
    t="$(basename "$cur" .bin)"
    h="$(sha256sum "$cur" | cut -c1-16)"
    mkdir -p "tests/fuzz-corpus/$t"
    cp "$cur" "tests/fuzz-corpus/$t/crash-$h.bin"
    echo "fuzz: the last input of $t is saved as tests/fuzz-corpus/$t/crash-$h.bin" >&2
  done
  ls target/fuzz-found/ 2>/dev/null | sed 's/^/fuzz: found: target\/fuzz-found\//' >&2
fi
exit "$status"
