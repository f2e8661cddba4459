//! The report: PDF (text extractable with pdftotext, font embedded as a
//! subset, watermark on drafts only, English labels, deterministic bytes,
//! signature page last with its reserved box), template errors naming file
//! and line, the XLSX form read back, the JSON export.
//!
//! Uses poppler's `pdftotext`/`pdffonts`/`pdfinfo` when installed (apt
//! package poppler-utils); each check that needs one says so and is skipped
//! without it. Set IOVAUDIT_REPORT_PREVIEW=1 to keep the rendered files in
//! target/tmp/report-preview/.

mod common;

use iovaudit::assess;
use iovaudit::i18n::Lang;
use iovaudit::project::Project;
use iovaudit::report::{self, ReportError, ReportOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const AT: &str = "2026-11-22T10:00:00Z";

fn opts(lang: Lang) -> ReportOptions {
    ReportOptions {
        lang,
        generated_at: Some(AT.to_string()),
        signer_name: Some("李审核".to_string()),
        ..Default::default()
    }
}

/// The demo project (a draft), made once per test binary.
fn demo_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = common::scratch("report-demo").join("demo.iovaudit");
        let lib = iovaudit::pack::builtin().expect("builtin library");
        drop(iovaudit::demo::create(&dir, lib).expect("demo"));
        dir
    })
}

/// The demo project, every inferred verdict confirmed, submitted and approved.
fn approved_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = common::scratch("report-approved").join("demo.iovaudit");
        let lib = iovaudit::pack::builtin().expect("builtin library");
        let mut p = iovaudit::demo::create(&dir, lib).expect("demo");
        let pending: Vec<String> = assess::recorded_verdicts(&p)
            .expect("verdicts")
            .into_iter()
            .filter(|(_, r)| !r.confirmed)
            .map(|(k, _)| k)
            .collect();
        for id in pending {
            assess::confirm(&mut p, "tester", &id).expect("confirm");
        }
        assess::submit(&mut p, "tester").expect("submit");
        assess::approve(&mut p, "boss").expect("approve");
        dir
    })
}

fn model(dir: &Path, o: &ReportOptions) -> report::ReportModel {
    // One open project at a time: the project lock is per open file, so two
    // test threads opening the same project would see it locked.
    static OPEN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    let p = Project::open(dir).expect("open");
    report::build_model(&p, o).expect("model")
}

fn pdf(dir: &Path, o: &ReportOptions) -> report::RenderedPdf {
    let m = model(dir, o);
    report::render_pdf(&m, o).expect("pdf")
}

fn has(tool: &str) -> bool {
    Command::new(tool).arg("-v").output().is_ok()
}

fn keep(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-preview");
    std::fs::create_dir_all(&dir).expect("preview dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

fn pdftotext(path: &Path) -> String {
    pdftotext_mode(path, "-layout")
}

/// `-raw` keeps text in content order, including the rotated watermark.
fn pdftotext_mode(path: &Path, mode: &str) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", mode])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn demo_pdf_text_font_pages_and_signature_box() {
    let o = opts(Lang::Zh);
    let m = model(demo_dir(), &o);
    let r = report::render_pdf(&m, &o).expect("pdf");
    assert!(r.bytes.starts_with(b"%PDF"));
    assert!(r.pages > 5, "pages: {}", r.pages);
    assert_eq!(r.signature_page, r.pages - 1, "the signature page is last");
    let [x1, y1, x2, y2] = r.stamp_rect_pt;
    assert!(x1 >= 0.0 && x2 > x1 && y2 > y1 && x2 <= 595.3 && y2 <= 841.9);
    let path = keep("demo-zh.pdf", &r.bytes);
    if !has("pdftotext") {
        eprintln!("pdftotext missing (apt install poppler-utils): text checks skipped");
        return;
    }
    let text = pdftotext(&path);
    assert!(text.contains(&m.project.assessee), "assessee name");
    assert!(text.contains("符合"));
    assert!(
        text.contains("三（七）") || text.contains("N134-17"),
        "a clause or id"
    );
    let clause = &m.packs[0].sections[0].requirements[0].clause;
    assert!(text.contains(clause.as_str()), "clause {clause}");
    let sha = &m.evidence[0].sha256;
    assert!(text.contains(sha.as_str()), "evidence SHA-256 {sha}");
    assert!(
        text.contains("待与正式文本核对"),
        "to-be-confirmed mark (GB44495)"
    );
    assert!(text.contains("推断结论"), "inferred-verdict mark");
    let raw = pdftotext_mode(&path, "-raw");
    // The rotated watermark comes out of `-raw` as its own line, one glyph or both.
    let wm = raw
        .lines()
        .filter(|l| matches!(l.trim(), "草" | "草稿"))
        .count();
    assert_eq!(wm, r.pages, "the 草稿 watermark on every page");
    assert!(text.contains(&format!("共 {} 页", r.pages)), "page numbers");
    assert!(!text.contains('\u{FFFD}'));

    let info = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.contains(&format!("Pages:           {}", r.pages)),
        "{info}"
    );
    assert!(
        info.contains("595.276 x 841.89") || info.contains("595.28 x 841.89"),
        "A4: {info}"
    );

    let fonts = Command::new("pdffonts")
        .arg(&path)
        .output()
        .expect("pdffonts");
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "{row}");
        assert_eq!(
            &cols[n - 5..n - 2],
            &["yes", "yes", "yes"],
            "emb sub uni: {row}"
        );
        assert!(
            cols[0].contains("WenQuanYi") || cols[0].contains("NotoSerifCJK"),
            "the bundled sans or serif: {row}"
        );
    }
    // Subset: the whole PDF is far smaller than the 5 MB font.
    assert!(r.bytes.len() < 1_000_000, "{} bytes", r.bytes.len());
}

#[test]
fn approved_report_shows_the_snapshot_hash_and_no_watermark() {
    let o = opts(Lang::Zh);
    let m = model(approved_dir(), &o);
    let hash = m
        .project
        .snapshot_hash
        .clone()
        .expect("approved has a snapshot hash");
    assert!(m.project.approved);
    let r = report::render_pdf(&m, &o).expect("pdf");
    let path = keep("approved-zh.pdf", &r.bytes);
    if !has("pdftotext") {
        return;
    }
    let text = pdftotext(&path);
    assert!(text.contains(&hash), "snapshot hash");
    assert!(text.contains("已批准"));
    assert!(
        !text.contains("草稿"),
        "no draft label on an approved report"
    );
    assert!(
        !pdftotext_mode(&path, "-raw").contains("草稿"),
        "no watermark"
    );
}

#[test]
fn english_report_has_english_labels() {
    let o = opts(Lang::En);
    let r = pdf(demo_dir(), &o);
    let path = keep("demo-en.pdf", &r.bytes);
    if !has("pdftotext") {
        return;
    }
    let text = pdftotext(&path);
    for label in [
        "Internet of Vehicles Cybersecurity",
        "Report number",
        "Assessing organisation",
        "Overview of the assessment",
        "Method and criteria",
        "Applicability",
        "Results by requirement",
        "Evidence register",
        "Signature page",
        "Conformant",
    ] {
        assert!(text.contains(label), "missing English label {label}");
    }
    assert!(text.contains(&format!("of {}", r.pages)), "Page x of N");
    let raw = pdftotext_mode(&path, "-raw");
    assert_eq!(
        raw.lines().filter(|l| l.trim() == "DRAFT").count(),
        r.pages,
        "DRAFT watermark"
    );
}

#[test]
fn same_time_gives_identical_bytes() {
    let o = opts(Lang::Zh);
    let m = model(demo_dir(), &o);
    let a = report::render_pdf(&m, &o).expect("pdf a");
    let b = report::render_pdf(&m, &o).expect("pdf b");
    assert!(a.bytes == b.bytes, "two PDF renders differ");
    let m2 = model(demo_dir(), &o);
    let c = report::render_pdf(&m2, &o).expect("pdf c");
    assert!(a.bytes == c.bytes, "a rebuilt model renders differently");
    let x1 = report::render_xlsx(&m).expect("xlsx a");
    let x2 = report::render_xlsx(&m2).expect("xlsx b");
    assert!(x1 == x2, "two XLSX renders differ");
    assert_eq!(report::render_json(&m), report::render_json(&m2));
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for b in data {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A `size`×`size` RGBA PNG of a red ring on a transparent ground (a mock 公章),
/// zlib-compressed with stored blocks so the test needs no image crate.
fn seal_png(size: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    let c = size as f32 / 2.0;
    for y in 0..size {
        raw.push(0u8);
        for x in 0..size {
            let d = ((x as f32 + 0.5 - c).powi(2) + (y as f32 + 0.5 - c).powi(2)).sqrt();
            let on = d < c * 0.95 && d > c * 0.8 || d < c * 0.25;
            raw.extend_from_slice(if on {
                &[200, 20, 20, 255]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    let mut z = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65535).collect();
    for (i, ch) in chunks.iter().enumerate() {
        z.push(u8::from(i + 1 == chunks.len()));
        let n = ch.len() as u16;
        z.extend_from_slice(&n.to_le_bytes());
        z.extend_from_slice(&(!n).to_le_bytes());
        z.extend_from_slice(ch);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for x in &raw {
        a = (a + u32::from(*x)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &z);
    chunk(b"IEND", &[]);
    png
}

#[test]
fn seal_image_is_placed_on_the_signature_page() {
    let png = seal_png(120);
    let dir = common::scratch("report-seal");
    let seal = dir.join("seal.png");
    std::fs::write(&seal, &png).expect("write png");
    let mut o = opts(Lang::Zh);
    o.seal_png = Some(seal);
    let with = pdf(demo_dir(), &o);
    let without = pdf(demo_dir(), &opts(Lang::Zh));
    assert_eq!(with.pages, without.pages);
    assert!(
        with.bytes.len() > without.bytes.len(),
        "the image is embedded"
    );
    keep("demo-seal.pdf", &with.bytes);

    o.seal_png = Some(dir.join("missing.png"));
    let m = model(demo_dir(), &o);
    match report::render_pdf(&m, &o) {
        Err(ReportError::Io { path, .. }) => assert!(path.ends_with("missing.png")),
        other => panic!("expected an Io error, got {:?}", other.map(|r| r.pages)),
    }
    std::fs::write(dir.join("fake.png"), b"not a png").expect("write");
    o.seal_png = Some(dir.join("fake.png"));
    assert!(matches!(
        report::render_pdf(&m, &o),
        Err(ReportError::Image { .. })
    ));
}

fn copy_default_template(to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for (name, text) in report::template::BUILTIN_FILES {
        std::fs::write(to.join(name), text).expect("write template file");
    }
}

#[test]
fn a_broken_template_names_file_and_line() {
    let dir = common::scratch("report-broken-template");
    copy_default_template(&dir);
    let mut o = opts(Lang::Zh);
    o.template = Some(dir.clone());
    let m = model(demo_dir(), &o);

    // An unclosed block in problems.html at line 3.
    let f = dir.join("problems.html");
    let text = std::fs::read_to_string(&f).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(2, "{% if m.findings %}<p>unclosed");
    std::fs::write(&f, lines.join("\n")).expect("write");
    match report::render_pdf(&m, &o) {
        Err(ReportError::Template {
            file,
            line,
            message,
        }) => {
            assert_eq!(file, f, "{message}");
            assert!(line >= 3, "line {line}: {message}");
        }
        other => panic!(
            "expected a template error, got {:?}",
            other.map(|r| r.pages)
        ),
    }
    let e = report::render_html(&m, &o).expect_err("html too");
    assert!(e.to_string().contains("problems.html:"), "{e}");
    assert!(e.zh().contains("problems.html"), "{}", e.zh());

    // An unknown variable is an error with its line, not silently empty.
    std::fs::write(&f, "<p>ok</p>\n<p>{{ m.projct.name }}</p>\n").expect("write");
    match report::render_pdf(&m, &o) {
        Err(ReportError::Template { file, line, .. }) => {
            assert_eq!(file, f);
            assert_eq!(line, 2);
        }
        other => panic!(
            "expected a template error, got {:?}",
            other.map(|r| r.pages)
        ),
    }

    // A typo in template.toml and bad TOML in labels.toml.
    std::fs::write(&f, "<p>ok</p>").expect("write");
    let toml = dir.join("template.toml");
    std::fs::write(&toml, "[page]\nmargin_top_mm = 25\nmargin_lef_mm = 3\n").expect("write");
    match report::render_pdf(&m, &o) {
        Err(ReportError::Template { file, line, .. }) => {
            assert_eq!(file, toml);
            assert_eq!(line, 3);
        }
        other => panic!(
            "expected a template error, got {:?}",
            other.map(|r| r.pages)
        ),
    }
    std::fs::remove_file(&toml).expect("rm");
    let labels = dir.join("labels.toml");
    std::fs::write(&labels, "[report_title]\nzh = \"unterminated\n").expect("write");
    match report::render_pdf(&m, &o) {
        Err(ReportError::Template { file, line, .. }) => {
            assert_eq!(file, labels);
            assert_eq!(line, 2);
        }
        other => panic!(
            "expected a template error, got {:?}",
            other.map(|r| r.pages)
        ),
    }
}

#[test]
fn a_copied_template_changes_wording_and_logo() {
    let dir = common::scratch("report-custom-template");
    // Only the changed files: the rest comes from the built-in template.
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("labels.toml"),
        "[report_title]\nzh = \"某某测评中心车联网安全评估报告\"\nen = \"Custom title\"\n",
    )
    .expect("labels");
    let png = seal_png(16);
    std::fs::write(dir.join("logo.png"), &png).expect("logo");
    let mut o = opts(Lang::Zh);
    o.template = Some(dir.clone());
    let m = model(demo_dir(), &o);
    let html = report::render_html(&m, &o).expect("html");
    assert!(html.contains("某某测评中心车联网安全评估报告"));
    assert!(html.contains("src=\"logo.png\""));
    let r = report::render_pdf(&m, &o).expect("pdf");
    let path = keep("custom.pdf", &r.bytes);
    if has("pdftotext") {
        assert!(pdftotext(&path).contains("某某测评中心车联网安全评估报告"));
    }
}

#[test]
fn html_is_one_document_with_every_part() {
    let o = opts(Lang::Zh);
    let m = model(demo_dir(), &o);
    let html = report::render_html(&m, &o).expect("html");
    keep("demo-zh.html", html.as_bytes());
    assert!(html.starts_with("<html>"));
    for s in [
        "声　明",
        "一、基本信息",
        "二、评估概述",
        "评估方法与判定准则",
        "适用性说明",
        "逐项评估结果",
        "问题清单与整改建议",
        "评估结论",
        "附录A　计分明细",
        "证据清单",
        "签署页",
        "——以下空白——",
    ] {
        assert!(html.contains(s), "{s}");
    }
    assert!(html.contains(&m.evidence[0].sm3));
}

/// Every sheet's cells as text (read back with calamine), by sheet name.
fn xlsx_cells(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::Reader;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("xlsx is a zip");
    assert!(zip.by_name("xl/workbook.xml").is_ok(), "xl/workbook.xml");
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
            .expect("calamine opens it");
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).expect("sheet");
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (n, rows)
        })
        .collect()
}

#[test]
fn xlsx_form_reads_back() {
    let o = opts(Lang::Zh);
    let m = model(demo_dir(), &o);
    let bytes = report::render_xlsx(&m).expect("xlsx");
    keep("demo.xlsx", &bytes);
    let sheets = xlsx_cells(&bytes);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    for p in &m.packs {
        assert!(
            names.contains(&p.id.as_str()),
            "sheet {} in {names:?}",
            p.id
        );
    }
    assert!(names.contains(&"整改项"), "{names:?}");
    let (_, n134) = sheets
        .iter()
        .find(|(n, _)| n == "N134")
        .expect("N134 sheet");
    let header = &n134[report::HEADER_ROW as usize];
    for (i, h) in [
        "序号",
        "检查项",
        "依据条款",
        "结论",
        "说明",
        "证明材料",
        "SHA-256",
    ]
    .iter()
    .enumerate()
    {
        assert!(header[i].starts_with(h), "column {i}: {} vs {h}", header[i]);
    }
    let id_col = header
        .iter()
        .position(|h| h.ends_with("requirement_id"))
        .expect("id column");
    let code_col = header
        .iter()
        .position(|h| h == "verdict_code")
        .expect("verdict code column");
    let row = n134
        .iter()
        .find(|r| r.get(id_col).is_some_and(|c| c == "N134-19"))
        .expect("row of N134-19");
    assert_eq!(row[3], "不符合");
    assert_eq!(row[code_col], "nonconform");
    let row17 = n134
        .iter()
        .find(|r| r.get(id_col).is_some_and(|c| c == "N134-17"))
        .expect("row of N134-17");
    assert_eq!(row17[3], "符合");
    let linked = m
        .evidence
        .iter()
        .find(|e| e.requirements.iter().any(|r| r == "N134-17"))
        .expect("evidence of N134-17");
    assert!(
        row17[6].contains(&linked.sha256),
        "evidence hash in the SHA-256 column"
    );
    let (_, findings) = sheets
        .iter()
        .find(|(n, _)| n == "整改项")
        .expect("findings sheet");
    assert!(findings
        .iter()
        .flatten()
        .any(|c| c.contains("年内组织一次网络与数据安全实战应急演练")));
}

#[test]
fn json_is_assessment_results_shaped() {
    // The full schema check is tests/oscal.rs; here: the report model's
    // verdicts and evidence reach the OSCAL document.
    let o = opts(Lang::Zh);
    let m = model(demo_dir(), &o);
    let j = report::render_json(&m);
    let ar = &j["assessment-results"];
    assert_eq!(ar["metadata"]["oscal-version"], "1.1.2");
    let findings = ar["results"][0]["findings"].as_array().expect("findings");
    assert!(findings
        .iter()
        .any(|x| x["target"]["target-id"] == "N134-17_obj"
            && x["target"]["status"]["state"] == "satisfied"));
    // One resource per evidence file (with its hashes), beside notes.
    let files: Vec<&serde_json::Value> = ar["back-matter"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r.get("rlinks").is_some())
        .collect();
    assert_eq!(files.len(), m.evidence.len());
    assert!(files
        .iter()
        .all(|r| r["rlinks"][0]["hashes"].as_array().is_some_and(|h| h
            .iter()
            .any(
                |h| h["algorithm"] == "SHA-256" && h["value"].as_str().map(str::len) == Some(64)
            ))));
}

#[test]
fn bad_generated_at_is_refused() {
    let mut o = opts(Lang::Zh);
    o.generated_at = Some("yesterday".into());
    let dir = common::scratch("report-bad-time").join("demo.iovaudit");
    let p = iovaudit::demo::create(&dir, iovaudit::pack::builtin().expect("lib")).expect("demo");
    assert!(matches!(
        report::build_model(&p, &o),
        Err(ReportError::Invalid(_))
    ));
}
