//! Reading a workbook (calamine) into plain grids: merged regions filled in,
//! values typed, and the header of a sheet found by its Chinese or English
//! column names.

use super::text::{collapse, fold_width, norm_header};
use super::{ColumnSpec, Location, Problem};
use crate::t;
use calamine::{Data, Reader};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Files larger than this are refused before they are parsed.
pub const MAX_FILE: u64 = 64 * 1024 * 1024;
/// A sheet whose grid (A1 to its last used cell) has more cells than this is
/// refused (a stray cell far away), as soon as that cell is read.
pub const MAX_CELLS: u64 = 2_000_000;
/// A sheet with more rows than this is refused: no checklist or self-check
/// form comes near it.
pub const MAX_ROWS: u32 = 100_000;
/// A cell holding more characters than this is refused (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;
/// The text of all cells of a sheet together may not exceed this many bytes
/// (a shared string is counted once per cell that uses it).
pub const MAX_SHEET_TEXT: u64 = 128 * 1024 * 1024;
/// At most this many merged regions per sheet.
pub const MAX_MERGED: usize = 20_000;
/// Rows searched for the header.
const HEADER_SCAN: usize = 40;

/// `A`, `B`, … `Z`, `AA` from a 0-based column.
pub fn col_letter(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push(b'A' + r);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A 0-based column from letters (`C` → 2), if `s` is 1–3 letters.
pub fn parse_col_letter(s: &str) -> Option<u32> {
    let s = fold_width(s.trim());
    if s.is_empty() || s.len() > 3 || !s.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut n: u32 = 0;
    for c in s.chars() {
        n = n * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    Some(n - 1)
}

/// A cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Empty,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A date or time, as `YYYY-MM-DD` (with the time when there is one).
    Date(String),
    /// A formula error (`#DIV/0!`).
    Error(String),
}

impl Val {
    pub fn is_empty(&self) -> bool {
        match self {
            Val::Empty => true,
            Val::Text(s) => collapse(s).is_empty(),
            _ => false,
        }
    }

    /// The value as text (numbers without a needless fraction).
    pub fn text(&self) -> String {
        match self {
            Val::Empty => String::new(),
            Val::Text(s) => s.clone(),
            Val::Int(i) => i.to_string(),
            Val::Float(f) => super::text::number(*f),
            Val::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Val::Date(d) => d.clone(),
            Val::Error(e) => e.clone(),
        }
    }
}

fn excel_date(serial: f64) -> String {
    // 1900 date system (Excel's default); serial 60 is the fictitious 1900-02-29.
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30);
    let days = serial.floor() as i64;
    let secs = ((serial - serial.floor()) * 86400.0).round() as i64;
    match base.and_then(|b| b.checked_add_signed(chrono::TimeDelta::try_days(days)?)) {
        Some(d) if secs == 0 => d.format("%Y-%m-%d").to_string(),
        Some(d) => {
            let t = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
                (secs.clamp(0, 86399)) as u32,
                0,
            );
            match t {
                Some(t) if days == 0 => t.format("%H:%M:%S").to_string(),
                Some(t) => format!("{} {}", d.format("%Y-%m-%d"), t.format("%H:%M:%S")),
                None => d.format("%Y-%m-%d").to_string(),
            }
        }
        None => format!("{serial}"),
    }
}

fn val(d: &Data) -> Val {
    match d {
        Data::Empty => Val::Empty,
        Data::String(s) => Val::Text(s.clone()),
        Data::Int(i) => Val::Int(*i),
        Data::Float(f) => Val::Float(*f),
        Data::Bool(b) => Val::Bool(*b),
        Data::DateTime(dt) => Val::Date(excel_date(dt.as_f64())),
        Data::DateTimeIso(s) => Val::Date(s.clone()),
        Data::DurationIso(s) => Val::Date(s.clone()),
        Data::Error(e) => Val::Error(e.to_string()),
    }
}

/// One sheet as a grid from A1, merged regions filled with their first cell's value.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    /// The file as the user named it, for locations.
    pub file: String,
    rows: Vec<Vec<Val>>,
    /// Merged regions: (first row, first col, last row, last col), 0-based.
    pub merged: Vec<(u32, u32, u32, u32)>,
}

impl Sheet {
    pub fn height(&self) -> u32 {
        self.rows.len() as u32
    }

    pub fn width(&self) -> u32 {
        self.rows.iter().map(|r| r.len()).max().unwrap_or(0) as u32
    }

    pub fn get(&self, row: u32, col: u32) -> &Val {
        static EMPTY: Val = Val::Empty;
        self.rows
            .get(row as usize)
            .and_then(|r| r.get(col as usize))
            .unwrap_or(&EMPTY)
    }

    /// The merged region a cell is in, if any.
    pub fn region(&self, row: u32, col: u32) -> Option<(u32, u32, u32, u32)> {
        self.merged
            .iter()
            .copied()
            .find(|(r0, c0, r1, c1)| row >= *r0 && row <= *r1 && col >= *c0 && col <= *c1)
    }

    /// Non-empty cells of a row, with their columns.
    pub fn row_cells(&self, row: u32) -> Vec<(u32, &Val)> {
        self.rows
            .get(row as usize)
            .map(|r| {
                r.iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(c, v)| (c as u32, v))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn loc(&self, row: u32, col: u32) -> Location {
        Location::cell(&self.file, &self.name, row, col)
    }

    pub fn loc_row(&self, row: u32) -> Location {
        Location::row(&self.file, &self.name, row)
    }

    pub fn loc_sheet(&self) -> Location {
        Location::sheet(&self.file, &self.name)
    }

    /// Builds a sheet from values (tests and in-memory use).
    pub fn from_rows(file: &str, name: &str, rows: Vec<Vec<Val>>) -> Sheet {
        Sheet {
            name: name.to_string(),
            file: file.to_string(),
            rows,
            merged: Vec::new(),
        }
    }
}

/// An open workbook: its bytes' SHA-256 and its sheets, read on demand.
pub struct Workbook {
    /// The file as the user named it.
    pub file: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    pub sheet_names: Vec<String>,
    reader: calamine::Sheets<Cursor<Vec<u8>>>,
}

impl std::fmt::Debug for Workbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbook")
            .field("file", &self.file)
            .field("sheet_names", &self.sheet_names)
            .finish()
    }
}

fn panic_problem(at: Location) -> Problem {
    Problem::error(
        at,
        t!(
            "读取表格时出错：文件内容已损坏或格式不受支持",
            "the spreadsheet reader failed on this file: it is damaged or in an unsupported form"
        ),
    )
}

impl Workbook {
    /// Opens `path` (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`), reading that file and nothing else.
    pub fn open(path: &Path) -> Result<Workbook, Problem> {
        let shown = path.display().to_string();
        let at = Location::file(&shown);
        let meta = std::fs::metadata(path).map_err(|e| {
            let e = e.to_string();
            Problem::error(
                at.clone(),
                t!("无法读取文件：{e}", "cannot read the file: {e}"),
            )
        })?;
        if meta.is_dir() {
            return Err(Problem::error(
                at,
                t!(
                    "这是一个文件夹，不是表格文件",
                    "this is a folder, not a spreadsheet"
                ),
            ));
        }
        if meta.len() > MAX_FILE {
            let mb = MAX_FILE / (1024 * 1024);
            return Err(Problem::error(
                at,
                t!(
                    "文件超过 {mb} MiB，不像是检查表",
                    "the file is larger than {mb} MiB, too large for a checklist"
                ),
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| {
            let e = e.to_string();
            Problem::error(
                at.clone(),
                t!("无法读取文件：{e}", "cannot read the file: {e}"),
            )
        })?;
        Self::from_bytes(&shown, bytes)
    }

    /// Opens a workbook from its bytes; `file` names it in messages.
    pub fn from_bytes(file: &str, bytes: Vec<u8>) -> Result<Workbook, Problem> {
        let at = Location::file(file);
        let sha256 = hex(&Sha256::digest(&bytes));
        if bytes.is_empty() {
            return Err(Problem::error(at, t!("文件为空", "the file is empty")));
        }
        let is_zip = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06");
        let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        if !is_zip && !is_ole {
            let head = &bytes[..bytes.len().min(512)];
            let texty =
                std::str::from_utf8(head).is_ok() || head.iter().all(|b| *b >= 0x09 && *b != 0x7F);
            let msg = if bytes.starts_with(b"%PDF") {
                t!(
                    "这是 PDF 文件，不是表格（应为 .xlsx、.xls 或 .ods）",
                    "this is a PDF, not a spreadsheet (expected .xlsx, .xls or .ods)"
                )
            } else if texty {
                t!(
                    "不是表格文件：内容是纯文本（如为 CSV，请用 Excel 或 WPS 另存为 .xlsx）",
                    "not a spreadsheet: the file is plain text (if it is CSV, save it as .xlsx in Excel or WPS)"
                )
            } else {
                t!(
                    "不是表格文件（应为 .xlsx、.xls 或 .ods；文件头不符）",
                    "not a spreadsheet (expected .xlsx, .xls or .ods; the file does not start like one)"
                )
            };
            return Err(Problem::error(at, msg));
        }
        if is_zip {
            // The zip's limits are checked, and every part inflated once to
            // prove its size, before calamine sees a byte: calamine keeps
            // every shared string in memory, so a bomb must never reach it.
            if let Err(r) = crate::package::safezip::check_bytes(
                &bytes,
                &crate::package::safezip::Limits::OFFICE,
            ) {
                let msg = match r.en.strip_prefix("not a valid zip file: ") {
                    // Not a zip after all (truncated, damaged): worded as before.
                    Some(e) => t!(
                        "是 ZIP 文件，但不是可读取的 .xlsx/.ods 工作簿：{e}",
                        "a ZIP file, but not a readable .xlsx/.ods workbook: {e}"
                    ),
                    None => {
                        let (zh, en) = (r.zh, r.en);
                        t!("拒绝读取该工作簿：{zh}", "the workbook was refused: {en}")
                    }
                };
                return Err(Problem::error(at, msg));
            }
        }
        if is_zip {
            if let Err(e) = ods_content(&bytes).map_or(Ok(()), |c| super::ods_scan::check(&c)) {
                return Err(Problem::error(at, e));
            }
        }
        if is_ole {
            if let Err(e) = super::xls_scan::check(&bytes) {
                return Err(Problem::error(at, e));
            }
        }
        let opened = catch_unwind(AssertUnwindSafe(|| -> Result<_, String> {
            if is_ole {
                return calamine::open_workbook_from_rs::<calamine::Xls<_>, _>(Cursor::new(
                    bytes.clone(),
                ))
                .map(calamine::Sheets::Xls)
                .map_err(|e| e.to_string());
            }
            let xlsx =
                calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(bytes.clone()));
            match xlsx {
                Ok(x) => Ok(calamine::Sheets::Xlsx(x)),
                Err(xe) => {
                    if let Ok(o) = calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(
                        Cursor::new(bytes.clone()),
                    ) {
                        return Ok(calamine::Sheets::Ods(o));
                    }
                    if let Ok(b) = calamine::open_workbook_from_rs::<calamine::Xlsb<_>, _>(
                        Cursor::new(bytes.clone()),
                    ) {
                        return Ok(calamine::Sheets::Xlsb(b));
                    }
                    Err(xe.to_string())
                }
            }
        }));
        let reader = match opened {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                let msg = if is_ole {
                    t!(
                        "无法作为 .xls 工作簿读取（也可能是加密文件）：{e}",
                        "cannot be read as an .xls workbook (it may also be password-protected): {e}"
                    )
                } else {
                    t!(
                        "是 ZIP 文件，但不是可读取的 .xlsx/.ods 工作簿：{e}",
                        "a ZIP file, but not a readable .xlsx/.ods workbook: {e}"
                    )
                };
                return Err(Problem::error(at, msg));
            }
            Err(_) => return Err(panic_problem(at)),
        };
        let sheet_names = reader.sheet_names();
        if sheet_names.is_empty() {
            return Err(Problem::error(
                at,
                t!("工作簿中没有工作表", "the workbook has no sheets"),
            ));
        }
        Ok(Workbook {
            file: file.to_string(),
            sha256,
            sheet_names,
            reader,
        })
    }

    /// The sheet called `name` (exact, else ignoring case and surrounding spaces).
    pub fn find_sheet(&self, name: &str) -> Option<String> {
        let want = name.trim();
        self.sheet_names
            .iter()
            .find(|n| n.as_str() == want)
            .or_else(|| {
                self.sheet_names
                    .iter()
                    .find(|n| n.trim().to_lowercase() == want.to_lowercase())
            })
            .cloned()
    }

    /// "No such sheet", naming the sheets there are.
    pub fn no_sheet(&self, name: &str) -> Problem {
        let have = self.sheet_names.join("、");
        Problem::error(
            Location::file(&self.file),
            t!(
                "没有名为「{name}」的工作表（现有：{have}）",
                "no sheet named `{name}` (sheets: {have})"
            ),
        )
    }

    /// Reads one sheet into a grid, within the sheet limits ([`MAX_CELLS`],
    /// [`MAX_ROWS`], [`MAX_CELL_CHARS`], [`MAX_SHEET_TEXT`], [`MAX_MERGED`]):
    /// `.xlsx` and `.xlsb` sheets are streamed cell by cell and refused at the
    /// first cell past a limit, naming it.
    pub fn sheet(&mut self, name: &str) -> Result<Sheet, Problem> {
        let at = Location::sheet(&self.file, name);
        let file = self.file.clone();
        let reader = &mut self.reader;
        let got = catch_unwind(AssertUnwindSafe(|| {
            let mut grid = Grid::new(&file, name);
            match reader {
                calamine::Sheets::Xlsx(x) => {
                    let mut cells = x.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
                    while let Some(c) = cells.next_cell().map_err(|e| e.to_string())? {
                        let (r, col) = c.get_position();
                        grid.put(r, col, val_ref(c.get_value()))?;
                    }
                }
                calamine::Sheets::Xlsb(x) => {
                    let mut cells = x.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
                    while let Some(c) = cells.next_cell().map_err(|e| e.to_string())? {
                        let (r, col) = c.get_position();
                        grid.put(r, col, val_ref(c.get_value()))?;
                    }
                }
                _ => {
                    let range = reader.worksheet_range(name).map_err(|e| e.to_string())?;
                    let (sr, sc) = range.start().unwrap_or((0, 0));
                    for (r, c, d) in range.used_cells() {
                        grid.put(sr + r as u32, sc + c as u32, val(d))?;
                    }
                }
            }
            let merged: Vec<calamine::Dimensions> = match reader {
                calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
                calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
                _ => Vec::new(),
            };
            Ok::<_, GridError>((grid, merged))
        }));
        let (grid, merged) = match got {
            Ok(Ok(x)) => x,
            Ok(Err(GridError::Reader(e))) => {
                return Err(Problem::error(
                    at,
                    t!("无法读取工作表：{e}", "cannot read the sheet: {e}"),
                ))
            }
            Ok(Err(GridError::Limit(p))) => return Err(*p),
            Err(_) => return Err(panic_problem(at)),
        };
        if merged.len() > MAX_MERGED {
            let n = merged.len();
            return Err(Problem::error(
                at,
                t!(
                    "工作表的合并单元格区域过多（{n} 个，上限 {MAX_MERGED}）",
                    "the sheet has too many merged regions ({n}, at most {MAX_MERGED})"
                ),
            ));
        }
        let (h, w) = (grid.height, grid.width);
        let mut rows = vec![vec![Val::Empty; w as usize]; h as usize];
        for (r, c, v) in grid.cells {
            if let Some(cell) = rows
                .get_mut(r as usize)
                .and_then(|row| row.get_mut(c as usize))
            {
                *cell = v;
            }
        }
        let mut regions = Vec::new();
        // Filling merged regions copies text: bounded like the cells themselves.
        let mut filled_text = grid.text;
        for m in merged {
            let (r0, c0, r1, c1) = (m.start.0, m.start.1, m.end.0, m.end.1);
            if r1 < r0 || c1 < c0 || (r1 - r0 + 1) as u64 * (c1 - c0 + 1) as u64 > MAX_CELLS {
                continue;
            }
            regions.push((r0, c0, r1, c1));
            let first = rows
                .get(r0 as usize)
                .and_then(|r| r.get(c0 as usize))
                .cloned()
                .unwrap_or(Val::Empty);
            if first.is_empty() {
                continue;
            }
            let len = match &first {
                Val::Text(t) => t.len() as u64,
                _ => 0,
            };
            for r in r0..=r1.min(h.saturating_sub(1)) {
                for c in c0..=c1.min(w.saturating_sub(1)) {
                    if let Some(cell) = rows
                        .get_mut(r as usize)
                        .and_then(|row| row.get_mut(c as usize))
                    {
                        if cell.is_empty() {
                            filled_text += len;
                            if filled_text > MAX_SHEET_TEXT {
                                return Err(Problem::error(
                                    Location::cell(&self.file, name, r, c),
                                    t!(
                                        "工作表文字总量超过 {MAX_SHEET_TEXT} 字节（合并单元格展开后）",
                                        "the sheet holds more than {MAX_SHEET_TEXT} bytes of text (with merged cells filled in)"
                                    ),
                                ));
                            }
                            *cell = first.clone();
                        }
                    }
                }
            }
        }
        Ok(Sheet {
            name: name.to_string(),
            file: self.file.clone(),
            rows,
            merged: regions,
        })
    }
}

/// Why a sheet could not be read: the reader failed, or a limit was passed.
enum GridError {
    Reader(String),
    Limit(Box<Problem>),
}

impl From<String> for GridError {
    fn from(e: String) -> Self {
        GridError::Reader(e)
    }
}

/// Cells as they are read, with the running totals the limits need.
struct Grid<'a> {
    file: &'a str,
    sheet: &'a str,
    cells: Vec<(u32, u32, Val)>,
    height: u32,
    width: u32,
    text: u64,
}

impl<'a> Grid<'a> {
    fn new(file: &'a str, sheet: &'a str) -> Grid<'a> {
        Grid {
            file,
            sheet,
            cells: Vec::new(),
            height: 0,
            width: 0,
            text: 0,
        }
    }

    fn limit(&self, r: u32, c: u32, msg: crate::i18n::Text) -> GridError {
        GridError::Limit(Box::new(Problem::error(
            Location::cell(self.file, self.sheet, r, c),
            msg,
        )))
    }

    fn put(&mut self, r: u32, c: u32, v: Val) -> Result<(), GridError> {
        if v == Val::Empty {
            return Ok(());
        }
        if r >= MAX_ROWS {
            return Err(self.limit(
                r,
                c,
                t!(
                    "工作表超过 {MAX_ROWS} 行，不像是检查表",
                    "the sheet has more than {MAX_ROWS} rows, too many for a checklist"
                ),
            ));
        }
        let (h, w) = (self.height.max(r + 1), self.width.max(c.saturating_add(1)));
        if h as u64 * w as u64 > MAX_CELLS {
            return Err(self.limit(
                r,
                c,
                t!(
                    "工作表过大（至少 {h} 行 × {w} 列，上限 {MAX_CELLS} 个单元格），不像是检查表",
                    "the sheet is too large (at least {h} rows × {w} columns, over {MAX_CELLS} cells) for a checklist"
                ),
            ));
        }
        if let Val::Text(t) | Val::Error(t) | Val::Date(t) = &v {
            let chars = t.chars().count();
            if chars > MAX_CELL_CHARS {
                return Err(self.limit(
                    r,
                    c,
                    t!(
                        "单元格内容过长（{chars} 个字符，上限 {MAX_CELL_CHARS}）",
                        "the cell is too long ({chars} characters, at most {MAX_CELL_CHARS})"
                    ),
                ));
            }
            self.text += t.len() as u64;
            if self.text > MAX_SHEET_TEXT {
                return Err(self.limit(
                    r,
                    c,
                    t!(
                        "工作表文字总量超过 {MAX_SHEET_TEXT} 字节",
                        "the sheet holds more than {MAX_SHEET_TEXT} bytes of text"
                    ),
                ));
            }
        }
        self.height = h;
        self.width = w;
        self.cells.push((r, c, v));
        Ok(())
    }
}

fn val_ref(d: &calamine::DataRef<'_>) -> Val {
    use calamine::DataRef;
    match d {
        DataRef::SharedString(s) => Val::Text(s.to_string()),
        DataRef::String(s) => Val::Text(s.clone()),
        DataRef::Empty => Val::Empty,
        DataRef::Int(i) => Val::Int(*i),
        DataRef::Float(f) => Val::Float(*f),
        DataRef::Bool(b) => Val::Bool(*b),
        DataRef::DateTime(dt) => Val::Date(excel_date(dt.as_f64())),
        DataRef::DateTimeIso(s) => Val::Date(s.clone()),
        DataRef::DurationIso(s) => Val::Date(s.clone()),
        DataRef::Error(e) => Val::Error(e.to_string()),
    }
}

/// The `content.xml` of an OpenDocument spreadsheet (already checked by
/// `safezip::check_bytes`, so at most `Limits::OFFICE.max_entry` bytes).
fn ods_content(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mime = {
        let mut m = z.by_name("mimetype").ok()?;
        let mut s = String::new();
        m.by_ref().take(256).read_to_string(&mut s).ok()?;
        s
    };
    if !mime.contains("opendocument.spreadsheet") {
        return None;
    }
    let f = z.by_name("content.xml").ok()?;
    let mut out = Vec::new();
    f.take(crate::package::safezip::Limits::OFFICE.max_entry)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

// ------------------------------------------------------------------ headers

/// A header found in a sheet: one or two rows, and the field of each recognised column.
#[derive(Debug, Clone)]
pub struct Header<F> {
    /// 0-based rows of the header (one or two).
    pub first_row: u32,
    pub last_row: u32,
    /// Recognised columns, left to right: the leftmost column of each field.
    pub columns: Vec<(u32, F)>,
    /// Further columns that name a field already in `columns` (left to
    /// right): never dropped, the importer joins them or refuses the sheet.
    pub extra: Vec<(u32, F)>,
    /// The header text of every non-empty header column.
    pub texts: Vec<(u32, String)>,
}

impl<F: Copy + PartialEq> Header<F> {
    pub fn col(&self, f: F) -> Option<u32> {
        self.columns.iter().find(|(_, g)| *g == f).map(|(c, _)| *c)
    }

    pub fn has(&self, f: F) -> bool {
        self.col(f).is_some()
    }

    /// Every column of field `f`: the first, then the extra ones.
    pub fn cols(&self, f: F) -> Vec<u32> {
        self.col(f)
            .into_iter()
            .chain(self.extra.iter().filter(|(_, g)| *g == f).map(|(c, _)| *c))
            .collect()
    }

    pub fn text_of(&self, col: u32) -> String {
        self.texts
            .iter()
            .find(|(c, _)| *c == col)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    }

    /// `序号(A)、检查项(C)…`, for messages.
    pub fn describe(&self) -> String {
        self.texts
            .iter()
            .map(|(c, t)| format!("{}={}", col_letter(*c), t.replace('\n', " ")))
            .collect::<Vec<_>>()
            .join("，")
    }
}

/// The fields an importer knows, with the header names that mean each.
pub struct Fields<F: 'static> {
    pub defs: &'static [(F, &'static [&'static str])],
    /// Field names accepted by `--column FIELD=…`.
    pub names: &'static [(&'static str, F)],
}

impl<F: Copy + PartialEq> Fields<F> {
    pub fn field_by_name(&self, name: &str) -> Option<F> {
        let n = name.trim().to_ascii_lowercase().replace('-', "_");
        self.names.iter().find(|(k, _)| *k == n).map(|(_, f)| *f)
    }

    pub fn name_of(&self, f: F) -> &'static str {
        self.names
            .iter()
            .find(|(_, g)| *g == f)
            .map(|(k, _)| *k)
            .unwrap_or("?")
    }
}

/// Header names, normalised once, → field (`--column` header texts first,
/// then the first field that lists a name).
struct Matcher<F> {
    names: std::collections::HashMap<String, F>,
}

impl<F: Copy + PartialEq> Matcher<F> {
    fn new(fields: &Fields<F>, extra: &[(F, String)]) -> Matcher<F> {
        let mut names = std::collections::HashMap::new();
        for (f, t) in extra {
            names.entry(norm_header(t)).or_insert(*f);
        }
        for (f, list) in fields.defs {
            for n in *list {
                names.entry(norm_header(n)).or_insert(*f);
            }
        }
        names.remove("");
        Matcher { names }
    }

    /// Which field a header cell names. A cell may hold several lines
    /// (`检查项\nRequirement`); the whole and each line are tried.
    fn recognise(&self, cell: &str) -> Option<F> {
        if cell.len() > 200 {
            return None; // a paragraph, not a column name
        }
        if let Some(f) = self.names.get(&norm_header(cell)) {
            return Some(*f);
        }
        cell.split(['\n', '/', '／'])
            .find_map(|p| self.names.get(&norm_header(p)).copied())
    }
}

/// Resolved `--column` options: by header text or by letter.
struct Overrides<F> {
    by_text: Vec<(F, String)>,
    by_letter: Vec<(F, u32, String)>,
}

fn overrides<F: Copy + PartialEq>(
    fields: &Fields<F>,
    specs: &[ColumnSpec],
    at: &Location,
) -> Result<Overrides<F>, Problem> {
    let mut o = Overrides {
        by_text: Vec::new(),
        by_letter: Vec::new(),
    };
    for s in specs {
        let Some(f) = fields.field_by_name(&s.field) else {
            let known = fields
                .names
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(", ");
            let field = &s.field;
            return Err(Problem::error(
                at.clone(),
                t!(
                    "--column：未知字段 `{field}`（可用：{known}）",
                    "--column: unknown field `{field}` (fields: {known})"
                ),
            ));
        };
        o.by_text.push((f, s.column.clone()));
        if let Some(c) = parse_col_letter(&s.column) {
            o.by_letter.push((f, c, s.column.clone()));
        }
    }
    Ok(o)
}

/// The distinct fields a row names, as header candidates.
fn row_fields<F: Copy + PartialEq>(sheet: &Sheet, row: u32, m: &Matcher<F>) -> Vec<(u32, F)> {
    let mut out: Vec<(u32, F)> = Vec::new();
    for (c, v) in sheet.row_cells(row) {
        if let Val::Text(s) = v {
            if let Some(f) = m.recognise(s) {
                out.push((c, f));
            }
        }
    }
    out
}

fn distinct<F: PartialEq + Copy>(v: &[(u32, F)]) -> usize {
    let mut seen: Vec<F> = Vec::new();
    for (_, f) in v {
        if !seen.contains(f) {
            seen.push(*f);
        }
    }
    seen.len()
}

/// Finds the header of `sheet`: the row (within the first rows) naming the
/// most known fields, joined with the row below or above when that one names
/// fields too (a two-row header). `--column` options override or add columns.
/// Returns `None` when no row names at least two fields and no column is given by letter.
pub fn find_header<F: Copy + PartialEq>(
    sheet: &Sheet,
    fields: &Fields<F>,
    specs: &[ColumnSpec],
) -> Result<Option<Header<F>>, Problem> {
    let o = overrides(fields, specs, &sheet.loc_sheet())?;
    let m = Matcher::new(fields, &o.by_text);
    let scan = sheet.height().min(HEADER_SCAN as u32);
    // A neighbour row `n` is the other half of a two-row header with row `r`
    // when it names a field and most of its own cells (not filled in from a
    // merge with row `r`) are field names: a data row with one cell that
    // happens to read `text` is not.
    let headerish = |n: u32, r: u32| -> bool {
        let named = row_fields(sheet, n, &m);
        if named.is_empty() {
            return false;
        }
        let own: Vec<u32> = sheet
            .row_cells(n)
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| {
                sheet
                    .region(n, *c)
                    .is_none_or(|(r0, _, r1, _)| !(r0 <= r && r <= r1))
            })
            .collect();
        let named_own = named.iter().filter(|(c, _)| own.contains(c)).count();
        named_own * 2 >= own.len() && (named_own > 0 || own.is_empty())
    };
    // The row naming the most fields, counting the second row of a two-row
    // header with it; the first such row wins (a header repeated further down
    // is not the header).
    let mut best: Option<(u32, usize)> = None;
    for r in 0..scan {
        let mut named = row_fields(sheet, r, &m);
        if distinct(&named) == 0 {
            continue;
        }
        if r + 1 < sheet.height() && headerish(r + 1, r) {
            named.extend(row_fields(sheet, r + 1, &m));
        }
        let n = distinct(&named);
        if n >= 2 && best.is_none_or(|(_, b)| n > b) {
            best = Some((r, n));
        }
    }
    let Some((r, _)) = best else {
        if o.by_letter.is_empty() {
            return Ok(None);
        }
        // No header row: the columns are given by letter, data starts at the top.
        let columns = o.by_letter.iter().map(|(f, c, _)| (*c, *f)).collect();
        return Ok(Some(Header {
            first_row: u32::MAX,
            last_row: u32::MAX,
            columns,
            extra: Vec::new(),
            texts: Vec::new(),
        }));
    };
    let below = r + 1 < sheet.height() && headerish(r + 1, r);
    let above = r > 0 && headerish(r - 1, r);
    let (first, last) = if below {
        (r, r + 1)
    } else if above {
        (r - 1, r)
    } else {
        (r, r)
    };
    let width = sheet.width();
    let mut columns: Vec<(u32, F)> = Vec::new();
    let mut texts: Vec<(u32, String)> = Vec::new();
    for c in 0..width {
        // The lower row is the more specific one (检查要求 → 检查项 / 检查内容).
        let mut field = None;
        let mut parts: Vec<String> = Vec::new();
        for row in (first..=last).rev() {
            if let Val::Text(s) = sheet.get(row, c) {
                if field.is_none() {
                    field = m.recognise(s);
                }
            }
        }
        for row in first..=last {
            let t = collapse(&sheet.get(row, c).text().replace('\n', " "));
            if !t.is_empty() && !parts.contains(&t) {
                parts.push(t);
            }
        }
        if !parts.is_empty() {
            texts.push((c, parts.join(" / ")));
        }
        if let Some(f) = field {
            columns.push((c, f));
        }
    }
    // Columns named by header text that `recognise` matched only as a whole.
    for (f, want) in &o.by_text {
        let nw = norm_header(want);
        if let Some((c, _)) = texts
            .iter()
            .find(|(_, t)| norm_header(t) == nw || t.split(" / ").any(|p| norm_header(p) == nw))
        {
            columns.retain(|(cc, g)| cc != c && g != f);
            columns.push((*c, *f));
        }
    }
    // Letters win over everything, unless the text matched a header exactly.
    for (f, c, spec) in &o.by_letter {
        let text_hit = texts.iter().any(|(_, t)| {
            norm_header(t) == norm_header(spec)
                || t.split(" / ").any(|p| norm_header(p) == norm_header(spec))
        });
        if text_hit {
            continue;
        }
        columns.retain(|(cc, g)| cc != c && g != f);
        columns.push((*c, *f));
    }
    // Anything given by header text that matched nothing is an error.
    for (f, want) in &o.by_text {
        let found = columns.iter().any(|(_, g)| g == f);
        if !found {
            let heads = texts
                .iter()
                .map(|(c, t)| format!("{}={}", col_letter(*c), t))
                .collect::<Vec<_>>()
                .join("，");
            let name = fields.name_of(*f);
            return Err(Problem::error(
                sheet.loc_sheet(),
                t!(
                    "--column {name}={want}：找不到这一列（表头：{heads}）",
                    "--column {name}={want}: no such column (headers: {heads})"
                ),
            ));
        }
    }
    // One column per field: the leftmost; the others are kept apart.
    columns.sort_by_key(|(c, _)| *c);
    let mut seen: Vec<F> = Vec::new();
    let mut extra: Vec<(u32, F)> = Vec::new();
    columns.retain(|(c, f)| {
        if seen.contains(f) {
            extra.push((*c, *f));
            false
        } else {
            seen.push(*f);
            true
        }
    });
    Ok(Some(Header {
        first_row: first,
        last_row: last,
        columns,
        extra,
        texts,
    }))
}

impl<F> Header<F> {
    /// The first data row (0-based).
    pub fn data_start(&self) -> u32 {
        if self.first_row == u32::MAX {
            0
        } else {
            self.last_row + 1
        }
    }

    /// Whether the sheet had header rows at all.
    pub fn has_rows(&self) -> bool {
        self.first_row != u32::MAX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(col_letter(0), "A");
        assert_eq!(col_letter(25), "Z");
        assert_eq!(col_letter(26), "AA");
        assert_eq!(col_letter(701), "ZZ");
        assert_eq!(parse_col_letter("c"), Some(2));
        assert_eq!(parse_col_letter("AA"), Some(26));
        assert_eq!(parse_col_letter("Ｃ"), Some(2));
        assert_eq!(parse_col_letter("检查项"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(excel_date(45352.0), "2024-03-01");
        assert_eq!(excel_date(45352.5), "2024-03-01 12:00:00");
        let _ = excel_date(1e300); // out of range: no panic
        let _ = excel_date(f64::NAN);
    }
}
