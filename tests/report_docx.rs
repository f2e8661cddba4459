//! The editable Word report (issue 13): the demo project, completed and
//! approved (and a draft), exported as DOCX in zh and en, then opened by a
//! real, independent reader — LibreOffice Writer (`soffice --headless
//! --convert-to pdf`; installed by `scripts/setup.sh` as
//! `libreoffice-writer-nogui`) — and the result read back with poppler's
//! `pdftotext` / `pdfinfo`. Missing tools fail the tests.
//! - every mandatory part's heading is there, in the PDF report's order;
//! - the same requirement ids and scores as the PDF report;
//! - headings are real Word headings (Heading1 on chapter titles), the
//!   contents are a TOC field, header rows repeat, the footer has a PAGE field;
//! - the page count is within a sane ratio of the PDF's;
//! - two exports are byte-identical; a draft carries the watermark, an
//!   approved report does not; the cover says the DOCX is not the signed copy.

mod common;

use iovaudit::assess::{self, Verdict, VerdictInput};
use iovaudit::i18n::Lang;
use iovaudit::project::Project;
use iovaudit::report::{self, ReportModel, ReportOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

const AT: &str = "2026-12-05T17:30:00Z";

static OPEN: Mutex<()> = Mutex::new(());

fn opts(lang: Lang) -> ReportOptions {
    ReportOptions {
        lang,
        generated_at: Some(AT.to_string()),
        time_zone: Some("Asia/Shanghai".to_string()),
        ..Default::default()
    }
}

/// As `tests/report_regulator.rs`: judge everything open, confirm every inference, approve.
fn complete(p: &mut Project) {
    for _round in 0..10 {
        let pending: Vec<String> = assess::recorded_verdicts(p)
            .expect("verdicts")
            .into_iter()
            .filter(|(_, r)| !r.confirmed)
            .map(|(k, _)| k)
            .collect();
        for id in &pending {
            assess::confirm(p, "测评师甲", id).expect("confirm");
        }
        let open: Vec<String> = assess::statuses(p)
            .expect("statuses")
            .into_iter()
            .filter(|s| s.verdict == Verdict::Unassessed && s.recorded.is_none())
            .map(|s| s.requirement)
            .collect();
        if open.is_empty() && pending.is_empty() {
            break;
        }
        for (i, id) in open.iter().enumerate() {
            let input = if i % 9 == 4 {
                VerdictInput::new(Verdict::Partial, "制度已建立，执行记录不完整。")
                    .observation("查阅相关制度和近三个月的执行记录，部分记录缺失。")
                    .evidence_reason("现场查阅，未留存副本。")
            } else {
                VerdictInput::new(Verdict::Conform, "")
                    .observation("查阅制度文件并访谈相关人员，措施已落实。")
                    .evidence_reason("现场查阅，未留存副本。")
            };
            assess::set_verdict(p, "测评师甲", id, &input).expect("set verdict");
        }
    }
    assess::submit(p, "测评师甲").expect("submit");
    assess::approve(p, "审核人乙").expect("approve");
}

fn completed_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let _g = OPEN.lock().unwrap_or_else(|e| e.into_inner());
        let dir = common::scratch("docx-complete").join("demo.iovaudit");
        let lib = iovaudit::pack::builtin().expect("builtin library");
        let mut p = iovaudit::demo::create(&dir, lib).expect("demo");
        complete(&mut p);
        dir
    })
}

fn draft_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let _g = OPEN.lock().unwrap_or_else(|e| e.into_inner());
        let dir = common::scratch("docx-draft").join("demo.iovaudit");
        let lib = iovaudit::pack::builtin().expect("builtin library");
        drop(iovaudit::demo::create(&dir, lib).expect("demo"));
        dir
    })
}

fn model(dir: &Path, o: &ReportOptions) -> ReportModel {
    let _g = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    let p = Project::open(dir).expect("open");
    report::build_model(&p, o).expect("model")
}

fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docx");
    std::fs::create_dir_all(&d).expect("dir");
    d
}

/// One part of the DOCX zip, as text.
fn part(docx: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
    let mut f = z
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the DOCX"));
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8");
    s
}

/// LibreOffice Writer converts `docx` to PDF (its own profile folder, so tests
/// can run side by side); returns the PDF path.
fn soffice_pdf(docx: &Path) -> PathBuf {
    let stem = docx.file_stem().and_then(|s| s.to_str()).expect("stem");
    let outdir = docx.with_file_name(format!("{stem}-lo"));
    let _ = std::fs::remove_dir_all(&outdir);
    std::fs::create_dir_all(&outdir).expect("dir");
    let profile = outdir.join("profile");
    // The machine has no CJK system font: LibreOffice is given the bundled
    // fonts through its own fontconfig file (nothing installed system-wide),
    // as a user's Office would find 宋体/黑体 or the fonts named beside them.
    let fc = outdir.join("fonts.conf");
    std::fs::write(
        &fc,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\
             <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include><dir>{}</dir>\
             <cachedir>{}</cachedir></fontconfig>\n",
            common::repo().join("report-templates/fonts").display(),
            outdir.join("fc-cache").display()
        ),
    )
    .expect("fonts.conf");
    let out = Command::new("soffice")
        .env("FONTCONFIG_FILE", &fc)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&outdir)
        .arg(docx)
        .output()
        .expect(
            "soffice (libreoffice-writer-nogui) must be installed: scripts/setup.sh installs it",
        );
    let pdf = outdir.join(format!("{stem}.pdf"));
    assert!(
        out.status.success() && pdf.is_file(),
        "soffice failed on {}: {}{}",
        docx.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    pdf
}

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed: scripts/setup.sh installs it");
    assert!(out.status.success(), "pdftotext {}", path.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pages(path: &Path) -> usize {
    let out = Command::new("pdfinfo")
        .arg(path)
        .output()
        .expect("pdfinfo (poppler-utils) must be installed");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("page count")
}

/// The top-level outline titles of a PDF, read with qpdf.
fn outline(pdf: &Path) -> Vec<String> {
    let out = Command::new("qpdf")
        .args(["--json", "--json-key=outlines"])
        .arg(pdf)
        .output()
        .expect("qpdf must be installed: scripts/setup.sh installs it");
    assert!(out.status.success(), "qpdf --json {}", pdf.display());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("qpdf JSON");
    v["outlines"]
        .as_array()
        .expect("an outline")
        .iter()
        .filter_map(|o| o["title"].as_str().map(str::to_string))
        .collect()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The text of every paragraph of `style` in document.xml, in order.
fn styled(xml: &str, style: &str) -> Vec<String> {
    let needle = format!("<w:pStyle w:val=\"{style}\"/>");
    xml.split("<w:p>")
        .filter(|p| p.contains(&needle))
        .map(|p| {
            let p = p.split("</w:p>").next().unwrap_or("");
            let mut text = String::new();
            for seg in p.split("<w:t xml:space=\"preserve\">").skip(1) {
                text.push_str(seg.split("</w:t>").next().unwrap_or(""));
            }
            text.replace("&amp;", "&")
        })
        .collect()
}

struct Rendered {
    model: ReportModel,
    docx: Vec<u8>,
    docx_path: PathBuf,
    /// LibreOffice's PDF of the DOCX and its text.
    lo_pdf: PathBuf,
    lo_text: String,
    /// The PDF report of the same state, its text and path.
    pdf_text: String,
    pdf_path: PathBuf,
}

fn render(dir: &Path, lang: Lang, name: &str) -> Rendered {
    let o = opts(lang);
    let m = model(dir, &o);
    let docx = report::render_docx(&m, &o).expect("docx");
    let docx_path = out_dir().join(format!("{name}.docx"));
    std::fs::write(&docx_path, &docx).expect("write");
    let pdf = report::render_pdf(&m, &o).expect("pdf");
    let pdf_path = out_dir().join(format!("{name}-report.pdf"));
    std::fs::write(&pdf_path, &pdf.bytes).expect("write");
    let lo_pdf = soffice_pdf(&docx_path);
    Rendered {
        model: m,
        lo_text: pdftotext(&lo_pdf),
        lo_pdf,
        docx,
        docx_path,
        pdf_text: pdftotext(&pdf_path),
        pdf_path,
    }
}

fn zh_complete() -> &'static Rendered {
    static R: OnceLock<Rendered> = OnceLock::new();
    R.get_or_init(|| render(completed_dir(), Lang::Zh, "complete-zh"))
}

fn en_complete() -> &'static Rendered {
    static R: OnceLock<Rendered> = OnceLock::new();
    R.get_or_init(|| render(completed_dir(), Lang::En, "complete-en"))
}

fn zh_draft() -> &'static Rendered {
    static R: OnceLock<Rendered> = OnceLock::new();
    R.get_or_init(|| render(draft_dir(), Lang::Zh, "draft-zh"))
}

/// Every Heading1 is a chapter of the PDF report, in the same order; the
/// mandatory parts are all there; LibreOffice prints them.
fn check_parts(r: &Rendered, mandatory: &[&str], statement: &str, contents: &str) {
    let doc = part(&r.docx, "word/document.xml");
    let h1 = styled(&doc, "Heading1");
    assert!(h1.len() >= mandatory.len(), "{h1:?}");
    let pdf = squash(&r.pdf_text);
    let lo = squash(&r.lo_text);
    let mut at_pdf = 0;
    let mut at_lo = 0;
    for h in &h1 {
        let h = squash(h);
        let i = pdf[at_pdf..]
            .find(&h)
            .unwrap_or_else(|| panic!("Heading1 `{h}` is not in the PDF report after the last"));
        at_pdf += i;
        let j = lo[at_lo..]
            .find(&h)
            .unwrap_or_else(|| panic!("Heading1 `{h}` is not in LibreOffice's rendering"));
        at_lo += j;
    }
    // LibreOffice took them for real headings: its PDF's outline (bookmarks,
    // read back with qpdf) lists exactly the Heading1 paragraphs, in order.
    let squashed = |v: &[String]| v.iter().map(|s| squash(s)).collect::<Vec<_>>();
    assert_eq!(
        squashed(&outline(&r.lo_pdf)),
        squashed(&h1),
        "LibreOffice's outline"
    );
    for m in mandatory {
        assert!(
            h1.iter().any(|h| h.contains(m)),
            "mandatory part {m} is a Heading1: {h1:?}"
        );
    }
    let titles = styled(&doc, "PartTitle");
    assert!(titles.iter().any(|t| t == statement), "{titles:?}");
    assert_eq!(styled(&doc, "TOCHeading"), [contents.to_string()]);
    assert!(lo.contains(&squash(statement)) && lo.contains(&squash(contents)));
    // The last Heading1 is the signature page; the end mark follows it.
    assert!(h1
        .last()
        .is_some_and(|h| mandatory.last().is_some_and(|m| h.contains(m))));
}

/// The same requirement ids and the same scores as the PDF report.
fn check_ids_and_scores(r: &Rendered) {
    let lo = squash(&r.lo_text);
    let pdf = squash(&r.pdf_text);
    let mut n = 0;
    for p in &r.model.packs {
        for s in &p.sections {
            for q in &s.requirements {
                assert!(pdf.contains(&q.id), "{} in the PDF", q.id);
                assert!(lo.contains(&q.id), "{} in the DOCX", q.id);
                n += 1;
            }
        }
        if let Some(sc) = p.score {
            let s = format!("{sc:.1}");
            assert!(pdf.contains(&s) && lo.contains(&s), "score {s} of {}", p.id);
        }
    }
    assert!(n > 50, "the demo has requirements ({n})");
    if let Some(sc) = r.model.summary.overall_score {
        let s = format!(
            "100×{}÷{}={sc:.1}",
            fmt_num(r.model.summary.earned),
            fmt_num(r.model.summary.weight_judged)
        );
        assert!(pdf.contains(&s), "pooled score {s} in the PDF");
        assert!(lo.contains(&s), "pooled score {s} in the DOCX");
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn check_page_ratio(r: &Rendered) {
    let (a, b) = (pages(&r.lo_pdf), pages(&r.pdf_path));
    let ratio = a as f64 / b as f64;
    eprintln!(
        "{}: LibreOffice {a} pages, PDF report {b} pages (ratio {ratio:.2})",
        r.docx_path.display()
    );
    assert!((0.5..=2.0).contains(&ratio), "{a} vs {b} pages");
}

#[test]
fn zh_docx_has_the_pdf_parts_ids_and_scores() {
    let r = zh_complete();
    assert!(r.model.summary.complete);
    check_parts(
        r,
        &[
            "基本信息",
            "评估概述",
            "评估方法与判定准则",
            "适用性说明",
            "逐项评估结果",
            "问题清单与整改建议",
            "评估结论",
            "计分明细",
            "证据清单",
            "签署页",
        ],
        "声　明",
        "目　录",
    );
    check_ids_and_scores(r);
    check_page_ratio(r);
    let lo = squash(&r.lo_text);
    // Chinese text, the cover note, the end mark, an approved report's hash.
    assert!(lo.contains("车联网网络安全和数据安全评估报告"));
    assert!(
        lo.contains("不是签署交付件"),
        "cover says it is not the signed copy"
    );
    assert!(lo.contains("——以下空白——"));
    let hash = r.model.project.snapshot_hash.as_deref().expect("approved");
    assert!(lo.contains(hash));
    assert!(lo.contains(&format!(
        "评估结论：{}",
        r.model.summary.conclusion.as_ref().expect("conclusion").zh
    )));
}

#[test]
fn en_docx_has_the_pdf_parts_ids_and_scores() {
    let r = en_complete();
    check_parts(
        r,
        &[
            "Basic information",
            "Overview of the assessment",
            "Method and criteria",
            "Applicability",
            "Results by requirement",
            "Problems and recommendations",
            "Conclusion",
            "Scoring worksheet",
            "Evidence register",
            "Signature page",
        ],
        "Statement",
        "Contents",
    );
    check_ids_and_scores(r);
    check_page_ratio(r);
    assert!(squash(&r.lo_text).contains("notthesigneddeliverable"));
    assert!(squash(&r.lo_text).contains("Endofreport"));
}

#[test]
fn word_structure_is_real() {
    let r = zh_complete();
    let doc = part(&r.docx, "word/document.xml");
    // A TOC field Word and LibreOffice update, and they are told to.
    assert!(doc.contains(
        "<w:instrText xml:space=\"preserve\"> TOC \\o \"1-2\" \\h \\z \\u </w:instrText>"
    ));
    assert!(doc.contains("w:fldCharType=\"begin\" w:dirty=\"true\""));
    assert!(part(&r.docx, "word/settings.xml").contains("<w:updateFields w:val=\"true\"/>"));
    // Header rows repeat on every page.
    let repeats = doc.matches("<w:tblHeader/>").count();
    assert!(repeats > 10, "{repeats} repeating header rows");
    // A4 with the template's margins (20 mm = 1134 twips).
    assert!(doc.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(doc.contains("w:left=\"1134\""));
    // Page numbers in the footer.
    let footer = part(&r.docx, "word/footer1.xml");
    assert!(
        footer.contains("> PAGE </w:instrText>") && footer.contains("> NUMPAGES </w:instrText>")
    );
    // East Asian fonts declared, with the bundled fonts as alternatives.
    let styles = part(&r.docx, "word/styles.xml");
    assert!(styles.contains("w:eastAsia=\"宋体\"") && styles.contains("w:eastAsia=\"黑体\""));
    assert!(
        styles.contains("<w:name w:val=\"heading 1\"/>")
            && styles.contains("<w:outlineLvl w:val=\"0\"/>")
    );
    let fonts = part(&r.docx, "word/fontTable.xml");
    assert!(fonts.contains("<w:font w:name=\"宋体\"><w:altName w:val=\"Noto Serif CJK SC\"/>"));
    assert!(fonts.contains("<w:font w:name=\"黑体\"><w:altName w:val=\"WenQuanYi Micro Hei\"/>"));
    // Core properties dated from the model, not the clock.
    let core = part(&r.docx, "docProps/core.xml");
    assert!(core.contains(&format!(">{}</dcterms:created>", r.model.generated_at)));
    // Approved: no watermark.
    assert!(!part(&r.docx, "word/header1.xml").contains("PowerPlusWaterMarkObject"));
    // Every part parses as XML for LibreOffice (it opened it) — and the zip
    // entries come in a fixed order with fixed times.
    // Every part is well-formed XML for another parser too (Python's).
    let check = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile, xml.dom.minidom as m\n\
z = zipfile.ZipFile(sys.argv[1])\n\
for n in z.namelist(): m.parseString(z.read(n))\n\
print(len(z.namelist()))",
        ])
        .arg(&r.docx_path)
        .output()
        .expect("python3 must be installed");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&check.stdout).trim(), "13");
    // The first local file header (30 bytes) names [Content_Types].xml.
    assert_eq!(&r.docx[30..49], b"[Content_Types].xml");
    assert_eq!(
        &r.docx[10..14],
        &[0, 0, 0x21, 0],
        "1980-01-01 00:00 DOS time"
    );
}

#[test]
fn docx_is_deterministic() {
    let o = opts(Lang::Zh);
    let m = model(completed_dir(), &o);
    let a = report::render_docx(&m, &o).expect("docx");
    let b = report::render_docx(&m, &o).expect("docx");
    assert!(a == b, "two exports of the same state are byte-identical");
    // The CLI twice (its time is the project's last state change, not the clock).
    let out = out_dir();
    let mut got = Vec::new();
    for i in 0..2 {
        let path = out.join(format!("cli-{i}.docx"));
        let _ = std::fs::remove_file(&path);
        let dir = completed_dir().to_str().expect("utf-8 path").to_string();
        let _g = OPEN.lock().unwrap_or_else(|e| e.into_inner());
        let r = common::run(&[
            "--lang",
            "en",
            "report",
            &dir,
            "--docx",
            path.to_str().expect("utf-8"),
        ]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("Word report"), "{}", r.stdout);
        got.push(std::fs::read(&path).expect("written"));
    }
    assert!(got[0] == got[1], "CLI exports are byte-identical");
    assert!(part(&got[0], "word/document.xml").contains("Results by requirement"));
}

#[test]
fn draft_docx_carries_the_mark_and_no_conclusion() {
    let r = zh_draft();
    assert!(!r.model.summary.complete);
    let header = part(&r.docx, "word/header1.xml");
    assert!(header.contains("PowerPlusWaterMarkObject") && header.contains("string=\"草稿\""));
    assert!(
        part(&r.docx, "word/header2.xml").contains("string=\"草稿\""),
        "the cover too"
    );
    let lo = squash(&r.lo_text);
    let want = format!(
        "评估结论：尚未形成（已判定{}/{}项）",
        r.model.summary.judged, r.model.summary.applicable
    );
    assert!(lo.contains(&want), "{want}");
    assert!(!lo.contains("综合得分："), "no pooled score");
    assert!(lo.contains("草稿"), "the draft mark is printed");
    check_page_ratio(r);
}

#[test]
fn bad_output_path_is_a_clear_error() {
    let dir = draft_dir().to_str().expect("utf-8").to_string();
    let missing = out_dir().join("no-such-folder").join("x.docx");
    let _g = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    let r = common::run(&[
        "--lang",
        "en",
        "report",
        &dir,
        "--docx",
        missing.to_str().expect("utf-8"),
    ]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("no-such-folder"),
        "names the path: {}",
        r.stderr
    );
}

#[test]
fn a_custom_template_changes_the_docx_too() {
    let dir = common::scratch("docx-custom-template");
    std::fs::write(
        dir.join("labels.toml"),
        "[report_title]\nzh = \"某某测评中心车联网安全评估报告\"\nen = \"Custom title\"\n\n\
         [docx_not_signed]\nzh = \"仅供审阅\"\nen = \"For review only\"\n",
    )
    .expect("labels");
    let mut o = opts(Lang::En);
    o.template = Some(dir.clone());
    let m = model(draft_dir(), &o);
    let docx = report::render_docx(&m, &o).expect("docx");
    let doc = part(&docx, "word/document.xml");
    assert!(doc.contains("Custom title") && doc.contains("For review only"));
    // A broken part template is an error naming the file and line, as for the PDF.
    std::fs::write(dir.join("cover.html"), "<p>\n{{ m.nope( }}</p>").expect("cover");
    match report::render_docx(&m, &o) {
        Err(report::ReportError::Template { file, line, .. }) => {
            assert_eq!(file, dir.join("cover.html"));
            assert_eq!(line, 2);
        }
        other => panic!(
            "expected a template error, got {:?}",
            other.map(|b| b.len())
        ),
    }
}
