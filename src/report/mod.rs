//! Reports: the assessment report a regulator receives (PDF, from HTML
//! templates), the self-check form (XLSX) and the machine-readable results
//! (JSON), all from one [`ReportModel`] read from a project.
//!
//! Owns: the report model ([`build_model`]), the report templates
//! (`report-templates/`, the default compiled in; a folder given in
//! [`ReportOptions::template`] overrides it file by file), the HTML → PDF
//! layout with the bundled CJK font (WenQuanYi Micro Hei, subset-embedded),
//! page decoration (running header and footer, page numbers, the 草稿/DRAFT
//! watermark on unapproved reports, the seal image and the box reserved for
//! the visible digital-signature stamp), the XLSX form and the JSON export.
//!
//! Never: writes files (every renderer returns bytes or a value; the caller
//! decides where they go), reads anything but the project, the template
//! folder, the font and the seal image it is given, consults system fonts,
//! changes the project, or panics on input (a broken template is a
//! [`ReportError::Template`] naming file and line). The same project with the
//! same [`ReportOptions::generated_at`] gives byte-identical PDF and XLSX.

pub mod docx;
mod json;
pub mod model;
mod pdf;
pub mod template;
mod xlsx;

pub use docx::render_docx;
pub use model::{
    EvidenceRow, FindingRow, NaItem, ObligationRow, PackReport, ProblemRow, ProjectInfo,
    ReportModel, RequirementRow, ScopeAnswer, SectionReport, SignRole, Signer, Summary,
    WorksheetRow, WorksheetSection, MODEL_SCHEMA,
};
pub use pdf::{BUILTIN_FONT_PATH, PAGE_H_MM, PAGE_W_MM, SERIF_FAMILY, SERIF_FONT_PATH};
pub use template::{BoxMm, Settings, Templates, BUILTIN_DIR, PARTS};
pub use xlsx::{CHECKLIST_HEADERS, HEADER_ROW};

use crate::i18n::{Lang, Text};
use crate::project::{Project, ProjectError};
use minijinja::value::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A serialisable value as a template value.
pub(crate) fn ser<T: serde::Serialize>(v: T) -> Value {
    Value::from(minijinja::value::Serde(v))
}

/// How to make a report.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Language of the PDF/HTML (XLSX and JSON carry both).
    pub lang: Lang,
    /// A template folder; `None` = the built-in `report-templates/default`.
    pub template: Option<PathBuf>,
    /// Printed on every page; default `IOV-<date>-<8 hex of name+assessee>-R<revision>`.
    pub report_number: Option<String>,
    /// A PNG (e.g. the organisation's 公章, transparent background) placed
    /// on the signature page where the template's `[signature] seal` says.
    pub seal_png: Option<PathBuf>,
    pub signer_name: Option<String>,
    /// Default: the project's organisation.
    pub signer_org: Option<String>,
    /// RFC 3339; a fixed time gives reproducible output. Default: now.
    pub generated_at: Option<String>,
    /// The system time zone (IANA name) as the caller determined it (`TZ`,
    /// `/etc/localtime`); used when the project sets no zone of its own.
    /// `None` = UTC. The core reads no environment.
    pub time_zone: Option<String>,
}

/// A rendered PDF report.
#[derive(Debug, Clone)]
pub struct RenderedPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// 0-based index of the signature page (always the last page).
    pub signature_page: usize,
    /// The empty box the template reserves for the visible signature stamp on
    /// `signature_page`: x1, y1, x2, y2 in PDF points (origin bottom-left).
    pub stamp_rect_pt: [f32; 4],
}

/// Everything that can go wrong making a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A template file has a problem: its path and 1-based line (0 when unknown).
    #[error("{}:{line}: {message}", file.display())]
    Template {
        file: PathBuf,
        line: usize,
        message: String,
    },
    #[error("font {}: {message}", path.display())]
    Font { path: PathBuf, message: String },
    #[error("image {}: {message}", path.display())]
    Image { path: PathBuf, message: String },
    #[error("PDF: {message}")]
    Pdf { message: String },
    #[error("XLSX: {message}")]
    Xlsx { message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Text),
    #[error(transparent)]
    Project(#[from] ProjectError),
}

impl ReportError {
    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            ReportError::Template {
                file,
                line,
                message,
            } => format!("报告模板 {}:{line} 有错误：{message}", file.display()),
            ReportError::Font { path, message } => {
                format!("字体 {} 无法使用：{message}", path.display())
            }
            ReportError::Image { path, message } => {
                format!("图片 {} 无法使用：{message}", path.display())
            }
            ReportError::Pdf { message } => format!("生成 PDF 失败：{message}"),
            ReportError::Xlsx { message } => format!("生成 XLSX 失败：{message}"),
            ReportError::Io { path, source } => format!("{}：{source}", path.display()),
            ReportError::Invalid(t) => t.zh.clone(),
            ReportError::Project(e) => e.zh(),
        }
    }
}

/// Reads everything the report shows from `project`.
pub fn build_model(project: &Project, opts: &ReportOptions) -> Result<ReportModel, ReportError> {
    model::build(project, opts)
}

/// One chapter or appendix of the report: its template and heading.
#[derive(Debug, Clone)]
pub(crate) struct PartPlan {
    /// Template file (`overview.html`).
    pub file: &'static str,
    /// Key in `ch` (`overview`).
    pub key: &'static str,
    /// Chapter number (1-based) or appendix index (0-based) when `appendix`.
    pub num: usize,
    pub appendix: bool,
    /// The numbered heading: 三、评估对象 / 附录A　计分明细.
    pub heading: String,
}

/// The chapters and appendices in order, numbered; a chapter with nothing
/// to show is left out and the numbers close up.
pub(crate) fn plan(t: &Templates, model: &ReportModel) -> Vec<PartPlan> {
    let o = &model.info.objects;
    let has_objects = !o.platforms.is_empty()
        || !o.vehicles.is_empty()
        || !o.apps.is_empty()
        || !o.data_catalogue.trim().is_empty();
    let chapters: Vec<(&'static str, &'static str, bool)> = vec![
        ("basic", "part_basic", true),
        ("overview", "part_overview", true),
        ("objects", "part_objects", has_objects),
        ("method", "part_method", true),
        ("applicability", "part_applicability", true),
        ("requirements", "part_requirements", !model.packs.is_empty()),
        ("risk", "part_risk", !model.findings.is_empty()),
        ("problems", "part_problems", true),
        ("plan", "part_plan", !model.findings.is_empty()),
        ("summary", "part_summary", true),
        (
            "obligations",
            "part_obligations",
            !model.obligations.is_empty(),
        ),
    ];
    let appendices: Vec<(&'static str, &'static str, bool)> = vec![
        (
            "worksheet",
            "part_worksheet",
            model.packs.iter().any(|p| p.tally.judged > 0),
        ),
        ("evidence", "part_evidence", true),
        (
            "glossary",
            "part_glossary",
            !t.label("glossary").trim().is_empty(),
        ),
        ("codes", "part_codes", !model.packs.is_empty()),
    ];
    let cf = t.label("chapter_format");
    let af = t.label("appendix_format");
    let mut out = Vec::new();
    let mut n = 0;
    for (key, label, show) in chapters {
        if show {
            n += 1;
            out.push(PartPlan {
                file: part_file(key),
                key,
                num: n,
                appendix: false,
                heading: format!("{}{}", template::chapter_number(&cf, n), t.label(label)),
            });
        }
    }
    let mut i = 0;
    for (key, label, show) in appendices {
        if show {
            out.push(PartPlan {
                file: part_file(key),
                key,
                num: i,
                appendix: true,
                heading: format!("{}{}", template::appendix_number(&af, i), t.label(label)),
            });
            i += 1;
        }
    }
    out
}

fn part_file(key: &str) -> &'static str {
    match key {
        "basic" => "basic.html",
        "overview" => "overview.html",
        "objects" => "objects.html",
        "method" => "method.html",
        "applicability" => "applicability.html",
        "requirements" => "requirements.html",
        "risk" => "risk.html",
        "problems" => "problems.html",
        "plan" => "plan.html",
        "summary" => "summary.html",
        "obligations" => "obligations.html",
        "worksheet" => "worksheet.html",
        "evidence" => "evidence.html",
        "glossary" => "glossary.html",
        _ => "codes.html",
    }
}

/// The context every part template sees.
pub(crate) fn base_context(t: &Templates, model: &ReportModel) -> BTreeMap<String, Value> {
    let mut ctx = t.base_context(model);
    let title = if model.project.kind == crate::project::Kind::SelfCheck {
        t.label("report_title_self_check")
    } else {
        t.label("report_title")
    };
    ctx.insert("title".into(), Value::from(title));
    let revision = t
        .render_label("revision_value", &ctx)
        .unwrap_or_else(|_| model.project.revision.to_string());
    ctx.insert("revision_text".into(), Value::from(revision));
    ctx.insert("font_family".into(), Value::from("WenQuanYi Micro Hei"));
    ctx.insert("serif_family".into(), Value::from(pdf::SERIF_FAMILY));
    // Punctuation that differs between the zh and the en report.
    let zh = t.lang == crate::i18n::Lang::Zh;
    for (k, z, e) in [
        ("colon", "：", ": "),
        ("gap", "　", "  "),
        ("lp", "（", " ("),
        ("rp", "）", ")"),
        ("sep", "、", ", "),
    ] {
        ctx.insert(k.into(), Value::from(if zh { z } else { e }));
    }
    let ch: BTreeMap<&str, usize> = plan(t, model)
        .iter()
        .filter(|p| !p.appendix)
        .map(|p| (p.key, p.num))
        .collect();
    ctx.insert("ch".into(), ser(&ch));
    ctx
}

/// The context of one part: its number and heading.
pub(crate) fn part_context(
    base: &BTreeMap<String, Value>,
    p: &PartPlan,
) -> BTreeMap<String, Value> {
    let mut ctx = base.clone();
    ctx.insert("num".into(), Value::from(p.num));
    ctx.insert("heading".into(), Value::from(p.heading.clone()));
    ctx
}

/// The whole report as one HTML document (for preview, or for printing with a
/// browser). Page numbers in the contents are left empty: they exist only in the PDF.
pub fn render_html(model: &ReportModel, opts: &ReportOptions) -> Result<String, ReportError> {
    let t = Templates::load(opts.template.as_deref(), opts.lang)?;
    let mut base = base_context(&t, model);
    if !t.settings.font.file.trim().is_empty() {
        let font = pdf::font_for(&t)?;
        base.insert("font_family".into(), Value::from(font.family.clone()));
    }
    let brk = "\n<div class=\"page-break\"></div>\n";
    let parts_plan = plan(&t, model);
    let mut parts: Vec<String> = Vec::new();
    parts.push(t.render_part("cover.html", &base)?);
    parts.push(t.render_part("statement.html", &base)?);
    let mut toc: Vec<BTreeMap<&str, Value>> = Vec::new();
    let mut entry = |title: String, level: u8| {
        let mut e = BTreeMap::new();
        e.insert("title", Value::from(title));
        e.insert("page", Value::from(()));
        e.insert("level", Value::from(level));
        toc.push(e);
    };
    for p in &parts_plan {
        entry(p.heading.clone(), 1);
        if p.key == "requirements" {
            for pk in &model.packs {
                entry(
                    format!(
                        "{}{}{}",
                        pk.id,
                        opts.lang.pick("　", "  "),
                        pk.title.get(opts.lang)
                    ),
                    2,
                );
            }
        }
    }
    entry(t.label("part_signature"), 1);
    let mut ctx = base.clone();
    ctx.insert("toc".into(), ser(&toc));
    parts.push(t.render_part("contents.html", &ctx)?);
    for p in &parts_plan {
        let pctx = part_context(&base, p);
        match p.key {
            "requirements" => {
                for (i, pk) in model.packs.iter().enumerate() {
                    let mut ctx = pctx.clone();
                    ctx.insert("pack".into(), ser(pdf::pack_head(pk)));
                    let rows: Vec<Value> = pdf::pack_rows(pk).into_iter().map(|(v, _)| v).collect();
                    ctx.insert("rows".into(), Value::from(rows));
                    ctx.insert("first".into(), Value::from(true));
                    ctx.insert("first_pack".into(), Value::from(i == 0));
                    ctx.insert("sub".into(), Value::from(i + 1));
                    parts.push(t.render_part("requirements.html", &ctx)?);
                }
            }
            "evidence" => {
                let mut ctx = pctx.clone();
                ctx.insert("items".into(), ser(&model.evidence));
                ctx.insert("first".into(), Value::from(true));
                parts.push(t.render_part("evidence.html", &ctx)?);
            }
            _ => parts.push(t.render_part(p.file, &pctx)?),
        }
    }
    parts.push(t.render_part("signature.html", &base)?);
    t.wrap(&base, &parts.join(brk))
}

/// The PDF report: A4, bundled CJK font embedded as a subset, text extractable.
pub fn render_pdf(model: &ReportModel, opts: &ReportOptions) -> Result<RenderedPdf, ReportError> {
    pdf::render(model, opts)
}

/// The self-check form (自查表) and the findings and evidence lists as XLSX.
pub fn render_xlsx(model: &ReportModel) -> Result<Vec<u8>, ReportError> {
    xlsx::render(model)
}

/// The results as an OSCAL 1.1.2 assessment-results document (see `docs/cli-json.md`).
pub fn render_json(model: &ReportModel) -> serde_json::Value {
    json::render(model)
}
