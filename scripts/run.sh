#!/usr/bin/env bash
# The main job: builds the desktop app (车联网安全合规评估工作台) and the CLI,
# creates a fresh demo assessment project and opens it in the app.
# First run on a new machine: installs the system packages, builds the UI and
# compiles (dev profile, hot crates optimised; a few minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
(cd ui && npx --no-install vite build --logLevel warn)
cargo build --locked -p iovaudit -p iovaudit-app
demo=target/demo/示例评估.iovaudit
rm -rf "$demo"
mkdir -p target/demo
./target/debug/iovaudit demo "$demo" >/dev/null
echo "演示项目 / demo project: $demo"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat <<EOT
没有图形显示（DISPLAY 未设置）。在无显示器的机器上可以这样运行：
No display (DISPLAY is not set). On a headless machine run it under Xvfb:
  xvfb-run -a -s "-screen 0 1280x800x24" ./target/debug/iovaudit-app "$demo"
命令行版本 / the CLI on the same project:
  ./target/debug/iovaudit status "$demo"
EOT
  exit 0
fi
exec ./target/debug/iovaudit-app "$demo"
