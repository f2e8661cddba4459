//! Hostile input, generated here, thrown at every reader of untrusted input:
//! each must end in a clear error naming the file (and the entry, line or
//! cell) within seconds, and the process doing it must stay under
//! [`BUDGET`] of resident memory. The CLI runs as a child process; its peak
//! resident size is read with `getrusage(RUSAGE_CHILDREN)` after it exits
//! (the largest child so far, so every check also covers the ones before).

mod common;
use common::{pdf, stream};
use common::{repo, scratch};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// Peak resident memory any hostile input may cost (bytes).
const BUDGET: u64 = 512 * 1024 * 1024;
/// Wall time any hostile input may cost (debug build, 2 cores).
const TIME: Duration = Duration::from_secs(30);

/// Runs the CLI under GNU time (the memory oracle: it reports the child's
/// peak resident set from `wait4`) and checks it neither crashed nor passed
/// the time and memory budget. Returns the exit code and stdout + stderr.
fn run_bounded(args: &[&str]) -> (i32, String) {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "GNU time (/usr/bin/time, Debian package `time`) is the memory oracle; scripts/setup.sh installs it"
    );
    let start = Instant::now();
    let out: Output = std::process::Command::new(time)
        .args(["-f", "IOVAUDIT_PEAK_KB=%M"])
        .arg(env!("CARGO_BIN_EXE_iovaudit"))
        .args(args)
        .env_remove("IOVAUDIT_CHECKLISTS")
        .output()
        .expect("run iovaudit under /usr/bin/time");
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut peak_kb = None;
    let mut rest = Vec::new();
    for line in stderr.lines() {
        if let Some(kb) = line.strip_prefix("IOVAUDIT_PEAK_KB=") {
            peak_kb = kb.trim().parse::<u64>().ok();
        } else if line.starts_with("Command terminated by signal") {
            panic!("iovaudit {args:?} crashed: {line}\n{stderr}");
        } else if !line.starts_with("Command exited with non-zero status") {
            rest.push(line);
        }
    }
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        rest.join("\n")
    );
    let code = out.status.code().expect("time exits normally");
    assert!(took < TIME, "iovaudit {args:?} took {took:?}");
    let peak = peak_kb.expect("time reports the peak") * 1024;
    assert!(
        peak < BUDGET,
        "iovaudit {args:?}: peak resident memory {} MiB is over the budget",
        peak >> 20
    );
    eprintln!("iovaudit {args:?}: {took:?}, peak {} MiB", peak >> 20);
    (code, all)
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

// ------------------------------------------------------------ condition nesting

const PACK: &str = r#"schema = 1

[pack]
id = "TEST"
version = "1"
doc_number = "测试〔2026〕1号"
title = { zh = "测试检查单", en = "Test pack" }
issuer = { zh = "测试机关", en = "Test issuer" }
doc_type = "notice"
region = "CN"
status = "in_force"
source = "tests"
provenance = "text"
questions = ["has_ota", "region"]

[scoring]
partial = 0.5
not_applicable = "exclude"
encouraged = "exclude"
veto = "fail_pack"
bands = [
  { min = 90, label = { zh = "符合", en = "Conformant" } },
  { min = 0, label = { zh = "不符合", en = "Not conformant" } },
]

[[sections]]
id = "TEST-S1"
clause = "一、"
title = { zh = "第一部分", en = "Part one" }

[[sections.requirements]]
id = "TEST-01"
clause = "一（一）"
title = { zh = "要求一", en = "Requirement one" }
text = { zh = "开展OTA的企业应当做某事。", en = "An enterprise running OTA must do something." }
obligation = "conditional"
applies_to = ["OEM"]
when = "WHEN"
evidence = { zh = ["记录"], en = ["Records"] }
methods = ["examine"]
weight = 3
provenance = "text"
"#;

fn pack_dir(test: &str, when: &str) -> PathBuf {
    let dir = scratch(test);
    std::fs::copy(
        repo().join("checklists/questions.toml"),
        dir.join("questions.toml"),
    )
    .expect("copy questions");
    std::fs::write(dir.join("test.toml"), PACK.replace("WHEN", when)).expect("write pack");
    dir
}

#[test]
fn condition_nested_20000_deep_is_an_error_with_its_position() {
    let line = PACK.lines().position(|l| l.starts_with("when")).unwrap() + 1;
    let deep = format!("{}has_ota{}", "(".repeat(20_000), ")".repeat(20_000));
    let dir = pack_dir("hostile_condition", &deep);
    let (code, out) = run_bounded(&["pack", "validate", &s(&dir), "--lang", "en"]);
    assert_eq!(code, 1, "{out}");
    // The 65th `(` is where the nesting passes the limit: column 8 + 64 + 1.
    let at = format!("test.toml:{line}:{}", 8 + 64 + 1);
    assert!(out.contains(&at), "expected {at} in:\n{out}");
    assert!(out.contains("nests too deeply"), "{out}");
    let (_, zh) = run_bounded(&["pack", "validate", &s(&dir)]);
    assert!(zh.contains("嵌套过深"), "{zh}");
    // `not` nests too, and a deep but legal condition still passes.
    let nots = format!("{}has_ota", "not ".repeat(10_000));
    let dir = pack_dir("hostile_condition_not", &nots);
    let (code, out) = run_bounded(&["pack", "validate", &s(&dir), "--lang", "en"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("nests too deeply"), "{out}");
    let ok = format!("{}has_ota{}", "(".repeat(64), ")".repeat(64));
    let dir = pack_dir("hostile_condition_ok", &ok);
    let (code, out) = run_bounded(&["pack", "validate", &s(&dir), "--lang", "en"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn toml_nested_arrays_are_an_error() {
    // The TOML reader itself recurses on nested arrays and inline tables.
    let deep = format!("x = {}1{}\n", "[".repeat(20_000), "]".repeat(20_000));
    let dir = pack_dir("hostile_toml_arrays", "has_ota");
    let text = std::fs::read_to_string(dir.join("test.toml")).unwrap();
    std::fs::write(dir.join("test.toml"), format!("{deep}{text}")).unwrap();
    let (code, out) = run_bounded(&["pack", "validate", &s(&dir), "--lang", "en"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("test.toml:1:"), "{out}");
    let deep = format!("x = {}1{}\n", "{a=".repeat(20_000), "}".repeat(20_000));
    std::fs::write(dir.join("test.toml"), format!("{deep}{text}")).unwrap();
    let (code, out) = run_bounded(&["pack", "validate", &s(&dir), "--lang", "en"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("test.toml:1:"), "{out}");
}

// ------------------------------------------------------------ workbooks

/// A zip written by hand, so that sizes, CRCs and data can lie.
struct RawZip {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

impl RawZip {
    fn new() -> RawZip {
        RawZip {
            out: Vec::new(),
            central: Vec::new(),
            count: 0,
        }
    }

    /// Adds an entry: `method` 0 (stored) or 8 (deflate), `data` as stored,
    /// `size` the uncompressed size declared in the headers.
    fn add(&mut self, name: &str, method: u16, data: &[u8], size: u32, crc: u32) {
        let offset = self.out.len() as u32;
        let mut h = Vec::new();
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes()); // version needed
        h.extend_from_slice(&0u16.to_le_bytes()); // flags
        h.extend_from_slice(&method.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes()); // time, date
        h.extend_from_slice(&crc.to_le_bytes());
        h.extend_from_slice(&(data.len() as u32).to_le_bytes());
        h.extend_from_slice(&size.to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(&h);
        self.out.extend_from_slice(data);
        let c = &mut self.central;
        c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        c.extend_from_slice(&20u16.to_le_bytes()); // made by
        c.extend_from_slice(&20u16.to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes());
        c.extend_from_slice(&method.to_le_bytes());
        c.extend_from_slice(&0u32.to_le_bytes());
        c.extend_from_slice(&crc.to_le_bytes());
        c.extend_from_slice(&(data.len() as u32).to_le_bytes());
        c.extend_from_slice(&size.to_le_bytes());
        c.extend_from_slice(&(name.len() as u16).to_le_bytes());
        c.extend_from_slice(&[0u8; 8]); // extra, comment, disk, internal attrs
        c.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(name.as_bytes());
        self.count += 1;
    }

    fn stored(&mut self, name: &str, data: &[u8]) {
        let crc = crc32(data);
        self.add(name, 0, data, data.len() as u32, crc);
    }

    fn finish(mut self) -> Vec<u8> {
        let at = self.out.len() as u32;
        let len = self.central.len() as u32;
        self.out.extend_from_slice(&self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&[0u8; 4]);
        self.out.extend_from_slice(&self.count.to_le_bytes());
        self.out.extend_from_slice(&self.count.to_le_bytes());
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out.extend_from_slice(&at.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        self.out
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in data {
        crc ^= *b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

fn sheet_xml(cells: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#
    )
}

/// A minimal workbook: the parts every .xlsx has, then `extra` adds the
/// shared strings (and anything else) its own way.
fn xlsx(sheet: &str, extra: impl FnOnce(&mut RawZip)) -> Vec<u8> {
    let mut z = RawZip::new();
    z.stored("[Content_Types].xml", CONTENT_TYPES.as_bytes());
    z.stored("_rels/.rels", RELS.as_bytes());
    z.stored("xl/workbook.xml", WORKBOOK.as_bytes());
    z.stored("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes());
    z.stored("xl/worksheets/sheet1.xml", sheet.as_bytes());
    extra(&mut z);
    z.finish()
}

/// A raw deflate stream that inflates to `chunk` repeated `times` times:
/// `chunk` is compressed once and fully flushed (byte-aligned, dictionary
/// reset, so each copy stands alone), the copy repeated, then a final empty
/// block ends the stream. Builds a gigabyte bomb in milliseconds.
fn deflate_repeated(chunk: &[u8], times: usize) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut one = Vec::with_capacity(chunk.len() / 100 + 1024);
    c.compress_vec(chunk, &mut one, flate2::FlushCompress::Full)
        .expect("compress");
    assert_eq!(c.total_in() as usize, chunk.len(), "chunk not consumed");
    let mut out = Vec::with_capacity(one.len() * times + 2);
    for _ in 0..times {
        out.extend_from_slice(&one);
    }
    out.extend_from_slice(&[0x03, 0x00]); // final, fixed Huffman, end of block
    out
}

/// Raw deflate of several parts, each repeated: (bytes, times).
fn deflate_parts(parts: &[(&[u8], usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (bytes, times) in parts {
        let mut d = deflate_repeated(bytes, *times);
        d.truncate(d.len() - 2); // drop the final block; added once below
        out.extend_from_slice(&d);
    }
    out.extend_from_slice(&[0x03, 0x00]);
    out
}

const SST_HEAD: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// One MiB of the shared-string table: spaces between entries, which XML
/// allows and deflate squeezes about a thousandfold.
fn sst_chunk() -> Vec<u8> {
    vec![b' '; 1 << 20]
}

/// The self-check workbook from the issue: about 3 MB, whose
/// `xl/sharedStrings.xml` inflates to about 3 GB. `declared` is what the zip
/// headers say the entry inflates to.
fn shared_strings_bomb(declared: Option<u32>) -> Vec<u8> {
    let chunk = sst_chunk();
    let data = deflate_parts(&[(SST_HEAD, 1), (&chunk, 3000), (b"</sst>", 1)]);
    let actual = (SST_HEAD.len() + 3000 * chunk.len() + 6) as u32;
    let sheet = sheet_xml(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    xlsx(&sheet, |z| {
        z.add(
            "xl/sharedStrings.xml",
            8,
            &data,
            declared.unwrap_or(actual),
            0,
        )
    })
}

fn demo_project(test: &str) -> PathBuf {
    let dir = scratch(test).join("demo.iovaudit");
    let (code, out) = run_bounded(&["demo", &s(&dir)]);
    assert_eq!(code, 0, "{out}");
    dir
}

#[test]
fn shared_strings_bomb_is_refused_before_inflating() {
    let dir = scratch("hostile_sst_bomb");
    let bomb = dir.join("self-check.xlsx");
    let bytes = shared_strings_bomb(None);
    // About 3 MB on disk, about 3 GB inflated.
    assert!(bytes.len() < 4 << 20, "the bomb is {} bytes", bytes.len());
    std::fs::write(&bomb, &bytes).unwrap();
    let out_toml = dir.join("out.toml");
    let (code, out) = run_bounded(&[
        "pack",
        "import-xlsx",
        &s(&bomb),
        "--out",
        &s(&out_toml),
        "--lang",
        "en",
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("self-check.xlsx"), "{out}");
    assert!(out.contains("xl/sharedStrings.xml"), "{out}");
    assert!(out.contains("zip bomb"), "{out}");
    assert!(!out_toml.exists());
    let project = demo_project("hostile_sst_bomb_project");
    let (code, out) = run_bounded(&[
        "assess",
        "import-xlsx",
        &s(&project),
        &s(&bomb),
        "--dry-run",
        "--lang",
        "en",
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("self-check.xlsx") && out.contains("xl/sharedStrings.xml"),
        "{out}"
    );
    let (_, zh) = run_bounded(&[
        "assess",
        "import-xlsx",
        &s(&project),
        &s(&bomb),
        "--dry-run",
    ]);
    assert!(
        zh.contains("xl/sharedStrings.xml") && zh.contains("zip 炸弹"),
        "{zh}"
    );
}

#[test]
fn shared_strings_bomb_with_a_lying_header_is_stopped_at_its_declared_size() {
    let dir = scratch("hostile_sst_liar");
    let bomb = dir.join("liar.xlsx");
    std::fs::write(&bomb, shared_strings_bomb(Some(4096))).unwrap();
    let (code, out) = run_bounded(&[
        "pack",
        "import-xlsx",
        &s(&bomb),
        "--out",
        &s(&dir.join("o.toml")),
        "--lang",
        "en",
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("liar.xlsx"), "{out}");
    // Caught by our count or by the zip reader's own: either names the entry.
    assert!(
        out.contains("entry `xl/sharedStrings.xml`") && out.contains("declared"),
        "{out}"
    );
}

#[test]
fn a_part_under_the_size_cap_but_compressed_a_thousandfold_is_refused() {
    let dir = scratch("hostile_sst_ratio");
    let chunk = sst_chunk();
    let data = deflate_parts(&[(SST_HEAD, 1), (&chunk, 40), (b"</sst>", 1)]);
    let size = (SST_HEAD.len() + 40 * chunk.len() + 6) as u32;
    let sheet = sheet_xml(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    let f = dir.join("ratio.xlsx");
    std::fs::write(
        &f,
        xlsx(&sheet, |z| z.add("xl/sharedStrings.xml", 8, &data, size, 0)),
    )
    .unwrap();
    let (code, out) = run_bounded(&[
        "pack",
        "import-xlsx",
        &s(&f),
        "--out",
        &s(&dir.join("o.toml")),
        "--lang",
        "en",
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("ratio.xlsx") && out.contains("compression ratio"),
        "{out}"
    );
}

/// Imports `bytes` as a pack workbook; returns the output.
fn import_workbook(test: &str, name: &str, bytes: &[u8]) -> String {
    let dir = scratch(test);
    let f = dir.join(name);
    std::fs::write(&f, bytes).unwrap();
    let (code, out) = run_bounded(&[
        "pack",
        "import-xlsx",
        &s(&f),
        "--out",
        &s(&dir.join("o.toml")),
        "--lang",
        "en",
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains(name), "{out}");
    out
}

fn no_strings(_: &mut RawZip) {}

#[test]
fn a_stray_cell_far_away_is_refused_at_that_cell() {
    // A1 and XFD1048576: calamine's dense range would be 17 billion cells.
    let sheet = sheet_xml(
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
    );
    let out = import_workbook("hostile_far_row", "far.xlsx", &xlsx(&sheet, no_strings));
    assert!(out.contains("far.xlsx:Sheet1!XFD1048576"), "{out}");
    assert!(out.contains("more than 100000 rows"), "{out}");
    let sheet = sheet_xml(
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="200"><c r="XFD200"><v>1</v></c></row>"#,
    );
    let out = import_workbook("hostile_far_col", "wide.xlsx", &xlsx(&sheet, no_strings));
    assert!(out.contains("wide.xlsx:Sheet1!XFD200"), "{out}");
    assert!(out.contains("too large"), "{out}");
}

#[test]
fn a_huge_cell_is_refused_at_that_cell() {
    let text = "长".repeat(40_000);
    let sheet = sheet_xml(&format!(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>检查项</t></is></c><c r="B1" t="inlineStr"><is><t>{text}</t></is></c></row>"#
    ));
    let out = import_workbook("hostile_huge_cell", "huge.xlsx", &xlsx(&sheet, no_strings));
    assert!(out.contains("huge.xlsx:Sheet1!B1"), "{out}");
    assert!(out.contains("too long (40000 characters"), "{out}");
}

#[test]
fn one_shared_string_used_by_many_cells_is_bounded() {
    // 30,000 characters referenced by 5,000 cells: 150 MB of text from 30 KB.
    let sst = format!(
        r#"{}<si><t>{}</t></si></sst>"#,
        String::from_utf8_lossy(SST_HEAD),
        "A".repeat(30_000)
    );
    let mut rows = String::new();
    for r in 1..=5000 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#
        ));
    }
    let sheet = sheet_xml(&rows);
    let out = import_workbook(
        "hostile_sst_amplified",
        "amplified.xlsx",
        &xlsx(&sheet, |z| z.stored("xl/sharedStrings.xml", sst.as_bytes())),
    );
    assert!(out.contains("amplified.xlsx:Sheet1!A"), "{out}");
    assert!(out.contains("bytes of text"), "{out}");
}

#[test]
fn too_many_rows_are_refused_at_the_first_row_past_the_limit() {
    let mut rows = String::with_capacity(5 << 20);
    for r in 1..=100_001 {
        rows.push_str(&format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#));
    }
    let out = import_workbook(
        "hostile_rows",
        "rows.xlsx",
        &xlsx(&sheet_xml(&rows), no_strings),
    );
    assert!(out.contains("rows.xlsx:Sheet1!A100001"), "{out}");
}

#[test]
fn truncated_and_garbled_workbooks_are_errors() {
    let sheet = sheet_xml(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>"#);
    let good = xlsx(&sheet, no_strings);
    for cut in [good.len() / 2, good.len() - 10, 30] {
        import_workbook("hostile_truncated", "cut.xlsx", &good[..cut]);
    }
    // Entry names that escape, duplicate names.
    let mut z = RawZip::new();
    z.stored("../evil.xml", b"x");
    let out = import_workbook("hostile_names", "names.xlsx", &z.finish());
    assert!(out.contains("../evil.xml"), "{out}");
    // Found by the fuzzer: an .xls whose sector chain loops made calamine's
    // compound-file reader grow a buffer until the allocation of 4 GiB failed.
    let bomb =
        std::fs::read(repo().join("tests/fuzz-corpus/xlsx/crash-xls-cfb-chain-loop-650c6015.bin"))
            .unwrap();
    let out = import_workbook("hostile_xls_loop", "loop.xls", &bomb);
    assert!(out.contains("compound-file structure is damaged"), "{out}");
}

// ------------------------------------------------------------ filing packages

#[test]
fn a_package_whose_files_would_fill_memory_is_refused_before_inflating() {
    // Two files outside evidence/ declaring 200 MiB each (ratio 190:1 and an
    // archive ratio under 50:1, so no bomb rule fires): kept in memory by a
    // verifier, they would pass the budget. Their data is never inflated.
    let dir = scratch("hostile_package_kept");
    let mut z = RawZip::new();
    let garbage: Vec<u8> = (0..1_100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    z.add("report.pdf", 8, &garbage, 200 << 20, 0);
    z.add("data.json", 8, &garbage, 200 << 20, 0);
    let pad: Vec<u8> = (0..6_500_000u32)
        .map(|i| (i.wrapping_mul(2_246_822_519) >> 11) as u8)
        .collect();
    z.stored("evidence/pad.bin", &pad);
    let f = dir.join("big.zip");
    std::fs::write(&f, z.finish()).unwrap();
    let (code, out) = run_bounded(&["verify", &s(&f), "--lang", "en"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("the files outside evidence/ exceed"), "{out}");
    assert!(out.contains("data.json"), "{out}");
}

// ------------------------------------------------------------ .ods

fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut z = RawZip::new();
    z.stored(
        "mimetype",
        b"application/vnd.oasis.opendocument.spreadsheet",
    );
    z.stored("META-INF/manifest.xml", manifest.as_bytes());
    z.stored("content.xml", content.as_bytes());
    z.finish()
}

#[test]
fn ods_repeated_rows_and_columns_are_counted_before_calamine_expands_them() {
    let cell = r#"<table:table-cell office:value-type="string" table:number-columns-repeated="REP"><text:p>检查项</text:p></table:table-cell>"#;
    // One row of 100 cells, repeated a million times: 100 million cells.
    let rows = format!(
        r#"<table:table-row table:number-rows-repeated="1000000">{}</table:table-row>"#,
        cell.replace("REP", "100")
    );
    let out = import_workbook("hostile_ods_rows", "rows.ods", &ods(&rows));
    assert!(
        out.contains("sheet `Sheet1` is too large once its repeated rows and columns are expanded"),
        "{out}"
    );
    // A thousand rows of one cell repeated across 16,384 columns.
    let row = format!(
        r#"<table:table-row>{}</table:table-row>"#,
        cell.replace("REP", "16384")
    );
    let out = import_workbook("hostile_ods_cols", "cols.ods", &ods(&row.repeat(1000)));
    assert!(out.contains("too large once its repeated rows"), "{out}");
    // LibreOffice's trailing empty rows and columns are not counted.
    let fine = format!(
        r#"<table:table-row>{}<table:table-cell table:number-columns-repeated="16383"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#,
        cell.replace("REP", "1")
    );
    let out = import_workbook("hostile_ods_fine", "fine.ods", &ods(&fine));
    assert!(!out.contains("too large"), "{out}");
    assert!(out.contains("fine.ods"), "{out}");
}

// ------------------------------------------------------------ .xls

/// A BIFF8 record.
fn rec(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend_from_slice(&typ.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

/// An .xls workbook (OLE compound file, BIFF8) with one sheet holding
/// NUMBER cells at `cells` (row, col).
fn xls(cells: &[(u16, u16)]) -> Vec<u8> {
    let bof = |dt: u16| {
        let mut d = Vec::new();
        d.extend_from_slice(&0x0600u16.to_le_bytes());
        d.extend_from_slice(&dt.to_le_bytes());
        d.extend_from_slice(&[0u8; 12]);
        d
    };
    // Globals: BOF, BOUNDSHEET (offset patched below), EOF.
    let mut globals = Vec::new();
    rec(&mut globals, 0x0809, &bof(0x0005));
    rec(&mut globals, 0x0042, &1200u16.to_le_bytes()); // CODEPAGE
    let bs_at = globals.len() + 4;
    let mut bs = vec![0u8; 6];
    bs.extend_from_slice(&[6, 0]);
    bs.extend_from_slice(b"Sheet1");
    rec(&mut globals, 0x0085, &bs);
    rec(&mut globals, 0x000A, &[]);
    let sheet_at = globals.len() as u32;
    globals[bs_at..bs_at + 4].copy_from_slice(&sheet_at.to_le_bytes());
    let mut sheet = Vec::new();
    rec(&mut sheet, 0x0809, &bof(0x0010));
    for (r, c) in cells {
        let mut d = Vec::new();
        d.extend_from_slice(&r.to_le_bytes());
        d.extend_from_slice(&c.to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        d.extend_from_slice(&1.0f64.to_le_bytes());
        rec(&mut sheet, 0x0203, &d);
    }
    rec(&mut sheet, 0x000A, &[]);
    globals.extend_from_slice(&sheet);
    let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    {
        let mut s = cf.create_stream("/Workbook").unwrap();
        s.write_all(&globals).unwrap();
    }
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

#[test]
fn an_xls_sheet_with_a_stray_cell_is_refused_before_calamine_builds_it() {
    // One cell at IV65536: calamine would build 16.7 million cells (about 1 GB).
    let out = import_workbook("hostile_xls_far", "far.xls", &xls(&[(0, 0), (65535, 255)]));
    assert!(out.contains("far.xls"), "{out}");
    assert!(out.contains("sheet `Sheet1` is too large"), "{out}");
}

// ------------------------------------------------------------ PDF preview

fn page_pdf(content: Vec<u8>, extra: Vec<Vec<u8>>) -> Vec<u8> {
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
        content,
    ];
    objs.extend(extra);
    pdf(&objs)
}

fn own_peak() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kb * 1024
}

fn preview_bounded(what: &str, bytes: Vec<u8>) -> Result<(usize, String), String> {
    let start = Instant::now();
    let r = iovaudit::evidence::pdf_preview(bytes).map_err(|t| t.en);
    let took = start.elapsed();
    assert!(took < TIME, "{what}: {took:?}");
    let peak = own_peak();
    assert!(peak < BUDGET, "{what}: peak {} MiB", peak >> 20);
    eprintln!(
        "preview {what}: {took:?}, peak {} MiB: {:?}",
        peak >> 20,
        r.as_ref().map(|x| x.0)
    );
    r
}

#[test]
fn pdf_preview_is_bounded() {
    // A normal page first: the oracle that the generator makes PDFs the parser reads.
    let ok = page_pdf(stream("", b"BT /F1 12 Tf 72 700 Td (hello) Tj ET"), vec![]);
    let (pages, _) = preview_bounded("plain", ok.clone()).expect("plain PDF");
    assert_eq!(pages, 1);
    // qpdf agrees the generated file is a PDF.
    let dir = scratch("hostile_pdf");
    std::fs::write(dir.join("ok.pdf"), &ok).unwrap();
    let q = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(dir.join("ok.pdf"))
        .output()
        .expect("qpdf (installed by scripts/setup.sh)");
    assert!(q.status.success(), "{}", String::from_utf8_lossy(&q.stdout));

    // Page content that inflates to 1 GiB.
    let chunk = b"0 0 m 1 1 l S ".repeat((1 << 20) / 14);
    let bomb = deflate_repeated(&chunk, 1024);
    let mut z = vec![0x78, 0x9c]; // zlib header; the checksum is never reached
    z.extend_from_slice(&bomb);
    let r = preview_bounded(
        "content bomb",
        page_pdf(stream("/Filter /FlateDecode", &z), vec![]),
    );
    if let Ok((pages, text)) = r {
        assert_eq!(pages, 1);
        assert!(text.len() < 1 << 20);
    }

    // An object stream that inflates to 1 GiB.
    let objstm = stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", &z);
    let _ = preview_bounded(
        "object stream bomb",
        page_pdf(stream("", b""), vec![objstm]),
    );

    // Arrays nested 100,000 deep.
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
    let _ = preview_bounded("deep nesting", page_pdf(stream("", b""), vec![deep]));
    let deep = "<< /A ".repeat(100_000).into_bytes();
    let _ = preview_bounded("deep dictionaries", page_pdf(stream("", b""), vec![deep]));

    // 300,000 objects.
    let many: Vec<Vec<u8>> = (0..300_000).map(|_| b"1".to_vec()).collect();
    let r = preview_bounded("many objects", page_pdf(stream("", b""), many));
    assert!(
        r.as_ref().is_err_and(|e| e.contains("too many objects")),
        "{r:?}"
    );

    // Truncated.
    let _ = preview_bounded("truncated", ok[..ok.len() / 2].to_vec());
    let _ = preview_bounded("empty", Vec::new());
}

/// A checklist file larger than any real one is refused before it is read.
#[test]
fn an_oversized_checklist_file_is_refused_unread() {
    let dir = common::scratch("hostile_big_pack");
    let big = dir.join("big.toml");
    let f = std::fs::File::create(&big).expect("create");
    // Sparse: 17 MiB of nothing, made instantly.
    f.set_len(17 * 1024 * 1024).expect("set_len");
    for (lang, want) in [("en", "too large"), ("zh", "超过检查单文件上限")] {
        let r = common::run(&[
            "--lang",
            lang,
            "pack",
            "validate",
            big.to_str().expect("utf-8"),
        ]);
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(want) && r.stderr.contains("big.toml"),
            "{}",
            r.stderr
        );
    }
}
