#!/usr/bin/env bash
# Installs what building and testing iovaudit needs on Debian 12, once.
# Idempotent: it only installs what is missing. Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v openssl >/dev/null || need_apt+=(openssl)
command -v sha256sum >/dev/null || need_apt+=(coreutils)
command -v cc >/dev/null || need_apt+=(build-essential)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
# Oracles for the signature tests: pdfsig (poppler), qpdf, certutil (NSS), pdftotext/pdftoppm.
command -v pdfsig >/dev/null || need_apt+=(poppler-utils)
[ -d /usr/share/poppler ] || need_apt+=(poppler-data)
command -v qpdf >/dev/null || need_apt+=(qpdf)
# GNU time: the peak-memory oracle of tests/hostile.rs.
[ -x /usr/bin/time ] || need_apt+=(time)
command -v certutil >/dev/null || need_apt+=(libnss3-tools)
# Keys on tokens (tests/pkcs11.rs): SoftHSM2 (module /usr/lib/softhsm/libsofthsm2.so,
# softhsm2-util) and OpenSC's pkcs11-tool to put certificates on the token.
{ command -v softhsm2-util >/dev/null && [ -f /usr/lib/softhsm/libsofthsm2.so ]; } || need_apt+=(softhsm2)
command -v pkcs11-tool >/dev/null || need_apt+=(opensc)
# nmap: the port scanner whose XML tests/scan.rs imports (a port the test opens on 127.0.0.1).
command -v nmap >/dev/null || need_apt+=(nmap)
command -v pip3 >/dev/null || command -v pip >/dev/null || need_apt+=(python3-pip)
# The desktop app: WebKitGTK and friends (Tauri 2 on Linux), and for its
# end-to-end tests WebKitWebDriver, Xvfb and xauth (xvfb-run needs it).
pkg-config --exists webkit2gtk-4.1 2>/dev/null || need_apt+=(libwebkit2gtk-4.1-dev)
pkg-config --exists libxdo 2>/dev/null || [ -e /usr/include/xdo.h ] || need_apt+=(libxdo-dev)
pkg-config --exists openssl 2>/dev/null || need_apt+=(libssl-dev)
pkg-config --exists ayatana-appindicator3-0.1 2>/dev/null || need_apt+=(libayatana-appindicator3-dev)
pkg-config --exists librsvg-2.0 2>/dev/null || need_apt+=(librsvg2-dev)
command -v file >/dev/null || need_apt+=(file)
# LibreOffice Calc (headless): tests/excel.rs converts CSV it writes into .xlsx with it.
command -v soffice >/dev/null || need_apt+=(libreoffice-calc-nogui)
# LibreOffice Writer (headless): tests/report_docx.rs opens the DOCX report with it
# (--convert-to pdf). It brings no CJK font; the test points it at the bundled ones.
[ -e /usr/lib/libreoffice/program/libswlo.so ] || need_apt+=(libreoffice-writer-nogui)
command -v WebKitWebDriver >/dev/null || need_apt+=(webkit2gtk-driver)
command -v Xvfb >/dev/null || need_apt+=(xvfb)
command -v xauth >/dev/null || need_apt+=(xauth)
command -v node >/dev/null || need_apt+=(nodejs npm)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# pyHanko, the second PDF-signature oracle (PyPI).
if ! command -v pyhanko >/dev/null; then
  echo "setup: installing pyHanko"
  python3 -m pip install -q 'pyHanko==0.38.0' 'pyhanko-cli==0.6.0' 2>/dev/null \
    || python3 -m pip install -q --break-system-packages 'pyHanko==0.38.0' 'pyhanko-cli==0.6.0'
fi

# PKCS#12 fixtures made by tests/pkcs12_interop.rs (a file holding two keys): Python
# `cryptography` (pyHanko already pulls it in) and `asn1crypto` to assemble the bags;
# tests/bundle.rs derives Argon2id keys with it (cryptography >= 44).
if ! python3 -c 'import asn1crypto; from cryptography.hazmat.primitives.kdf.argon2 import Argon2id' 2>/dev/null; then
  echo "setup: installing cryptography and asn1crypto"
  python3 -m pip install -q 'cryptography>=44' 'asn1crypto>=1.5' 2>/dev/null \
    || python3 -m pip install -q --break-system-packages 'cryptography>=44' 'asn1crypto>=1.5'
fi

# SBOM generators whose output tests/scan.rs imports: cyclonedx-py (CycloneDX
# JSON of a Python environment) and sbom4python (SPDX 2.3 JSON of a module).
if ! command -v cyclonedx-py >/dev/null || ! command -v sbom4python >/dev/null; then
  echo "setup: installing cyclonedx-bom and sbom4python"
  python3 -m pip install -q 'cyclonedx-bom==7.5.0' 'sbom4python==0.12.6' 2>/dev/null \
    || python3 -m pip install -q --break-system-packages 'cyclonedx-bom==7.5.0' 'sbom4python==0.12.6'
fi

# Python `jsonschema`: the second OSCAL schema validator of tests/oscal.rs.
if ! python3 -c 'import jsonschema' 2>/dev/null; then
  echo "setup: installing jsonschema"
  python3 -m pip install -q 'jsonschema>=4.18' 2>/dev/null \
    || python3 -m pip install -q --break-system-packages 'jsonschema>=4.18'
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  echo "setup: cargo not found; install Rust (https://rustup.rs) and run again" >&2
  exit 1
fi

# tauri-driver: the WebDriver bridge of the end-to-end tests (crates.io, ~1 min).
if ! command -v tauri-driver >/dev/null; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver@2.1.0 --locked -q
fi

# The front end (Vite 8) needs Node.js 20.19 or newer (Debian 12's own nodejs is 18).
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "setup: Node.js $(node --version) is too old; the front end needs 20.19 or newer (https://nodejs.org, or NodeSource's Debian packages)" >&2
  exit 1
fi

# The front end's packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: npm ci (ui/)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

# Python `icalendar`: the independent parser that tests/calendar.rs reads the
# calendar's .ics export with (PyPI).
if ! python3 -c 'import icalendar' 2>/dev/null; then
  echo "setup: installing icalendar (Python)"
  python3 -m pip install -q 'icalendar==6.3.1' 2>/dev/null \
    || python3 -m pip install -q --break-system-packages 'icalendar==6.3.1'
fi
