//! Reading and validating checklist files: TOML text → raw structures →
//! the model, reporting every problem with file, line and column.
//!
//! Invariant: nothing here panics on any input; a file with problems never
//! contributes to a [`Library`] that callers use (they get the diagnostics).

use super::condition::{Condition, QuestionInfo, QuestionKind};
use super::diag::{Diagnostic, Sink, SourceFile};
use super::model::*;
use super::raw::*;
use crate::i18n::Text;
use crate::t;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use toml::de::DeTable;
use toml::value::Datetime;

/// The schema version this build reads.
pub const SCHEMA: i64 = 1;

const ENTERPRISE_TYPE: &str = "enterprise_type";

enum FileKind {
    Questions(Vec<S<RawQuestion>>),
    Pack(Box<RawFile>),
    Mappings(Vec<S<RawTheme>>),
}

/// Loads and validates a set of checklist files as one library. Returns the
/// library only when no problem was found.
///
/// Loading checks the format (everything the program relies on); the
/// authoring rules of `lint` are reported by [`check`] (`pack validate`) and
/// kept clean in the built-in library by the tests, so a library written
/// before a rule existed still loads.
pub fn load(sources: &[SourceFile]) -> Result<Library, Vec<Diagnostic>> {
    let (lib, diags) = check_inner(sources, false, false);
    if diags.is_empty() {
        Ok(lib)
    } else {
        Err(diags)
    }
}

/// Loads a library a project stored when it was created (or last upgraded).
/// It was valid when stored; this build reads it with the format checks
/// only: the authoring rules (`lint`) are for `pack validate`, so a rule
/// added later never makes an old project unreadable, and mappings whose
/// other end is not in the stored set are left out.
pub fn load_stored(sources: &[SourceFile]) -> Result<Library, Vec<Diagnostic>> {
    let (lib, diags) = check_inner(sources, false, true);
    if diags.is_empty() {
        Ok(lib)
    } else {
        Err(diags)
    }
}

/// Validates a set of checklist files; returns what could be read and every problem.
pub fn check(sources: &[SourceFile]) -> (Library, Vec<Diagnostic>) {
    check_inner(sources, true, false)
}

fn check_inner(
    sources: &[SourceFile],
    lint: bool,
    skip_dangling: bool,
) -> (Library, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut question_files = Vec::new();
    let mut pack_files = Vec::new();
    let mut mapping_files = Vec::new();
    for src in sources {
        let mut sink = Sink {
            src,
            out: &mut diags,
        };
        match read_file(&mut sink) {
            Some(FileKind::Questions(q)) => question_files.push((src, q)),
            Some(FileKind::Pack(p)) => pack_files.push((src, p)),
            Some(FileKind::Mappings(m)) => mapping_files.push((src, m)),
            None => {}
        }
    }

    // Questions first: packs refer to them.
    let mut questions: Vec<Question> = Vec::new();
    let mut question_at: HashMap<String, String> = HashMap::new();
    for (src, qs) in &question_files {
        let mut sink = Sink {
            src,
            out: &mut diags,
        };
        for q in qs {
            if let Some(q) = question(&mut sink, q) {
                let here = sink.src.diag(0..0, Text::default());
                if let Some(prev) = question_at.get(&q.id) {
                    let id = &q.id;
                    sink.error(
                        qs_span_of_id(qs, id),
                        t!(
                            "问题标识 `{id}` 重复（先前定义于 {prev}）",
                            "duplicate question id `{id}` (first defined at {prev})"
                        ),
                    );
                    continue;
                }
                question_at.insert(q.id.clone(), format!("{}:{}", here.file, here.line));
                questions.push(q);
            }
        }
    }
    if questions.is_empty() && !pack_files.is_empty() {
        if let Some((src, _)) = pack_files.first() {
            diags.push(src.diag(
                0..0,
                t!(
                    "未找到适用性问题目录（questions.toml）：检查单的条件无法核对",
                    "no scoping-question catalogue (questions.toml) was found: conditions cannot be checked"
                ),
            ));
        }
    }

    let mut packs: Vec<Pack> = Vec::new();
    let mut pack_at: HashMap<String, String> = HashMap::new();
    let mut req_at: HashMap<String, (String, String)> = HashMap::new(); // id -> (pack id, location)
                                                                        // Ids of requirements in packs that have problems still resolve for
                                                                        // mappings, so one bad requirement does not cascade into every mapping.
    let mut raw_req_pack: HashMap<String, (String, String)> = HashMap::new();
    for (src, raw) in &pack_files {
        let pid = raw
            .pack
            .as_ref()
            .and_then(|p| p.get_ref().id.as_ref())
            .map(|i| i.get_ref().clone())
            .unwrap_or_default();
        for s in &raw.sections {
            for r in &s.get_ref().requirements {
                if let Some(id) = &r.get_ref().id {
                    raw_req_pack
                        .entry(id.get_ref().clone())
                        .or_insert_with(|| (pid.clone(), src.name.clone()));
                }
            }
        }
    }
    for (src, raw) in &pack_files {
        let mut sink = Sink {
            src,
            out: &mut diags,
        };
        let Some(pack) = pack(&mut sink, raw, &questions) else {
            continue;
        };
        let header_span = raw
            .pack
            .as_ref()
            .and_then(|p| p.get_ref().id.as_ref().map(|i| i.span()))
            .unwrap_or(0..0);
        if let Some(prev) = pack_at.get(&pack.id) {
            let id = &pack.id;
            sink.error(
                header_span,
                t!(
                    "检查单标识 `{id}` 重复（另见 {prev}）",
                    "duplicate pack id `{id}` (also in {prev})"
                ),
            );
            continue;
        }
        pack_at.insert(pack.id.clone(), src.name.clone());
        for (sec, rsec) in pack.sections.iter().zip(raw.sections.iter()) {
            for (r, rr) in sec
                .requirements
                .iter()
                .zip(rsec.get_ref().requirements.iter())
            {
                let span = rr.get_ref().id.as_ref().map_or(rr.span(), |i| i.span());
                let (line, _) = src.line_col(span.start);
                if let Some((_, prev)) = req_at.get(&r.id) {
                    let id = &r.id;
                    sink.error(
                        span,
                        t!(
                            "要求标识 `{id}` 重复（先前定义于 {prev}）",
                            "duplicate requirement id `{id}` (first defined at {prev})"
                        ),
                    );
                } else {
                    req_at.insert(
                        r.id.clone(),
                        (pack.id.clone(), format!("{}:{line}", src.name)),
                    );
                }
            }
        }
        packs.push(pack);
    }

    // A stable, meaningful order: national documents by date, then national
    // standards, then regional ones, pilots last.
    packs.sort_by(|a, b| {
        let key = |p: &Pack| {
            (
                p.doc_type == DocType::PilotNotice,
                p.region != Region::National,
                p.doc_type == DocType::NationalStandard,
                p.issued.clone().unwrap_or_default(),
                p.id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    for (id, v) in raw_req_pack {
        req_at.entry(id).or_insert(v);
    }
    let mut themes: Vec<Theme> = Vec::new();
    let mut pairs: HashMap<(String, String), String> = HashMap::new();
    for (src, raw_themes) in &mapping_files {
        let mut sink = Sink {
            src,
            out: &mut diags,
        };
        for rt in raw_themes {
            if let Some(theme) = theme(&mut sink, rt, &req_at, &mut pairs, skip_dangling) {
                match themes.iter_mut().find(|t| t.id == theme.id) {
                    // A theme may be continued in another mapping file.
                    Some(existing) => existing.mappings.extend(theme.mappings),
                    None => themes.push(theme),
                }
            }
        }
    }
    if lint {
        diags.extend(super::lint::lint(sources, &packs));
    }

    (
        Library {
            questions,
            packs,
            themes,
            files: super::library_files(sources),
        },
        diags,
    )
}

fn qs_span_of_id(qs: &[S<RawQuestion>], id: &str) -> Range<usize> {
    qs.iter()
        .rev()
        .find_map(|q| {
            q.get_ref()
                .id
                .as_ref()
                .filter(|i| i.get_ref() == id)
                .map(|i| i.span())
        })
        .unwrap_or(0..0)
}

fn read_file(sink: &mut Sink<'_>) -> Option<FileKind> {
    let text = sink.src.text.as_str();
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        // The recoverable parser often reports a follow-on error on the same
        // line; the first one per line is the one that helps.
        let mut lines_seen = HashSet::new();
        for e in errors {
            let (line, _) = sink.src.line_col(e.span().map_or(0, |s| s.start));
            if !lines_seen.insert(line) {
                continue;
            }
            let msg = e.message().trim().to_string();
            sink.error(
                e.span().unwrap_or(0..0),
                Text::new(
                    format!("TOML 语法错误：{msg}"),
                    format!("TOML syntax error: {msg}"),
                ),
            );
        }
        return None;
    }
    let unknown = unknown_keys(table.get_ref());
    for (key, span, allowed) in &unknown {
        let list = allowed.join(", ");
        sink.error(
            span.clone(),
            t!(
                "未知字段 `{key}`（此处允许：{list}）",
                "unknown key `{key}` (allowed here: {list})"
            ),
        );
    }
    let de = toml::de::Deserializer::from(table);
    let raw = match RawFile::deserialize(de) {
        Ok(raw) => raw,
        Err(e) => {
            let msg = e.message().trim().to_string();
            sink.error(
                e.span().unwrap_or(0..0),
                Text::new(
                    format!("字段类型或结构错误：{msg}"),
                    format!("wrong type or structure: {msg}"),
                ),
            );
            return None;
        }
    };
    if !unknown.is_empty() {
        return None;
    }
    match &raw.schema {
        None => sink.error(
            0..0,
            t!(
                "缺少 `schema = {SCHEMA}`（格式版本）",
                "missing `schema = {SCHEMA}` (format version)"
            ),
        ),
        Some(s) if *s.get_ref() != SCHEMA => {
            let v = s.get_ref();
            sink.error(
                s.span(),
                t!(
                    "不支持的格式版本 {v}（本版本读取 schema = {SCHEMA}）",
                    "unsupported schema {v} (this version reads schema = {SCHEMA})"
                ),
            )
        }
        Some(_) => {}
    }
    let is_pack = raw.pack.is_some()
        || raw.scoring.is_some()
        || !raw.sections.is_empty()
        || !raw.excluded.is_empty();
    let kinds = [is_pack, !raw.questions.is_empty(), !raw.themes.is_empty()];
    match kinds.iter().filter(|k| **k).count() {
        0 => {
            sink.error(
                0..0,
                t!(
                    "文件中既没有 [pack]，也没有 [[questions]] 或 [[themes]]",
                    "the file has no [pack], [[questions]] or [[themes]]"
                ),
            );
            None
        }
        1 if is_pack => Some(FileKind::Pack(Box::new(raw))),
        1 if !raw.questions.is_empty() => Some(FileKind::Questions(raw.questions)),
        1 => Some(FileKind::Mappings(raw.themes)),
        _ => {
            sink.error(
                0..0,
                t!(
                    "一个文件只能是检查单、问题目录或映射之一",
                    "a file holds one of: a pack, the question catalogue, or mappings"
                ),
            );
            None
        }
    }
}

// ---------------------------------------------------------------- helpers

fn missing(sink: &mut Sink<'_>, at: Range<usize>, key: &str, ctx: &str) {
    sink.error(
        at,
        t!(
            "缺少必填字段 `{key}`{ctx}",
            "missing required key `{key}`{ctx}"
        ),
    );
}

fn ctx_of(kind_zh: &str, kind_en: &str, id: Option<&str>) -> (String, String) {
    match id {
        Some(id) => (format!("（{kind_zh} {id}）"), format!(" ({kind_en} {id})")),
        None => (String::new(), String::new()),
    }
}

/// A required non-empty string.
fn req_str(
    sink: &mut Sink<'_>,
    v: &Option<S<String>>,
    parent: &Range<usize>,
    key: &str,
    ctx: &(String, String),
) -> Option<String> {
    match v {
        None => {
            sink.error(
                parent.clone(),
                Text::new(
                    format!("缺少必填字段 `{key}`{}", ctx.0),
                    format!("missing required key `{key}`{}", ctx.1),
                ),
            );
            None
        }
        Some(s) if s.get_ref().trim().is_empty() => {
            sink.error(
                s.span(),
                Text::new(
                    format!("字段 `{key}` 不能为空{}", ctx.0),
                    format!("`{key}` must not be empty{}", ctx.1),
                ),
            );
            None
        }
        Some(s) => Some(s.get_ref().trim().to_string()),
    }
}

/// A bilingual text; `zh` always required, `en` when `need_en`.
fn text(
    sink: &mut Sink<'_>,
    v: &Option<S<RawText>>,
    parent: &Range<usize>,
    key: &str,
    need_en: bool,
    ctx: &(String, String),
) -> Option<Text> {
    let Some(t) = v else {
        sink.error(
            parent.clone(),
            Text::new(
                format!("缺少必填字段 `{key}`{}", ctx.0),
                format!("missing required key `{key}`{}", ctx.1),
            ),
        );
        return None;
    };
    let span = t.span();
    let raw = t.get_ref();
    let zh = req_str(sink, &raw.zh, &span, &format!("{key}.zh"), ctx);
    let en = match &raw.en {
        Some(e) if !e.get_ref().trim().is_empty() => e.get_ref().trim().to_string(),
        _ if need_en => {
            let at = raw.en.as_ref().map_or(span.clone(), |e| e.span());
            sink.error(
                at,
                Text::new(
                    format!("缺少英文 `{key}.en`{}", ctx.0),
                    format!("missing English `{key}.en`{}", ctx.1),
                ),
            );
            String::new()
        }
        _ => String::new(),
    };
    zh.map(|zh| Text { zh, en })
}

fn one_of<T: Copy>(
    sink: &mut Sink<'_>,
    v: &Option<S<String>>,
    parent: &Range<usize>,
    key: &str,
    choices: &[(&str, T)],
    ctx: &(String, String),
) -> Option<T> {
    let s = req_str(sink, v, parent, key, ctx)?;
    if let Some((_, val)) = choices.iter().find(|(name, _)| *name == s) {
        return Some(*val);
    }
    let list = choices
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(" | ");
    let at = v.as_ref().map_or(parent.clone(), |x| x.span());
    sink.error(
        at,
        Text::new(
            format!("`{key}` 的取值 `{s}` 无效（可选：{list}）{}", ctx.0),
            format!("invalid `{key}` value `{s}` (expected {list}){}", ctx.1),
        ),
    );
    None
}

fn is_pack_id(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('A'..='Z'))
        && c.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && s.len() <= 16
}

/// `PACK-…` with ASCII letters, digits, `-` and `.`.
fn is_item_id(s: &str, pack: &str) -> bool {
    s.len() <= 64
        && s.len() > pack.len() + 1
        && s.starts_with(pack)
        && s.as_bytes()[pack.len()] == b'-'
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !s.ends_with(['-', '.'])
}

fn is_duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let Some(unit) = rest.chars().last() else {
        return false;
    };
    let digits = &rest[..rest.len() - 1];
    matches!(unit, 'D' | 'M' | 'Y')
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.parse::<u32>().is_ok_and(|n| n > 0)
}

fn is_month_day(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b'-' {
        return false;
    }
    let (Ok(m), Ok(d)) = (s[..2].parse::<u32>(), s[3..].parse::<u32>()) else {
        return false;
    };
    let max = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => 29,
        _ => return false,
    };
    (1..=max).contains(&d)
}

fn date(sink: &mut Sink<'_>, v: &Option<S<Datetime>>, key: &str) -> Option<String> {
    let d = v.as_ref()?;
    let dt = d.get_ref();
    match (dt.date, dt.time, dt.offset) {
        (Some(date), None, None) => Some(date.to_string()),
        _ => {
            sink.error(
                d.span(),
                t!(
                    "`{key}` 应为日期（如 2021-09-15），不含时间",
                    "`{key}` must be a date such as 2021-09-15, without a time"
                ),
            );
            None
        }
    }
}

/// Parses and checks a condition string, pointing errors into the file.
fn condition(
    sink: &mut Sink<'_>,
    v: &S<String>,
    questions: &[Question],
    allowed: &[String],
) -> Option<Condition> {
    // The span covers the quoted string; condition offsets start after the quote.
    let base = v.span().start + 1;
    let src = v.get_ref();
    let c = match Condition::parse(src) {
        Ok(c) => c,
        Err(e) => {
            let msg = &e.message;
            sink.error(
                base + e.span.start..base + e.span.end,
                Text::new(
                    format!("条件 `{src}` 有误：{}", msg.zh),
                    format!("bad condition `{src}`: {}", msg.en),
                ),
            );
            return None;
        }
    };
    let lookup = |id: &str| -> Option<QuestionInfo<'_>> {
        if id != ENTERPRISE_TYPE && !allowed.iter().any(|a| a == id) {
            return None;
        }
        questions.iter().find(|q| q.id == id).map(|q| QuestionInfo {
            kind: q.kind,
            options: q.options.iter().map(|o| o.id.as_str()).collect(),
        })
    };
    let errs = c.check(&lookup);
    let ok = errs.is_empty();
    for e in errs {
        sink.error(base + e.span.start..base + e.span.end, e.message);
    }
    ok.then_some(c)
}

// ---------------------------------------------------------------- questions

fn question(sink: &mut Sink<'_>, q: &S<RawQuestion>) -> Option<Question> {
    let span = q.span();
    let raw = q.get_ref();
    let none = (String::new(), String::new());
    let id = req_str(sink, &raw.id, &span, "id", &none);
    if let (Some(id), Some(s)) = (&id, &raw.id) {
        if !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            sink.error(
                s.span(),
                t!(
                    "问题标识 `{id}` 只能包含小写字母、数字和下划线",
                    "question id `{id}` may contain only lowercase letters, digits and `_`"
                ),
            );
        }
    }
    let ctx = ctx_of("问题", "question", id.as_deref());
    let kind = one_of(
        sink,
        &raw.kind,
        &span,
        "kind",
        &[
            ("bool", QuestionKind::Bool),
            ("choice", QuestionKind::Choice),
            ("multi", QuestionKind::Multi),
            ("int", QuestionKind::Int),
        ],
        &ctx,
    );
    let label = text(sink, &raw.label, &span, "label", true, &ctx);
    let mut options = Vec::new();
    let mut seen = HashSet::new();
    for o in raw.options.iter().flatten() {
        let os = o.span();
        let oid = req_str(sink, &o.get_ref().id, &os, "id", &ctx);
        let olabel = text(sink, &o.get_ref().label, &os, "label", true, &ctx);
        if let Some(oid) = &oid {
            if !seen.insert(oid.clone()) {
                sink.error(
                    os.clone(),
                    t!("选项 `{oid}` 重复", "duplicate option `{oid}`"),
                );
            }
        }
        if let (Some(id), Some(label)) = (oid, olabel) {
            options.push(QuestionOption { id, label });
        }
    }
    let needs_options = matches!(kind, Some(QuestionKind::Choice | QuestionKind::Multi));
    if needs_options && options.is_empty() {
        sink.error(
            span.clone(),
            Text::new(
                format!("选择题必须列出 `options`{}", ctx.0),
                format!("a choice question needs `options`{}", ctx.1),
            ),
        );
    }
    if !needs_options && raw.options.is_some() {
        sink.error(
            span.clone(),
            Text::new(
                format!("只有 choice/multi 问题可以有 `options`{}", ctx.0),
                format!("only choice/multi questions take `options`{}", ctx.1),
            ),
        );
    }
    let (min, max) = (
        raw.min.as_ref().map(|m| *m.get_ref()),
        raw.max.as_ref().map(|m| *m.get_ref()),
    );
    if kind != Some(QuestionKind::Int) && (min.is_some() || max.is_some()) {
        sink.error(
            span.clone(),
            Text::new(
                format!("只有 int 问题可以有 `min`/`max`{}", ctx.0),
                format!("only int questions take `min`/`max`{}", ctx.1),
            ),
        );
    }
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            sink.error(
                span.clone(),
                t!("`min` 大于 `max`", "`min` is greater than `max`"),
            );
        }
    }
    Some(Question {
        id: id?,
        kind: kind?,
        label: label?,
        options,
        min,
        max,
    })
}

// ---------------------------------------------------------------- packs

fn pack(sink: &mut Sink<'_>, raw: &RawFile, questions: &[Question]) -> Option<Pack> {
    let none = (String::new(), String::new());
    let Some(h) = &raw.pack else {
        missing(sink, 0..0, "[pack]", "");
        return None;
    };
    let hs = h.span();
    let hr = h.get_ref();
    let id = req_str(sink, &hr.id, &hs, "id", &none);
    if let (Some(id), Some(s)) = (&id, &hr.id) {
        if !is_pack_id(id) {
            sink.error(s.span(), t!("检查单标识 `{id}` 应为大写字母开头的大写字母和数字（如 N134）", "pack id `{id}` must be uppercase letters and digits starting with a letter (e.g. N134)"));
        }
    }
    let ctx = ctx_of("检查单", "pack", id.as_deref());
    let version = req_str(sink, &hr.version, &hs, "version", &ctx);
    let doc_number = req_str(sink, &hr.doc_number, &hs, "doc_number", &ctx);
    let title = text(sink, &hr.title, &hs, "title", true, &ctx);
    let issuer = text(sink, &hr.issuer, &hs, "issuer", true, &ctx);
    let doc_type = one_of(
        sink,
        &hr.doc_type,
        &hs,
        "doc_type",
        &[
            ("law", DocType::Law),
            ("regulation", DocType::Regulation),
            ("notice", DocType::Notice),
            ("opinion", DocType::Opinion),
            ("local_plan", DocType::LocalPlan),
            ("task_list", DocType::TaskList),
            ("pilot_notice", DocType::PilotNotice),
            ("national_standard", DocType::NationalStandard),
        ],
        &ctx,
    );
    let region = one_of(
        sink,
        &hr.region,
        &hs,
        "region",
        &[
            ("CN", Region::National),
            ("CN-BJ", Region::Beijing),
            ("CN-SH", Region::Shanghai),
        ],
        &ctx,
    );
    let status = one_of(
        sink,
        &hr.status,
        &hs,
        "status",
        &[
            ("in_force", DocStatus::InForce),
            ("expired", DocStatus::Expired),
            ("draft", DocStatus::Draft),
        ],
        &ctx,
    );
    let issued = date(sink, &hr.issued, "issued");
    let effective = date(sink, &hr.effective, "effective");
    let source = req_str(sink, &hr.source, &hs, "source", &ctx);
    let provenance = provenance(sink, &hr.provenance, &hs, &ctx);
    let note = match &hr.note {
        Some(_) => text(sink, &hr.note, &hs, "note", false, &ctx),
        None => None,
    };
    let mut pack_questions = Vec::new();
    for q in hr.questions.iter().flatten() {
        let qid = q.get_ref();
        if !questions.iter().any(|x| &x.id == qid) {
            sink.error(
                q.span(),
                t!(
                    "`pack.questions` 中的 `{qid}` 未在问题目录中定义",
                    "`{qid}` in `pack.questions` is not defined in the question catalogue"
                ),
            );
        } else if pack_questions.contains(qid) {
            sink.error(
                q.span(),
                t!(
                    "`pack.questions` 中 `{qid}` 重复",
                    "`{qid}` is listed twice in `pack.questions`"
                ),
            );
        } else {
            pack_questions.push(qid.clone());
        }
    }
    let applies_when = hr
        .applies_when
        .as_ref()
        .and_then(|c| condition(sink, c, questions, &pack_questions));
    let scoring = scoring(sink, raw, &ctx);
    let enterprise_types: Vec<String> = questions
        .iter()
        .find(|q| q.id == ENTERPRISE_TYPE)
        .map(|q| q.options.iter().map(|o| o.id.clone()).collect())
        .unwrap_or_default();

    let mut excluded = Vec::new();
    for e in &raw.excluded {
        let es = e.span();
        let er = e.get_ref();
        let clause = req_str(sink, &er.clause, &es, "clause", &ctx);
        let reason = text(sink, &er.reason, &es, "reason", true, &ctx);
        if let (Some(clause), Some(reason)) = (clause, reason) {
            excluded.push(Excluded {
                ids: er.ids.iter().map(|i| i.get_ref().clone()).collect(),
                clause,
                reason,
            });
        }
    }

    let pid = id.clone().unwrap_or_default();
    let mut sections = Vec::new();
    let mut section_ids = HashSet::new();
    let mut req_ids: HashSet<String> = HashSet::new();
    if raw.sections.is_empty() {
        sink.error(
            hs.clone(),
            Text::new(
                format!("检查单没有任何 [[sections]]{}", ctx.0),
                format!("the pack has no [[sections]]{}", ctx.1),
            ),
        );
    }
    for s in &raw.sections {
        let ss = s.span();
        let sr = s.get_ref();
        let sid = req_str(sink, &sr.id, &ss, "id", &ctx);
        let sctx = ctx_of("章节", "section", sid.as_deref());
        if let (Some(sid), Some(sp)) = (&sid, &sr.id) {
            if !pid.is_empty() && !is_item_id(sid, &pid) {
                sink.error(sp.span(), t!("章节标识 `{sid}` 应以 `{pid}-` 开头，只含字母、数字、`-` 和 `.`", "section id `{sid}` must start with `{pid}-` and contain only letters, digits, `-` and `.`"));
            }
            if !section_ids.insert(sid.clone()) {
                sink.error(
                    sp.span(),
                    t!("章节标识 `{sid}` 重复", "duplicate section id `{sid}`"),
                );
            }
        }
        let clause = req_str(sink, &sr.clause, &ss, "clause", &sctx);
        let title = text(sink, &sr.title, &ss, "title", true, &sctx);
        if sr.requirements.is_empty() {
            sink.error(
                ss.clone(),
                Text::new(
                    format!("章节没有任何要求{}", sctx.0),
                    format!("the section has no requirements{}", sctx.1),
                ),
            );
        }
        let mut reqs = Vec::new();
        for r in &sr.requirements {
            if let Some(req) =
                requirement(sink, r, &pid, questions, &pack_questions, &enterprise_types)
            {
                if !req_ids.insert(req.id.clone()) {
                    // Reported across packs by `check`, which also covers this pack.
                }
                reqs.push(req);
            }
        }
        if let (Some(id), Some(clause), Some(title)) = (sid, clause, title) {
            if reqs.len() == sr.requirements.len() {
                sections.push(Section {
                    id,
                    clause,
                    title,
                    requirements: reqs,
                });
            }
        }
    }
    for e in &raw.excluded {
        for i in &e.get_ref().ids {
            let iid = i.get_ref();
            if req_ids.contains(iid) {
                sink.error(
                    i.span(),
                    t!(
                        "`{iid}` 同时被列为排除项和要求",
                        "`{iid}` is both excluded and a requirement"
                    ),
                );
            }
        }
    }
    // Section rules name sections of this pack; `replaces` names ids that are
    // no longer requirements of it.
    if let Some(sc) = raw.scoring.as_ref() {
        for g in &sc.get_ref().groups {
            if let Some(sec) = &g.get_ref().section {
                let v = sec.get_ref();
                if !section_ids.contains(v) {
                    sink.error(
                        sec.span(),
                        t!(
                            "计分分组引用了不存在的章节 `{v}`",
                            "scoring group names no section of this pack: `{v}`"
                        ),
                    );
                }
            }
        }
    }
    for sec in &raw.sections {
        for r in &sec.get_ref().requirements {
            let own = r.get_ref().id.as_ref().map(|i| i.get_ref().as_str());
            for old in &r.get_ref().replaces {
                let v = old.get_ref();
                if req_ids.contains(v.trim()) || Some(v.trim()) == own {
                    sink.error(
                        old.span(),
                        t!(
                            "`replaces` 中的 `{v}` 仍是本检查单的要求；被取代的标识不能继续使用",
                            "`{v}` in `replaces` is still a requirement of this pack; a replaced id cannot stay in use"
                        ),
                    );
                }
            }
        }
    }
    if sections.len() != raw.sections.len() {
        return None;
    }
    Some(Pack {
        id: id?,
        version: version?,
        doc_number: doc_number?,
        title: title?,
        issuer: issuer?,
        doc_type: doc_type?,
        region: region?,
        status: status?,
        issued,
        effective,
        source: source?,
        provenance: provenance?,
        note,
        applies_when: if hr.applies_when.is_some() {
            Some(applies_when?)
        } else {
            None
        },
        questions: pack_questions,
        scoring: scoring?,
        excluded,
        sections,
        file: sink.src.name.clone(),
    })
}

fn provenance(
    sink: &mut Sink<'_>,
    v: &Option<S<String>>,
    parent: &Range<usize>,
    ctx: &(String, String),
) -> Option<Provenance> {
    one_of(
        sink,
        v,
        parent,
        "provenance",
        &[
            ("text", Provenance::Text),
            ("secondary", Provenance::Secondary),
            ("inferred", Provenance::Inferred),
            ("fulltext", Provenance::Fulltext),
        ],
        ctx,
    )
}

/// The optional per-value provenance, source and note of a parameter or deadline.
fn value_origin(
    sink: &mut Sink<'_>,
    prov: &Option<S<String>>,
    source: &Option<S<String>>,
    note: &Option<S<RawText>>,
    parent: &Range<usize>,
    ctx: &(String, String),
) -> Option<ValueOrigin> {
    let provenance = match prov {
        Some(_) => Some(provenance(sink, prov, parent, ctx)?),
        None => None,
    };
    let note = match note {
        Some(_) => Some(text(sink, note, parent, "note", false, ctx)?),
        None => None,
    };
    let source = source
        .as_ref()
        .map(|s| s.get_ref().trim().to_string())
        .filter(|s| !s.is_empty());
    Some(ValueOrigin {
        provenance,
        source,
        note,
    })
}

fn scoring(sink: &mut Sink<'_>, raw: &RawFile, ctx: &(String, String)) -> Option<Scoring> {
    let Some(sc) = &raw.scoring else {
        sink.error(
            0..0,
            Text::new(
                format!("缺少 [scoring] 计分规则{}", ctx.0),
                format!("missing [scoring] rules{}", ctx.1),
            ),
        );
        return None;
    };
    let ss = sc.span();
    let r = sc.get_ref();
    let partial = match &r.partial {
        None => {
            missing(sink, ss.clone(), "partial", &ctx.0);
            None
        }
        Some(p) if !(0.0..=1.0).contains(p.get_ref()) => {
            let v = p.get_ref();
            sink.error(
                p.span(),
                t!(
                    "`partial` 应在 0 到 1 之间（当前 {v}）",
                    "`partial` must be between 0 and 1 (is {v})"
                ),
            );
            None
        }
        Some(p) => Some(*p.get_ref()),
    };
    let not_applicable = one_of(
        sink,
        &r.not_applicable,
        &ss,
        "not_applicable",
        &[("exclude", NaRule::Exclude)],
        ctx,
    );
    let encouraged = one_of(
        sink,
        &r.encouraged,
        &ss,
        "encouraged",
        &[
            ("include", Inclusion::Include),
            ("exclude", Inclusion::Exclude),
        ],
        ctx,
    );
    let veto = one_of(
        sink,
        &r.veto,
        &ss,
        "veto",
        &[("fail_pack", VetoRule::FailPack), ("none", VetoRule::None)],
        ctx,
    );
    let mut bands = Vec::new();
    let mut ok = true;
    match &r.bands {
        None => {
            missing(sink, ss.clone(), "bands", &ctx.0);
            ok = false;
        }
        Some(bs) => {
            if bs.get_ref().is_empty() {
                sink.error(
                    bs.span(),
                    t!("`bands` 不能为空", "`bands` must not be empty"),
                );
                ok = false;
            }
            let mut prev: Option<f64> = None;
            for b in bs.get_ref() {
                let bspan = b.span();
                let br = b.get_ref();
                let label = text(sink, &br.label, &bspan, "label", true, ctx);
                let min = match &br.min {
                    None => {
                        missing(sink, bspan.clone(), "min", &ctx.0);
                        None
                    }
                    Some(m) => {
                        let v = *m.get_ref();
                        if !(0.0..=100.0).contains(&v) {
                            sink.error(
                                m.span(),
                                t!(
                                    "分档下限应在 0 到 100 之间（当前 {v}）",
                                    "band `min` must be between 0 and 100 (is {v})"
                                ),
                            );
                            None
                        } else {
                            if let Some(p) = prev {
                                if v >= p {
                                    sink.error(m.span(), t!("分档应按下限从高到低排列（{v} 不低于上一档 {p}）", "bands must be ordered from the highest `min` down ({v} is not below {p})"));
                                    ok = false;
                                }
                            }
                            prev = Some(v);
                            Some(v)
                        }
                    }
                };
                match (min, label) {
                    (Some(min), Some(label)) => bands.push(Band { min, label }),
                    _ => ok = false,
                }
            }
            if let Some(last) = bands.last() {
                if last.min != 0.0 {
                    sink.error(
                        bs.span(),
                        t!(
                            "最后一档的下限应为 0，使任何得分都有结论",
                            "the last band must have `min = 0` so every score has a conclusion"
                        ),
                    );
                    ok = false;
                }
            }
        }
    }
    let mut groups = Vec::new();
    for g in &r.groups {
        let gs = g.span();
        let gr = g.get_ref();
        let section = req_str(sink, &gr.section, &gs, "section", ctx);
        let rule = one_of(
            sink,
            &gr.rule,
            &gs,
            "rule",
            &[("any_fail_fails_all", GroupKind::AnyFailFailsAll)],
            ctx,
        );
        let note = match &gr.note {
            Some(_) => text(sink, &gr.note, &gs, "note", true, ctx),
            None => None,
        };
        match (section, rule) {
            (Some(section), Some(rule)) if gr.note.is_none() || note.is_some() => {
                groups.push(GroupRule {
                    section,
                    rule,
                    note,
                })
            }
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    Some(Scoring {
        partial: partial?,
        not_applicable: not_applicable?,
        encouraged: encouraged?,
        veto: veto?,
        bands,
        groups,
    })
}

const METHODS: &[(&str, Method)] = &[
    ("examine", Method::Examine),
    ("interview", Method::Interview),
    ("test", Method::Test),
];
const PARAM_OPS: &[&str] = &[">=", "<=", "==", ">", "<"];
const PARAM_UNITS: &[&str] = &[
    "day",
    "month",
    "year",
    "percent",
    "count",
    "second",
    "times_per_year",
];

fn requirement(
    sink: &mut Sink<'_>,
    r: &S<RawRequirement>,
    pid: &str,
    questions: &[Question],
    pack_questions: &[String],
    enterprise_types: &[String],
) -> Option<Requirement> {
    let rs = r.span();
    let rr = r.get_ref();
    let none = (String::new(), String::new());
    let id = req_str(sink, &rr.id, &rs, "id", &none);
    if let (Some(id), Some(s)) = (&id, &rr.id) {
        if !pid.is_empty() && !is_item_id(id, pid) {
            sink.error(s.span(), t!("要求标识 `{id}` 应以 `{pid}-` 开头，只含字母、数字、`-` 和 `.`", "requirement id `{id}` must start with `{pid}-` and contain only letters, digits, `-` and `.`"));
        }
    }
    let ctx = ctx_of("要求", "requirement", id.as_deref());
    let clause = req_str(sink, &rr.clause, &rs, "clause", &ctx);
    let title = text(sink, &rr.title, &rs, "title", true, &ctx);
    let body = text(sink, &rr.text, &rs, "text", true, &ctx);
    let obligation = one_of(
        sink,
        &rr.obligation,
        &rs,
        "obligation",
        &[
            ("mandatory", Obligation::Mandatory),
            ("conditional", Obligation::Conditional),
            ("encouraged", Obligation::Encouraged),
            ("pilot", Obligation::Pilot),
        ],
        &ctx,
    );
    let mut bad = false;

    // applies_to
    let mut applies_to = Vec::new();
    match &rr.applies_to {
        None => {
            missing(sink, rs.clone(), "applies_to", &ctx.0);
            bad = true;
        }
        Some(list) if list.get_ref().is_empty() => {
            sink.error(
                list.span(),
                Text::new(
                    format!("`applies_to` 不能为空（全部企业用 [\"ALL\"]）{}", ctx.0),
                    format!(
                        "`applies_to` must not be empty (use [\"ALL\"] for everyone){}",
                        ctx.1
                    ),
                ),
            );
            bad = true;
        }
        Some(list) => {
            for t in list.get_ref() {
                let v = t.get_ref();
                if v == "ALL" {
                    if list.get_ref().len() > 1 {
                        sink.error(
                            t.span(),
                            t!(
                                "`ALL` 不能与其他企业类型并列",
                                "`ALL` cannot be combined with other enterprise types"
                            ),
                        );
                        bad = true;
                    }
                } else if !enterprise_types.iter().any(|e| e == v) {
                    let opts = enterprise_types.join(", ");
                    sink.error(t.span(), t!("`{v}` 不是企业类型（enterprise_type 的选项：{opts}；或 ALL）", "`{v}` is not an enterprise type (options of enterprise_type: {opts}; or ALL)"));
                    bad = true;
                }
                applies_to.push(v.clone());
            }
        }
    }

    // when
    let when = match &rr.when {
        Some(c) => {
            let parsed = condition(sink, c, questions, pack_questions);
            if parsed.is_none() {
                bad = true;
            }
            parsed
        }
        None => {
            if let Some(o @ (Obligation::Conditional | Obligation::Pilot)) = obligation {
                let kind = o.label();
                sink.error(
                    rr.obligation.as_ref().map_or(rs.clone(), |o| o.span()),
                    Text::new(
                        format!("{}类要求必须给出适用条件 `when`{}", kind.zh, ctx.0),
                        format!(
                            "a {} requirement needs a `when` condition{}",
                            kind.en, ctx.1
                        ),
                    ),
                );
                bad = true;
            }
            None
        }
    };

    // evidence
    let mut evidence = EvidenceList::default();
    match &rr.evidence {
        None => {
            missing(sink, rs.clone(), "evidence", &ctx.0);
            bad = true;
        }
        Some(e) => {
            let er = e.get_ref();
            let zh: Vec<String> = er
                .zh
                .iter()
                .flatten()
                .map(|s| s.get_ref().trim().to_string())
                .collect();
            let en: Vec<String> = er
                .en
                .iter()
                .flatten()
                .map(|s| s.get_ref().trim().to_string())
                .collect();
            if zh.is_empty() || zh.iter().any(|s| s.is_empty()) {
                sink.error(
                    e.span(),
                    Text::new(
                        format!("`evidence.zh` 须列出至少一项非空的证明材料{}", ctx.0),
                        format!(
                            "`evidence.zh` must list at least one non-empty item{}",
                            ctx.1
                        ),
                    ),
                );
                bad = true;
            }
            if !en.is_empty() && en.len() != zh.len() {
                let (a, b) = (zh.len(), en.len());
                sink.error(
                    e.span(),
                    Text::new(
                        format!(
                            "`evidence.en` 有 {b} 项，与 `evidence.zh` 的 {a} 项不对应{}",
                            ctx.0
                        ),
                        format!(
                            "`evidence.en` has {b} items but `evidence.zh` has {a}{}",
                            ctx.1
                        ),
                    ),
                );
                bad = true;
            }
            evidence = EvidenceList { zh, en };
        }
    }

    // methods
    let mut methods = Vec::new();
    match &rr.methods {
        None => {
            missing(sink, rs.clone(), "methods", &ctx.0);
            bad = true;
        }
        Some(ms) => {
            if ms.get_ref().is_empty() {
                sink.error(
                    ms.span(),
                    Text::new(
                        format!("`methods` 不能为空{}", ctx.0),
                        format!("`methods` must not be empty{}", ctx.1),
                    ),
                );
                bad = true;
            }
            for m in ms.get_ref() {
                match METHODS.iter().find(|(n, _)| n == m.get_ref()) {
                    Some((_, v)) if !methods.contains(v) => methods.push(*v),
                    Some(_) => {
                        let v = m.get_ref();
                        sink.error(
                            m.span(),
                            t!("方法 `{v}` 重复", "method `{v}` is listed twice"),
                        );
                        bad = true;
                    }
                    None => {
                        let v = m.get_ref();
                        sink.error(
                            m.span(),
                            t!(
                                "无效的评估方法 `{v}`（可选：examine | interview | test）",
                                "invalid method `{v}` (expected examine | interview | test)"
                            ),
                        );
                        bad = true;
                    }
                }
            }
        }
    }

    // weight
    let weight = match &rr.weight {
        None => {
            missing(sink, rs.clone(), "weight", &ctx.0);
            None
        }
        Some(w) if !(1..=5).contains(w.get_ref()) => {
            let v = w.get_ref();
            sink.error(
                w.span(),
                Text::new(
                    format!("权重 {v} 超出范围（应为 1–5）{}", ctx.0),
                    format!("weight {v} is out of range (1–5){}", ctx.1),
                ),
            );
            None
        }
        Some(w) => u8::try_from(*w.get_ref()).ok(),
    };

    // themes
    let mut themes = Vec::new();
    for t in &rr.themes {
        let v = t.get_ref();
        let ok = v.len() == 3 && v.starts_with('X') && v[1..].chars().all(|c| c.is_ascii_digit());
        if !ok {
            sink.error(
                t.span(),
                t!(
                    "主题标识 `{v}` 应为 X 加两位数字（如 X08）",
                    "theme id `{v}` must be X and two digits (e.g. X08)"
                ),
            );
            bad = true;
        }
        themes.push(v.clone());
    }

    let provenance = provenance(sink, &rr.provenance, &rs, &ctx);

    // params
    let mut params = Vec::new();
    for p in &rr.params {
        let ps = p.span();
        let pr = p.get_ref();
        let key = req_str(sink, &pr.key, &ps, "key", &ctx);
        let op = req_str(sink, &pr.op, &ps, "op", &ctx);
        let unit = req_str(sink, &pr.unit, &ps, "unit", &ctx);
        if let (Some(op), Some(o)) = (&op, &pr.op) {
            if !PARAM_OPS.contains(&op.as_str()) {
                let list = PARAM_OPS.join(" ");
                sink.error(
                    o.span(),
                    t!(
                        "参数运算符 `{op}` 无效（可选：{list}）",
                        "invalid parameter operator `{op}` (expected one of {list})"
                    ),
                );
                bad = true;
            }
        }
        if let (Some(unit), Some(u)) = (&unit, &pr.unit) {
            if !PARAM_UNITS.contains(&unit.as_str()) {
                let list = PARAM_UNITS.join(" | ");
                sink.error(
                    u.span(),
                    t!(
                        "参数单位 `{unit}` 无效（可选：{list}）",
                        "invalid parameter unit `{unit}` (expected {list})"
                    ),
                );
                bad = true;
            }
        }
        let value = match &pr.value {
            None => {
                missing(sink, ps.clone(), "value", &ctx.0);
                None
            }
            Some(v) => Some(*v.get_ref()),
        };
        let origin = value_origin(sink, &pr.provenance, &pr.source, &pr.note, &ps, &ctx);
        match (key, op, value, unit, origin) {
            (Some(key), Some(op), Some(value), Some(unit), Some(origin)) => params.push(Param {
                key,
                op,
                value,
                unit,
                origin,
            }),
            _ => bad = true,
        }
    }

    // deadlines
    let mut deadlines = Vec::new();
    for d in &rr.deadlines {
        match deadline(sink, d, questions, pack_questions, &ctx) {
            Some(d) => deadlines.push(d),
            None => bad = true,
        }
    }

    // test method
    let test = match &rr.test {
        None => None,
        Some(t) => {
            let ts = t.span();
            let tr = t.get_ref();
            let clause = req_str(sink, &tr.clause, &ts, "test.clause", &ctx);
            let zh = req_str(sink, &tr.zh, &ts, "test.zh", &ctx);
            let en = tr
                .en
                .as_ref()
                .map(|e| e.get_ref().trim().to_string())
                .unwrap_or_default();
            match (clause, zh) {
                (Some(clause), Some(zh)) => Some(TestMethod {
                    clause,
                    text: Text { zh, en },
                }),
                _ => {
                    bad = true;
                    None
                }
            }
        }
    };

    if bad {
        return None;
    }
    let provenance = provenance?;
    Some(Requirement {
        id: id?,
        clause: clause?,
        title: title?,
        text: body?,
        obligation: obligation?,
        applies_to,
        when,
        evidence,
        methods,
        weight: weight?,
        veto: rr.veto.unwrap_or(false),
        themes,
        provenance,
        to_confirm: matches!(provenance, Provenance::Inferred | Provenance::Fulltext),
        provenance_note: rr.provenance_note.clone(),
        params,
        deadlines,
        test,
        replaces: rr
            .replaces
            .iter()
            .map(|r| r.get_ref().trim().to_string())
            .collect(),
    })
}

fn deadline(
    sink: &mut Sink<'_>,
    d: &S<RawDeadline>,
    questions: &[Question],
    pack_questions: &[String],
    ctx: &(String, String),
) -> Option<Deadline> {
    let ds = d.span();
    let r = d.get_ref();
    let kind = req_str(sink, &r.kind, &ds, "kind", ctx)?;
    // Which keys each kind takes, besides `kind`.
    let takes: &[&str] = match kind.as_str() {
        "annual" => &["due"],
        "recurring" => &["period"],
        "retention" => &["period"],
        "triggered" => &["within", "trigger"],
        "before_event" => &["event"],
        "immediate" => &["event"],
        "once" => &["date"],
        other => {
            let at = r.kind.as_ref().map_or(ds.clone(), |k| k.span());
            sink.error(at, t!("期限类型 `{other}` 无效（可选：annual | recurring | retention | triggered | before_event | immediate | once）", "invalid deadline kind `{other}` (expected annual | recurring | retention | triggered | before_event | immediate | once)"));
            return None;
        }
    };
    let present: [(&str, bool); 6] = [
        ("due", r.due.is_some()),
        ("period", r.period.is_some()),
        ("within", r.within.is_some()),
        ("trigger", r.trigger.is_some()),
        ("event", r.event.is_some()),
        ("date", r.date.is_some()),
    ];
    let mut ok = true;
    for (key, is) in present {
        if is && !takes.contains(&key) {
            sink.error(
                ds.clone(),
                t!(
                    "期限类型 `{kind}` 不使用字段 `{key}`",
                    "deadline kind `{kind}` does not take `{key}`"
                ),
            );
            ok = false;
        }
    }
    let mut duration = |v: &Option<S<String>>, key: &str, sink: &mut Sink<'_>| -> Option<String> {
        let s = req_str(sink, v, &ds, key, ctx)?;
        if !is_duration(&s) {
            let at = v.as_ref().map_or(ds.clone(), |x| x.span());
            sink.error(
                at,
                t!(
                    "`{key}` 应为 ISO 8601 时长，如 P6M、P1Y、P30D（当前 `{s}`）",
                    "`{key}` must be an ISO 8601 duration such as P6M, P1Y or P30D (is `{s}`)"
                ),
            );
            ok = false;
            return None;
        }
        Some(s)
    };
    let out = match kind.as_str() {
        "annual" => {
            let due = req_str(sink, &r.due, &ds, "due", ctx)?;
            if !is_month_day(&due) {
                let at = r.due.as_ref().map_or(ds.clone(), |x| x.span());
                sink.error(
                    at,
                    t!(
                        "`due` 应为月-日，如 09-30（当前 `{due}`）",
                        "`due` must be a month and day such as 09-30 (is `{due}`)"
                    ),
                );
                return None;
            }
            DeadlineRule::Annual { due }
        }
        "recurring" => DeadlineRule::Recurring {
            period: duration(&r.period, "period", sink)?,
        },
        "retention" => DeadlineRule::Retention {
            period: duration(&r.period, "period", sink)?,
        },
        "triggered" => {
            let within = duration(&r.within, "within", sink);
            let trigger = text(sink, &r.trigger, &ds, "trigger", false, ctx);
            DeadlineRule::Triggered {
                within: within?,
                trigger: trigger?,
            }
        }
        "before_event" => DeadlineRule::BeforeEvent {
            event: text(sink, &r.event, &ds, "event", false, ctx)?,
        },
        "immediate" => DeadlineRule::Immediate {
            event: match &r.event {
                Some(_) => Some(text(sink, &r.event, &ds, "event", false, ctx)?),
                None => None,
            },
        },
        _ => {
            if r.date.is_none() {
                missing(sink, ds.clone(), "date", &ctx.0);
                return None;
            }
            DeadlineRule::Once {
                date: date(sink, &r.date, "date")?,
            }
        }
    };
    let when = match &r.when {
        Some(c) => Some(condition(sink, c, questions, pack_questions)?),
        None => None,
    };
    let origin = value_origin(sink, &r.provenance, &r.source, &r.note, &ds, ctx)?;
    ok.then_some(Deadline {
        rule: out,
        when,
        origin,
    })
}

// ---------------------------------------------------------------- mappings

fn theme(
    sink: &mut Sink<'_>,
    rt: &S<RawTheme>,
    req_at: &HashMap<String, (String, String)>,
    pairs: &mut HashMap<(String, String), String>,
    skip_dangling: bool,
) -> Option<Theme> {
    let ts = rt.span();
    let r = rt.get_ref();
    let none = (String::new(), String::new());
    let id = req_str(sink, &r.id, &ts, "id", &none);
    if let (Some(v), Some(s)) = (&id, &r.id) {
        if !(v.len() == 3 && v.starts_with('X') && v[1..].chars().all(|c| c.is_ascii_digit())) {
            sink.error(
                s.span(),
                t!(
                    "主题标识 `{v}` 应为 X 加两位数字（如 X08）",
                    "theme id `{v}` must be X and two digits (e.g. X08)"
                ),
            );
        }
    }
    let ctx = ctx_of("主题", "theme", id.as_deref());
    let title = text(sink, &r.title, &ts, "title", true, &ctx);
    let mut mappings = Vec::new();
    let mut ok = true;
    for m in &r.mappings {
        let ms = m.span();
        let mr = m.get_ref();
        let from = req_str(sink, &mr.from, &ms, "from", &ctx);
        let to = req_str(sink, &mr.to, &ms, "to", &ctx);
        let relation = one_of(
            sink,
            &mr.relation,
            &ms,
            "relation",
            &[
                ("equal", Relation::Equal),
                ("subset", Relation::Subset),
                ("superset", Relation::Superset),
                ("intersect", Relation::Intersect),
                ("thematic", Relation::Thematic),
            ],
            &ctx,
        );
        let note = match &mr.note {
            Some(_) => text(sink, &mr.note, &ms, "note", false, &ctx),
            None => None,
        };
        let mut ends = BTreeMap::new();
        let dangling = [&from, &to]
            .iter()
            .any(|e| e.as_ref().is_some_and(|rid| !req_at.contains_key(rid)));
        if skip_dangling && dangling {
            continue;
        }
        for (end, key, v) in [(&from, "from", &mr.from), (&to, "to", &mr.to)] {
            let Some(rid) = end else { continue };
            match req_at.get(rid) {
                Some((pack, _)) => {
                    ends.insert(key, pack.clone());
                }
                None => {
                    let at = v.as_ref().map_or(ms.clone(), |x| x.span());
                    sink.error(
                        at,
                        t!(
                            "映射的 `{key}` 指向不存在的要求 `{rid}`",
                            "mapping `{key}` names the requirement `{rid}`, which does not exist"
                        ),
                    );
                    ok = false;
                }
            }
        }
        if let (Some(f), Some(t)) = (&from, &to) {
            if f == t {
                sink.error(
                    ms.clone(),
                    t!(
                        "映射的两端相同（`{f}`）",
                        "the mapping maps `{f}` to itself"
                    ),
                );
                ok = false;
            } else if let (Some(pf), Some(pt)) = (ends.get("from"), ends.get("to")) {
                if pf == pt {
                    sink.error(ms.clone(), t!("映射的两端 `{f}` 与 `{t}` 属于同一检查单 {pf}（映射用于跨检查单）", "`{f}` and `{t}` are in the same pack {pf} (mappings link different packs)"));
                    ok = false;
                }
            }
            let key = if f < t {
                (f.clone(), t.clone())
            } else {
                (t.clone(), f.clone())
            };
            let (line, _) = sink.src.line_col(ms.start);
            let here = format!("{}:{line}", sink.src.name);
            if let Some(prev) = pairs.get(&key) {
                sink.error(
                    ms.clone(),
                    t!(
                        "`{f}` 与 `{t}` 之间的映射重复（先前见 {prev}）",
                        "duplicate mapping between `{f}` and `{t}` (first at {prev})"
                    ),
                );
                ok = false;
            } else {
                pairs.insert(key, here);
            }
        }
        if let (Some(from), Some(to), Some(relation)) = (from, to, relation) {
            mappings.push(Mapping {
                from,
                to,
                relation,
                note,
            });
        } else {
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    Some(Theme {
        id: id?,
        title: title?,
        mappings,
        file: sink.src.name.clone(),
    })
}
