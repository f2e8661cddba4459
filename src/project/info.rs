//! Project information (项目信息): everything a regulator-grade report states
//! about the assessment besides its results — report number, the assessed
//! party (被评估单位), the commissioning party (委托单位), the assessing
//! institution (评估机构) and its qualification marks, the team with roles
//! and certificate numbers, tools, the assessed objects, purpose, boundary,
//! schedule, distribution, the time zone reports are dated in, and two flags
//! of the review (`require_evidence`, `assessee_statement`).
//!
//! Owns the table `project_info` (schema 4): one row per top-level key of
//! [`Info`], its value as JSON, with who set it and when. Every change goes
//! through [`set`] (one journal entry `info.set` listing the changed keys and
//! their new values); [`set_field`] is the CLI's `project info DIR set PATH
//! VALUE`; [`parse_file`] reads a whole `Info` from TOML or JSON (how a lab
//! usually fills it). Everything is validated here, in the core, so the app
//! gets the same refusals: credit codes (GB 32100-2015 alphabet and check
//! character), dates, the time zone (an IANA name), platform levels 1–5.
//!
//! Other rows of the table whose key is not a field of [`Info`] belong to
//! other modules (e.g. `evidence_reasons`, owned by [`crate::assess`]) and
//! are ignored here.

use super::{now, ChangeError, Project, ProjectError, Result};
use crate::i18n::Text;
use crate::t;
use crate::timefmt::{self, Tz};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;

/// A party: the assessed organisation, the client or the institution.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Party {
    pub name: String,
    /// 统一社会信用代码 (GB 32100-2015): 18 characters with a check character.
    pub credit_code: String,
    pub address: String,
    pub contact: String,
    pub phone: String,
    pub email: String,
    /// 网络安全责任人
    pub security_officer: String,
}

/// The part a team member plays in the 编制/审核/批准 block.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// 编制
    Author,
    /// 审核
    Reviewer,
    /// 批准
    Approver,
    /// 项目负责人（组长）
    Lead,
    /// 评估人员
    Member,
}

impl TeamRole {
    pub fn label(self) -> Text {
        match self {
            TeamRole::Author => Text::new("编制", "prepared by"),
            TeamRole::Reviewer => Text::new("审核", "reviewed by"),
            TeamRole::Approver => Text::new("批准", "approved by"),
            TeamRole::Lead => Text::new("项目负责人", "team lead"),
            TeamRole::Member => Text::new("评估人员", "assessor"),
        }
    }
}

/// A member of the assessment team.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Member {
    pub name: String,
    /// Free text as the institution writes it: 组长, 测评师, 审核, 批准…
    pub role: String,
    /// Certificate number (e.g. a CCSRP/CISP/测评师 certificate).
    pub cert_no: String,
    /// Where the member signs in the 编制/审核/批准 block, if anywhere.
    pub kind: Option<TeamRole>,
}

/// A tool used in the assessment.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
    pub purpose: String,
}

/// A platform (e.g. a TSP/车联网服务平台) with its protection level and filing number.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Platform {
    pub name: String,
    /// 网络安全防护等级 / 等级保护级别, 1–5.
    pub level: Option<u8>,
    /// 备案编号
    pub filing_no: String,
}

/// A vehicle type (车型) with its software versions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct VehicleType {
    pub name: String,
    pub model: String,
    pub software_version: String,
}

/// An app (手机 App, 车机应用…).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct App {
    pub name: String,
    pub version: String,
}

/// What was assessed (评估对象).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Objects {
    pub platforms: Vec<Platform>,
    pub vehicles: Vec<VehicleType>,
    pub apps: Vec<App>,
    /// The data catalogue in scope (数据目录), free text.
    pub data_catalogue: String,
}

/// When the assessment ran, `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Schedule {
    pub start: Option<String>,
    pub end: Option<String>,
}

/// Everything the report states about the assessment besides its results.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Info {
    /// In the institution's own numbering scheme.
    pub report_number: String,
    /// 被评估单位
    pub assessee: Party,
    /// 委托单位
    pub client: Party,
    /// 评估机构
    pub assessor_org: Party,
    /// The institution's qualification marks; printed only if non-empty.
    pub qualifications: Vec<String>,
    pub team: Vec<Member>,
    pub tools: Vec<Tool>,
    pub objects: Objects,
    pub purpose: String,
    pub boundary: String,
    pub schedule: Schedule,
    pub methods_note: String,
    pub distribution: Vec<String>,
    /// IANA name (`Asia/Shanghai`): reports and times are shown in this zone.
    pub time_zone: Option<String>,
    /// Third-party projects: every 符合/不符合 and every veto item needs linked
    /// evidence or a recorded reason before approval.
    pub require_evidence: bool,
    /// The assessed party signed its statement of truthfulness.
    pub assessee_statement: bool,
}

impl Info {
    /// The top-level keys, in declaration order (= the rows of `project_info`).
    pub fn keys() -> Vec<String> {
        match serde_json::to_value(Info::default()) {
            Ok(Value::Object(m)) => m.keys().cloned().collect(),
            _ => vec![],
        }
    }

    /// Members who sign in a given part of the 编制/审核/批准 block.
    pub fn signers(&self, kind: TeamRole) -> impl Iterator<Item = &Member> {
        self.team.iter().filter(move |m| m.kind == Some(kind))
    }

    /// The zone this project's dates are printed in: its own, else `system`.
    pub fn zone(&self, system: Tz) -> Tz {
        self.time_zone
            .as_deref()
            .and_then(timefmt::parse_zone)
            .unwrap_or(system)
    }

    /// Every problem, each naming its field (`assessee.credit_code`) in zh and en.
    pub fn problems(&self) -> Vec<Text> {
        let mut out = Vec::new();
        for (key, p) in [
            ("assessee", &self.assessee),
            ("client", &self.client),
            ("assessor_org", &self.assessor_org),
        ] {
            let code = p.credit_code.trim();
            if !code.is_empty() {
                if let Err(why) = check_credit_code(code) {
                    let f = format!("{key}.credit_code");
                    out.push(Text::new(
                        format!("{f}：统一社会信用代码「{code}」无效：{}", why.zh),
                        format!(
                            "{f}: the unified social credit code `{code}` is invalid: {}",
                            why.en
                        ),
                    ));
                }
            }
        }
        for (f, d) in [
            ("schedule.start", &self.schedule.start),
            ("schedule.end", &self.schedule.end),
        ] {
            if let Some(d) = d {
                if !timefmt::is_date(d) {
                    out.push(t!(
                        "{f}：应为日期，如 2026-12-06（而不是「{d}」）",
                        "{f}: must be a date such as 2026-12-06 (not `{d}`)"
                    ));
                }
            }
        }
        if let (Some(s), Some(e)) = (&self.schedule.start, &self.schedule.end) {
            if timefmt::is_date(s) && timefmt::is_date(e) && s > e {
                out.push(t!(
                    "schedule：开始日期 {s} 晚于结束日期 {e}",
                    "schedule: the start {s} is after the end {e}"
                ));
            }
        }
        if let Some(z) = &self.time_zone {
            if timefmt::parse_zone(z).is_none() {
                out.push(t!(
                    "time_zone：「{z}」不是已知的时区名（应为 IANA 名称，如 Asia/Shanghai）",
                    "time_zone: `{z}` is not a known time zone (use an IANA name such as Asia/Shanghai)"
                ));
            }
        }
        for (i, p) in self.objects.platforms.iter().enumerate() {
            if let Some(l) = p.level {
                if !(1..=5).contains(&l) {
                    out.push(t!(
                        "objects.platforms.{i}.level：防护等级应为 1–5（而不是 {l}）",
                        "objects.platforms.{i}.level: the protection level must be 1–5 (not {l})"
                    ));
                }
            }
        }
        out
    }

    /// [`Info::problems`] as one error, or Ok.
    pub fn validate(&self) -> Result<()> {
        let p = self.problems();
        if p.is_empty() {
            return Ok(());
        }
        let zh = p
            .iter()
            .map(|t| t.zh.as_str())
            .collect::<Vec<_>>()
            .join("；");
        let en = p
            .iter()
            .map(|t| t.en.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Err(ProjectError::invalid(Text::new(
            format!("项目信息有误：{zh}"),
            format!("invalid project information: {en}"),
        )))
    }
}

/// The 31 characters of GB 32100-2015, in the order of their values 0–30.
const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character (18th) of a credit code's first 17 characters, or
/// `None` when one of them is outside the alphabet.
pub fn credit_code_check(first17: &str) -> Option<char> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in chars.iter().zip(CREDIT_WEIGHTS) {
        let v = CREDIT_ALPHABET.find(*c)? as u32;
        sum += v * w;
    }
    let check = (31 - sum % 31) % 31;
    CREDIT_ALPHABET.chars().nth(check as usize)
}

/// Checks a 统一社会信用代码: 18 characters of the GB 32100 alphabet (digits
/// and capitals without I, O, S, V, Z), the last one its check character.
pub fn check_credit_code(code: &str) -> std::result::Result<(), Text> {
    let n = code.chars().count();
    if n != 18 {
        return Err(t!(
            "应为 18 位（现为 {n} 位）",
            "it must have 18 characters (has {n})"
        ));
    }
    if let Some(c) = code.chars().find(|c| !CREDIT_ALPHABET.contains(*c)) {
        return Err(t!(
            "含有不允许的字符「{c}」（只能是数字和除 I、O、S、V、Z 外的大写字母）",
            "it contains `{c}` (only digits and capitals other than I, O, S, V, Z are allowed)"
        ));
    }
    let first: String = code.chars().take(17).collect();
    let want = credit_code_check(&first).unwrap_or('?');
    let got = code.chars().nth(17).unwrap_or('?');
    if want != got {
        return Err(t!(
            "校验位应为「{want}」而不是「{got}」",
            "its check character should be `{want}`, not `{got}`"
        ));
    }
    Ok(())
}

fn bad_json(key: &str, e: impl std::fmt::Display) -> ProjectError {
    ProjectError::invalid(t!(
        "项目信息「{key}」无法读取：{e}",
        "project information `{key}` cannot be read: {e}"
    ))
}

/// The stored rows of `project_info` whose key is a field of [`Info`].
fn stored(project: &Project) -> Result<Map<String, Value>> {
    let keys = Info::keys();
    let mut st = project
        .conn()
        .prepare("SELECT key, value FROM project_info ORDER BY key")
        .map_err(|e| project.db_err(e))?;
    let rows: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    let mut m = Map::new();
    for (k, v) in rows {
        if keys.contains(&k) {
            let v: Value = serde_json::from_str(&v).map_err(|e| bad_json(&k, e))?;
            m.insert(k, v);
        }
    }
    Ok(m)
}

/// The project's information (defaults for what was never set).
pub fn info(project: &Project) -> Result<Info> {
    let m = stored(project)?;
    serde_json::from_value(Value::Object(m)).map_err(|e| bad_json("*", e))
}

/// The zone the project's dates are shown in: its own `time_zone`, else
/// `system` (which the CLI/app determines from `TZ` or the OS).
pub fn time_zone(project: &Project, system: Tz) -> Result<Tz> {
    Ok(info(project)?.zone(system))
}

fn to_map(info: &Info) -> Result<Map<String, Value>> {
    match serde_json::to_value(info) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad_json("*", "not an object")),
        Err(e) => Err(bad_json("*", e)),
    }
}

/// Replaces the project's information with `new` (validated first). One
/// journal entry `info.set` lists the changed keys and their new values;
/// nothing is written when nothing changed.
pub fn set(project: &mut Project, by: &str, new: &Info) -> Result<()> {
    new.validate()?;
    let old = to_map(&info(project)?)?;
    let newm = to_map(new)?;
    let blank = to_map(&Info::default())?;
    let changed: Vec<(String, Value)> = newm
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let detail = serde_json::json!({
        "changed": changed.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        "values": changed.iter().cloned().collect::<Map<_, _>>(),
    });
    let at = now();
    project.change(by, "info.set", detail, |tx| {
        for (k, v) in &changed {
            if blank.get(k) == Some(v) {
                tx.execute("DELETE FROM project_info WHERE key = ?1", params![k])?;
            } else {
                let json = serde_json::to_string(v)
                    .map_err(|e| ChangeError::Project(bad_json(k, e)))?;
                tx.execute(
                    "INSERT INTO project_info (key, value, set_by, set_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
                    params![k, json, by.trim(), at],
                )?;
            }
        }
        Ok(())
    })
}

fn unknown_path(path: &str, known: &[String]) -> ProjectError {
    let k = known.join(", ");
    ProjectError::invalid(t!(
        "没有项目信息字段「{path}」（此处可用：{k}）",
        "no project information field `{path}` (here: {k})"
    ))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "on" => Some(true),
        "false" | "no" | "n" | "0" | "否" | "off" => Some(false),
        _ => None,
    }
}

/// Sets one field by its dotted path (`assessee.credit_code`,
/// `schedule.start`, `objects.platforms.0.level`, `require_evidence`).
/// A text field takes the value as it is; a yes/no field takes
/// true/false/yes/no/是/否; a number takes a number; a list or a group
/// (`team`, `objects.platforms`, `assessee`) takes JSON. An empty value
/// clears an optional field (`time_zone`, `schedule.end`).
pub fn set_field(project: &mut Project, by: &str, path: &str, value: &str) -> Result<()> {
    let cur = info(project)?;
    let new = with_field(&cur, path, value)?;
    set(project, by, &new)
}

/// `info` with one field changed (see [`set_field`]); validates nothing but types.
pub fn with_field(info: &Info, path: &str, value: &str) -> Result<Info> {
    let mut root = Value::Object(to_map(info)?);
    let segs: Vec<&str> = path.split('.').map(str::trim).collect();
    if segs.iter().any(|s| s.is_empty()) {
        return Err(unknown_path(path, &Info::keys()));
    }
    let mut node = &mut root;
    for s in &segs {
        node = match node {
            Value::Object(m) => {
                let known: Vec<String> = m.keys().cloned().collect();
                match m.get_mut(*s) {
                    Some(n) => n,
                    None => return Err(unknown_path(path, &known)),
                }
            }
            Value::Array(a) => {
                let n = a.len();
                match s.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                    Some(x) => x,
                    None => {
                        return Err(ProjectError::invalid(t!(
                            "「{path}」：列表只有 {n} 项，序号从 0 开始",
                            "`{path}`: the list has {n} item(s), numbered from 0"
                        )))
                    }
                }
            }
            _ => return Err(unknown_path(path, &[])),
        };
    }
    let v = value.trim();
    let type_err = |what_zh: &str, what_en: &str| {
        ProjectError::invalid(Text::new(
            format!("「{path}」应为{what_zh}（而不是「{v}」）"),
            format!("`{path}` takes {what_en} (not `{v}`)"),
        ))
    };
    let json = |zh: &str, en: &str| -> Result<Value> {
        serde_json::from_str::<Value>(v).map_err(|e| {
            ProjectError::invalid(Text::new(
                format!("「{path}」应为 JSON {zh}：{e}"),
                format!("`{path}` takes a JSON {en}: {e}"),
            ))
        })
    };
    *node = match node {
        Value::String(_) => Value::String(value.to_string()),
        Value::Bool(_) => {
            Value::Bool(parse_bool(v).ok_or_else(|| type_err("是/否（yes/no）", "yes or no"))?)
        }
        Value::Number(_) => Value::Number(
            v.parse::<u64>()
                .map_err(|_| type_err("数字", "a number"))?
                .into(),
        ),
        Value::Array(_) => json("列表", "list")?,
        Value::Object(_) => json("对象", "object")?,
        Value::Null if v.is_empty() => Value::Null,
        Value::Null => match v.parse::<u64>() {
            Ok(n) => Value::Number(n.into()),
            Err(_) => Value::String(value.to_string()),
        },
    };
    // An emptied text: `null` where the field is optional (time_zone,
    // schedule.end), else the empty text.
    if v.is_empty() && matches!(node, Value::String(_)) {
        *node = Value::Null;
        if let Ok(i) = serde_json::from_value::<Info>(root.clone()) {
            return Ok(i);
        }
        let ptr: String = segs
            .iter()
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect();
        if let Some(n) = root.pointer_mut(&ptr) {
            *n = Value::String(String::new());
        }
    }
    serde_json::from_value::<Info>(root).map_err(|e| {
        ProjectError::invalid(t!(
            "「{path}」的值「{v}」不合要求：{e}",
            "`{path}`: the value `{v}` does not fit: {e}"
        ))
    })
}

/// Reads a whole [`Info`] from a `.toml` or `.json` file (validated).
/// Errors name the file and, for TOML, the line and column.
pub fn parse_file(path: &Path) -> Result<Info> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ProjectError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let info: Info = match ext.as_str() {
        "toml" => toml::from_str(&text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let before = &text[..s.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    (line, col)
                })
                .unwrap_or((0, 0));
            let msg = e.message().to_string();
            let (l, c) = at;
            ProjectError::invalid(t!(
                "{name}:{l}:{c}：项目信息文件有误：{msg}",
                "{name}:{l}:{c}: invalid project information file: {msg}"
            ))
        })?,
        "json" => serde_json::from_str(&text).map_err(|e| {
            let (l, c) = (e.line(), e.column());
            ProjectError::invalid(t!(
                "{name}:{l}:{c}：项目信息文件有误：{e}",
                "{name}:{l}:{c}: invalid project information file: {e}"
            ))
        })?,
        _ => {
            return Err(ProjectError::invalid(t!(
                "{name}：项目信息文件应为 .toml 或 .json",
                "{name}: a project information file must be .toml or .json"
            )))
        }
    };
    info.validate().map_err(|e| match e {
        ProjectError::Invalid(t) => ProjectError::invalid(Text::new(
            format!("{name}：{}", t.zh),
            format!("{name}: {}", t.en),
        )),
        other => other,
    })?;
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes() {
        // A published example code (GB 32100-2015 appendix style).
        let first = "91310115MA1K4A2B3";
        let c = credit_code_check(first).expect("check");
        let code = format!("{first}{c}");
        assert!(check_credit_code(&code).is_ok());
        let wrong = if c == '0' { '1' } else { '0' };
        assert!(check_credit_code(&format!("{first}{wrong}")).is_err());
        assert!(check_credit_code("91310115MA1K4A2B3").is_err());
        assert!(check_credit_code("91310115MA1K4A2BIO").is_err());
    }

    #[test]
    fn dotted_paths() {
        let i = Info::default();
        let i = with_field(&i, "assessee.name", "某某汽车有限公司").expect("name");
        assert_eq!(i.assessee.name, "某某汽车有限公司");
        let i = with_field(&i, "require_evidence", "是").expect("bool");
        assert!(i.require_evidence);
        let i = with_field(&i, "time_zone", "Asia/Shanghai").expect("tz");
        assert_eq!(i.time_zone.as_deref(), Some("Asia/Shanghai"));
        let i = with_field(&i, "time_zone", "").expect("clear");
        assert_eq!(i.time_zone, None);
        let i = with_field(&i, "objects.platforms", r#"[{"name":"TSP","level":3}]"#).expect("json");
        let i = with_field(&i, "objects.platforms.0.filing_no", "31011500001-00001").expect("idx");
        assert_eq!(i.objects.platforms[0].filing_no, "31011500001-00001");
        assert!(with_field(&i, "assessee.nmae", "x").is_err());
        assert!(with_field(&i, "objects.platforms.3.name", "x").is_err());
        assert!(with_field(&i, "team", "not json").is_err());
    }
}
