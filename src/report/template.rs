//! Report templates: a folder with `template.toml` (page and placement
//! settings), `labels.toml` (every fixed wording, zh and en), `style.css`,
//! the HTML part templates (minijinja) and optional images (`logo.png`).
//!
//! The built-in template (`report-templates/default/`) is compiled into the
//! binary; a custom folder overrides it file by file, so a folder holding only
//! a changed `labels.toml` is a valid template. Every problem in a template
//! file is a [`ReportError::Template`] naming the file and the line.

use super::ser;
use super::{ReportError, ReportModel};
use crate::i18n::{Lang, Text};
use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the built-in template lives in the source tree (named in errors).
pub const BUILTIN_DIR: &str = "report-templates/default";

/// The built-in template files, compiled in.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "template.toml",
        include_str!("../../report-templates/default/template.toml"),
    ),
    (
        "labels.toml",
        include_str!("../../report-templates/default/labels.toml"),
    ),
    (
        "style.css",
        include_str!("../../report-templates/default/style.css"),
    ),
    (
        "layout.html",
        include_str!("../../report-templates/default/layout.html"),
    ),
    (
        "cover.html",
        include_str!("../../report-templates/default/cover.html"),
    ),
    (
        "statement.html",
        include_str!("../../report-templates/default/statement.html"),
    ),
    (
        "contents.html",
        include_str!("../../report-templates/default/contents.html"),
    ),
    (
        "basic.html",
        include_str!("../../report-templates/default/basic.html"),
    ),
    (
        "overview.html",
        include_str!("../../report-templates/default/overview.html"),
    ),
    (
        "objects.html",
        include_str!("../../report-templates/default/objects.html"),
    ),
    (
        "method.html",
        include_str!("../../report-templates/default/method.html"),
    ),
    (
        "summary.html",
        include_str!("../../report-templates/default/summary.html"),
    ),
    (
        "applicability.html",
        include_str!("../../report-templates/default/applicability.html"),
    ),
    (
        "requirements.html",
        include_str!("../../report-templates/default/requirements.html"),
    ),
    (
        "risk.html",
        include_str!("../../report-templates/default/risk.html"),
    ),
    (
        "problems.html",
        include_str!("../../report-templates/default/problems.html"),
    ),
    (
        "plan.html",
        include_str!("../../report-templates/default/plan.html"),
    ),
    (
        "obligations.html",
        include_str!("../../report-templates/default/obligations.html"),
    ),
    (
        "worksheet.html",
        include_str!("../../report-templates/default/worksheet.html"),
    ),
    (
        "evidence.html",
        include_str!("../../report-templates/default/evidence.html"),
    ),
    (
        "glossary.html",
        include_str!("../../report-templates/default/glossary.html"),
    ),
    (
        "codes.html",
        include_str!("../../report-templates/default/codes.html"),
    ),
    (
        "signature.html",
        include_str!("../../report-templates/default/signature.html"),
    ),
];

/// The parts of the report, in order; each is one template file and starts on
/// a new page. A part with nothing to show is left out and the chapter numbers close up.
pub const PARTS: &[&str] = &[
    "cover",
    "statement",
    "contents",
    "basic",
    "overview",
    "objects",
    "method",
    "summary",
    "applicability",
    "requirements",
    "risk",
    "problems",
    "plan",
    "obligations",
    "worksheet",
    "evidence",
    "glossary",
    "codes",
    "signature",
];

fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
}

/// A box on the page, in millimetres from the page's top-left corner.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BoxMm {
    pub x_mm: f32,
    pub y_mm: f32,
    pub width_mm: f32,
    #[serde(default)]
    pub height_mm: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PageSettings {
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    pub margin_left_mm: f32,
    pub margin_right_mm: f32,
}

impl Default for PageSettings {
    fn default() -> Self {
        PageSettings {
            margin_top_mm: 25.0,
            margin_bottom_mm: 22.0,
            margin_left_mm: 20.0,
            margin_right_mm: 20.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BandSettings {
    pub show: bool,
    /// Also on the cover page.
    pub on_cover: bool,
    pub size_pt: f32,
    /// Distance of the text's baseline from the page edge.
    pub offset_mm: f32,
    /// A thin rule between the band and the page content.
    pub rule: bool,
}

impl Default for BandSettings {
    fn default() -> Self {
        BandSettings {
            show: true,
            on_cover: false,
            size_pt: 8.0,
            offset_mm: 14.0,
            rule: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WatermarkSettings {
    pub size_pt: f32,
    /// 0 = black, 1 = white.
    pub gray: f32,
    /// 0 = invisible, 1 = opaque; the watermark is drawn over the page content.
    pub opacity: f32,
    pub angle_deg: f32,
}

impl Default for WatermarkSettings {
    fn default() -> Self {
        WatermarkSettings {
            size_pt: 96.0,
            gray: 0.5,
            opacity: 0.18,
            angle_deg: 35.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignatureSettings {
    /// Where the seal image (公章 PNG) goes; its height follows the image's proportions.
    pub seal: BoxMm,
    /// The empty box reserved for the visible digital-signature stamp.
    pub stamp_box: BoxMm,
    /// Draw a thin dashed outline around the reserved box.
    pub stamp_box_outline: bool,
}

impl Default for SignatureSettings {
    fn default() -> Self {
        SignatureSettings {
            seal: BoxMm {
                x_mm: 128.0,
                y_mm: 128.0,
                width_mm: 42.0,
                height_mm: 0.0,
            },
            stamp_box: BoxMm {
                x_mm: 110.0,
                y_mm: 196.0,
                width_mm: 80.0,
                height_mm: 36.0,
            },
            stamp_box_outline: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct FontSettings {
    /// A `.ttf`/`.otf`/`.ttc` file relative to the template folder; empty = the bundled font.
    pub file: String,
    /// The face inside a collection (`.ttc`).
    pub face: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChunkSettings {
    /// Requirement rows laid out per step (memory is proportional to it).
    pub requirement_rows: usize,
    /// Evidence rows laid out per step.
    pub evidence_rows: usize,
}

impl Default for ChunkSettings {
    fn default() -> Self {
        ChunkSettings {
            requirement_rows: 120,
            evidence_rows: 250,
        }
    }
}

/// `template.toml`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub page: PageSettings,
    pub header: BandSettings,
    pub footer: BandSettings,
    pub watermark: WatermarkSettings,
    pub signature: SignatureSettings,
    pub font: FontSettings,
    pub chunks: ChunkSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    zh: String,
    #[serde(default)]
    en: String,
}

/// A loaded template: settings, labels, the minijinja environment, images.
pub struct Templates {
    pub dir: Option<PathBuf>,
    pub settings: Settings,
    pub lang: Lang,
    /// Labels in `lang`.
    pub labels: BTreeMap<String, String>,
    /// Images of the template folder by file name (`logo.png`), for `<img src="…">`.
    pub images: BTreeMap<String, Vec<u8>>,
    env: Environment<'static>,
}

/// The 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.get(..at.min(text.len()))
        .map_or(1, |s| s.bytes().filter(|b| *b == b'\n').count() + 1)
}

impl Templates {
    /// Loads `dir` (None = the built-in template) for `lang`.
    pub fn load(dir: Option<&Path>, lang: Lang) -> Result<Templates, ReportError> {
        let dir = dir.map(Path::to_path_buf);
        if let Some(d) = &dir {
            if !d.is_dir() {
                return Err(ReportError::Io {
                    path: d.clone(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "not a template folder",
                    ),
                });
            }
        }
        let this = |name: &str| -> Result<(PathBuf, String), ReportError> {
            read_file(dir.as_deref(), name)
        };

        let (settings_path, settings_text) = this("template.toml")?;
        let settings: Settings =
            toml::from_str(&settings_text).map_err(|e| ReportError::Template {
                file: settings_path.clone(),
                line: e.span().map_or(0, |s| line_of(&settings_text, s.start)),
                message: e.message().to_string(),
            })?;
        check_settings(&settings, &settings_path, &settings_text)?;

        // Labels: the built-in set, overlaid by the folder's.
        let mut raw: BTreeMap<String, RawLabel> = parse_labels(
            &PathBuf::from(format!("{BUILTIN_DIR}/labels.toml")),
            builtin("labels.toml").unwrap_or(""),
        )?;
        if let Some(d) = &dir {
            let p = d.join("labels.toml");
            if p.is_file() {
                let text = std::fs::read_to_string(&p).map_err(|e| ReportError::Io {
                    path: p.clone(),
                    source: e,
                })?;
                raw.extend(parse_labels(&p, &text)?);
            }
        }
        let labels: BTreeMap<String, String> = raw
            .into_iter()
            .map(|(k, v)| {
                let s = match lang {
                    Lang::En if !v.en.is_empty() => v.en,
                    _ => v.zh,
                };
                (k, s)
            })
            .collect();

        let mut images = BTreeMap::new();
        if let Some(d) = &dir {
            if let Ok(rd) = std::fs::read_dir(d) {
                let mut names: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
                names.sort();
                for p in names {
                    let ext = p
                        .extension()
                        .and_then(|e| e.to_str())
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if matches!(ext.as_str(), "png") && p.is_file() {
                        let bytes = std::fs::read(&p).map_err(|e| ReportError::Io {
                            path: p.clone(),
                            source: e,
                        })?;
                        if let Some(n) = p.file_name().and_then(|n| n.to_str()) {
                            images.insert(n.to_string(), bytes);
                        }
                    }
                }
            }
        }

        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        let loader_dir = dir.clone();
        env.set_loader(move |name: &str| {
            if let Some(d) = &loader_dir {
                let p = d.join(name);
                if p.is_file() {
                    return std::fs::read_to_string(&p).map(Some).map_err(|e| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            format!("cannot read {}: {e}", p.display()),
                        )
                    });
                }
            }
            Ok(builtin(name).map(str::to_string))
        });
        env.add_filter("t", filter_t);
        env.add_filter("score", filter_score);
        env.add_filter("pct", filter_pct);
        env.add_filter("date", |s: String| super::model::date_of(&s));
        env.add_filter("lines", filter_lines);
        env.add_filter("split_once", |s: String, sep: String| -> Vec<String> {
            match s.split_once(sep.as_str()) {
                Some((a, b)) => vec![a.trim().to_string(), b.trim().to_string()],
                None => vec![s.trim().to_string(), String::new()],
            }
        });
        env.add_filter("cn", |n: i64| cn_numeral(n));
        let sec_fmt = labels.get("section_format").cloned().unwrap_or_default();
        env.add_filter("sub", move |n: i64, k: i64| {
            sec_fmt
                .replace("{cn}", &cn_numeral(k))
                .replace("{n}", &n.to_string())
                .replace("{k}", &k.to_string())
        });
        env.add_filter("num", |x: Value| match f64::try_from(x) {
            Ok(v) if v.fract() == 0.0 => format!("{v:.0}"),
            Ok(v) => {
                let s = format!("{v:.3}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            }
            Err(_) => String::new(),
        });
        Ok(Templates {
            dir,
            settings,
            lang,
            labels,
            images,
            env,
        })
    }

    /// The path named in errors for template `name`.
    pub fn path_of(&self, name: &str) -> PathBuf {
        match &self.dir {
            Some(d) if d.join(name).is_file() => d.join(name),
            _ => PathBuf::from(format!("{BUILTIN_DIR}/{name}")),
        }
    }

    fn err(&self, e: minijinja::Error) -> ReportError {
        let name = e.name().unwrap_or("").to_string();
        let mut message = match e.detail() {
            Some(d) => format!("{}: {d}", e.kind()),
            None => e.kind().to_string(),
        };
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            message.push_str(&format!("; {s}"));
            src = s.source();
        }
        ReportError::Template {
            file: self.path_of(&name),
            line: e.line().unwrap_or(0),
            message,
        }
    }

    /// The context every template sees: `m` (the model), `L` (labels), `lang`, `logo`.
    pub fn base_context(&self, model: &ReportModel) -> BTreeMap<String, Value> {
        let mut ctx = BTreeMap::new();
        ctx.insert("m".to_string(), ser(model));
        ctx.insert("L".to_string(), ser(&self.labels));
        ctx.insert(
            "lang".to_string(),
            Value::from(match self.lang {
                Lang::Zh => "zh",
                Lang::En => "en",
            }),
        );
        let logo = ["logo.png"]
            .iter()
            .find(|n| self.images.contains_key(**n))
            .map(|n| Value::from(*n))
            .unwrap_or(Value::from(()));
        ctx.insert("logo".to_string(), logo);
        ctx
    }

    /// Renders one part template (`cover.html` …) to an HTML fragment.
    pub fn render_part(
        &self,
        name: &str,
        ctx: &BTreeMap<String, Value>,
    ) -> Result<String, ReportError> {
        let t = self.env.get_template(name).map_err(|e| self.err(e))?;
        t.render(ser(ctx)).map_err(|e| self.err(e))
    }

    /// Wraps fragments in `layout.html` (the document shell with the style sheet).
    pub fn wrap(&self, ctx: &BTreeMap<String, Value>, body: &str) -> Result<String, ReportError> {
        let mut c = ctx.clone();
        c.insert(
            "content".to_string(),
            Value::from_safe_string(body.to_string()),
        );
        self.render_part("layout.html", &c)
    }

    /// Renders a label that is itself a small template (header and footer texts).
    pub fn render_label(
        &self,
        key: &str,
        ctx: &BTreeMap<String, Value>,
    ) -> Result<String, ReportError> {
        let Some(src) = self.labels.get(key) else {
            return Ok(String::new());
        };
        self.env
            .render_str(src, ser(ctx))
            .map_err(|e| ReportError::Template {
                file: self.path_of("labels.toml"),
                line: self.label_line(key),
                message: format!("[{key}]: {}", e.detail().unwrap_or(&e.kind().to_string())),
            })
    }

    fn label_line(&self, key: &str) -> usize {
        let (text, _) = match &self.dir {
            Some(d) if d.join("labels.toml").is_file() => (
                std::fs::read_to_string(d.join("labels.toml")).unwrap_or_default(),
                (),
            ),
            _ => (builtin("labels.toml").unwrap_or("").to_string(), ()),
        };
        let needle = format!("[{key}]");
        text.lines()
            .position(|l| l.trim() == needle)
            .map_or(0, |i| i + 1)
    }

    pub fn label(&self, key: &str) -> String {
        self.labels.get(key).cloned().unwrap_or_default()
    }
}

fn read_file(dir: Option<&Path>, name: &str) -> Result<(PathBuf, String), ReportError> {
    if let Some(d) = dir {
        let p = d.join(name);
        if p.is_file() {
            let text = std::fs::read_to_string(&p).map_err(|e| ReportError::Io {
                path: p.clone(),
                source: e,
            })?;
            return Ok((p, text));
        }
    }
    Ok((
        PathBuf::from(format!("{BUILTIN_DIR}/{name}")),
        builtin(name).unwrap_or("").to_string(),
    ))
}

fn parse_labels(path: &Path, text: &str) -> Result<BTreeMap<String, RawLabel>, ReportError> {
    toml::from_str(text).map_err(|e| ReportError::Template {
        file: path.to_path_buf(),
        line: e.span().map_or(0, |s| line_of(text, s.start)),
        message: e.message().to_string(),
    })
}

fn check_settings(s: &Settings, path: &Path, text: &str) -> Result<(), ReportError> {
    let bad = |key: &str, why: &str| {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(0, |i| i + 1);
        ReportError::Template {
            file: path.to_path_buf(),
            line,
            message: format!("{key}: {why}"),
        }
    };
    let p = &s.page;
    for (k, v) in [
        ("margin_top_mm", p.margin_top_mm),
        ("margin_bottom_mm", p.margin_bottom_mm),
        ("margin_left_mm", p.margin_left_mm),
        ("margin_right_mm", p.margin_right_mm),
    ] {
        if !(0.0..=80.0).contains(&v) {
            return Err(bad(k, "must be between 0 and 80 (mm)"));
        }
    }
    let sig = &s.signature;
    for (k, b, need_h) in [
        ("seal", sig.seal, false),
        ("stamp_box", sig.stamp_box, true),
    ] {
        let ok = b.x_mm >= 0.0
            && b.y_mm >= 0.0
            && b.width_mm > 0.0
            && b.x_mm + b.width_mm <= super::pdf::PAGE_W_MM
            && (!need_h || b.height_mm > 0.0)
            && b.y_mm + b.height_mm <= super::pdf::PAGE_H_MM;
        if !ok {
            return Err(bad(
                k,
                "the box must lie on the A4 page (210 × 297 mm) and have a size",
            ));
        }
    }
    if s.chunks.requirement_rows == 0 || s.chunks.evidence_rows == 0 {
        return Err(bad("requirement_rows", "chunk sizes must be at least 1"));
    }
    if !(0.0..=1.0).contains(&s.watermark.gray) {
        return Err(bad("gray", "must be between 0 (black) and 1 (white)"));
    }
    if !(0.0..=1.0).contains(&s.watermark.opacity) {
        return Err(bad(
            "opacity",
            "must be between 0 (invisible) and 1 (opaque)",
        ));
    }
    Ok(())
}

fn lang_of(state: &minijinja::State<'_, '_>) -> Lang {
    match state.lookup("lang").as_ref().and_then(|v| v.as_str()) {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// `{{ x|t }}`: the zh or en form of a bilingual text; plain strings pass through.
fn filter_t(state: &minijinja::State<'_, '_>, v: Value) -> String {
    if v.is_undefined() || v.is_none() {
        return String::new();
    }
    if let Some(s) = v.as_str() {
        return s.to_string();
    }
    let zh = v
        .get_attr("zh")
        .ok()
        .and_then(|x| x.as_str().map(str::to_string))
        .unwrap_or_default();
    let en = v
        .get_attr("en")
        .ok()
        .and_then(|x| x.as_str().map(str::to_string))
        .unwrap_or_default();
    Text::new(zh, en).get(lang_of(state)).to_string()
}

/// `{{ score|score }}`: `85.0`, or `—` when there is none.
fn filter_score(v: Value) -> String {
    match f64::try_from(v) {
        Ok(x) => format!("{x:.1}"),
        Err(_) => "—".to_string(),
    }
}

/// `{{ score|pct }}`: a width in percent for bar charts, 0–100.
fn filter_pct(v: Value) -> String {
    let x = f64::try_from(v).unwrap_or(0.0);
    format!("{:.1}", x.clamp(0.0, 100.0))
}

/// `{{ L.statement|lines }}`: the non-empty lines of a text, trimmed.
fn filter_lines(s: String) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (up to 99; larger numbers as digits).
pub fn cn_numeral(n: i64) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n - 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n % 10 == 0 {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

/// Formats chapter `n` with the template's `chapter_format` (`{cn}、` → 三、).
pub fn chapter_number(fmt: &str, n: usize) -> String {
    fmt.replace("{cn}", &cn_numeral(n as i64))
        .replace("{n}", &n.to_string())
}

/// Formats appendix `i` (0-based) with `appendix_format` (`附录{letter}　` → 附录A　).
pub fn appendix_number(fmt: &str, i: usize) -> String {
    let letter = char::from(b'A' + (i % 26) as u8).to_string();
    fmt.replace("{letter}", &letter)
}

/// The raw text of a built-in file (used by docs tests and `template init`-like tools).
pub fn builtin_file(name: &str) -> Option<&'static str> {
    builtin(name)
}
