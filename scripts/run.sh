#!/usr/bin/env bash
# The main job: builds iovaudit (dev profile with the hot crates optimised: a
# fraction of a release build's time), creates the demo assessment project and shows it.
# (When the desktop app lands, this launches it with the demo project.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --locked
bin=./target/debug/iovaudit
demo=target/demo/示例评估.iovaudit
rm -rf "$demo"
mkdir -p target/demo
$bin demo "$demo"
echo
$bin score "$demo"
cat <<EOT

演示项目位于 / the demo project is at: $demo
试试 / try:
  $bin assess list "$demo" --filter nonconform
  $bin assess list "$demo" --filter inferred
  $bin evidence list "$demo"
  $bin evidence verify "$demo"
  $bin journal verify "$demo"
  $bin pack show N134-17
  $bin --lang en status "$demo"
EOT
