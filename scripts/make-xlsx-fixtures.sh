#!/usr/bin/env bash
# Regenerates the spreadsheet fixtures of tests/excel.rs with LibreOffice.
#
# The sources are tests/fixtures/xlsx/src/*.fods (flat OpenDocument
# spreadsheets: plain XML with merged cells, typed values, dates and
# formulas; open them in LibreOffice Calc to edit). This script converts them
# with LibreOffice, as an assessor's spreadsheet program would save them, and
# adds the malformed files. The results are committed: CI and `cargo test`
# never need LibreOffice.
#
# Needs: apt-get install -y --no-install-recommends libreoffice-calc
set -euo pipefail
cd "$(dirname "$0")/.."
dir=tests/fixtures/xlsx
if ! command -v soffice >/dev/null; then
    echo "LibreOffice is needed: apt-get install -y --no-install-recommends libreoffice-calc" >&2
    exit 2
fi
# A throwaway LibreOffice profile, so a running LibreOffice or a stale lock does not interfere.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
convert() {
    local to=$1
    shift
    soffice -env:UserInstallation="file://$profile" --headless --convert-to "$to" --outdir "$dir" "$@" >/dev/null 2>&1
}

# Real-world shapes, saved by a spreadsheet program:
#   task-list   a regulator's task list (title rows, two-row header, merged
#               category cells, note rows, a heading row, a repeated header,
#               a totals row, columns out of order, full-width digits)
#   wrong-types a number as a title (fine), a date in 权重, #DIV/0! in a text and a weight cell
#   selfcheck-filled  the self-check form filled in against the demo project
convert xlsx "$dir"/src/task-list.fods "$dir"/src/wrong-types.fods "$dir"/src/selfcheck-filled.fods
# The same task list as .xls (BIFF8) and .ods.
convert xls "$dir"/src/task-list.fods
convert ods "$dir"/src/task-list.fods

# Malformed files.
printf 'requirement_id,verdict\nN134-01,符合\n' > "$dir"/not-a-zip.xlsx   # a CSV renamed to .xlsx
head -c 1500 "$dir"/task-list.xlsx > "$dir"/truncated.xlsx                 # a download cut short

ls -l "$dir"
