#!/usr/bin/env bash
# The main job: builds iovaudit and shows the checklist library in Chinese.
# (When the desktop app lands, this launches it with a demo project.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --locked
./target/release/iovaudit pack validate checklists/
./target/release/iovaudit pack list
echo
echo "试试 / try:  ./target/release/iovaudit pack show N134   |   ./target/release/iovaudit --lang en pack show SH26-18"
