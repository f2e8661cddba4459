//! The validated checklist model: what the rest of the workbench reads.
//! Every value here has passed `validate.rs`; ids are unique, conditions
//! parse and name declared questions, mappings point at real requirements.

use super::condition::{Condition, QuestionKind};
use crate::i18n::{Lang, Text};
use serde::Serialize;

/// The built-in or loaded set of questions, packs and mappings.
#[derive(Debug, Clone, Serialize)]
pub struct Library {
    pub questions: Vec<Question>,
    pub packs: Vec<Pack>,
    pub themes: Vec<Theme>,
    /// The files it was read from, as a project stores them.
    #[serde(skip)]
    pub files: Vec<super::LibraryFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub label: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<QuestionOption>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionOption {
    pub id: String,
    pub label: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    Law,
    Regulation,
    Notice,
    Opinion,
    LocalPlan,
    TaskList,
    PilotNotice,
    NationalStandard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Region {
    #[serde(rename = "CN")]
    National,
    #[serde(rename = "CN-BJ")]
    Beijing,
    #[serde(rename = "CN-SH")]
    Shanghai,
}

impl Region {
    pub fn label(self) -> Text {
        match self {
            Region::National => Text::new("全国", "National"),
            Region::Beijing => Text::new("北京", "Beijing"),
            Region::Shanghai => Text::new("上海", "Shanghai"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    InForce,
    Expired,
    Draft,
}

impl DocStatus {
    pub fn label(self) -> Text {
        match self {
            DocStatus::InForce => Text::new("现行", "in force"),
            DocStatus::Expired => Text::new("已失效", "expired"),
            DocStatus::Draft => Text::new("草案", "draft"),
        }
    }
}

/// Where a piece of content comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Read in the source text itself.
    Text,
    /// Confirmed only by a secondary source.
    Secondary,
    /// Reconstructed or inferred: to be confirmed against the official text.
    Inferred,
    /// Read in a full text that is not the official copy (e.g. a PDF-to-text
    /// extraction): to be checked once against the official text.
    Fulltext,
}

impl Provenance {
    pub fn label(self) -> Text {
        match self {
            Provenance::Text => Text::new("原文", "from the text"),
            Provenance::Secondary => Text::new("二手来源", "secondary source"),
            Provenance::Inferred => Text::new(
                "推断，待与正式文本核对",
                "inferred, to be confirmed against the official text",
            ),
            Provenance::Fulltext => Text::new(
                "依据全文（非官方副本），待与正式文本核对",
                "from the full text (unofficial copy), to be checked against the official text",
            ),
        }
    }

    /// The mark a view shows on content of this provenance, if any.
    pub fn mark(self, lang: Lang) -> Option<&'static str> {
        match self {
            Provenance::Inferred => Some(to_confirm_mark(lang)),
            Provenance::Fulltext => Some(lang.pick(
                "ⓘ 依据非官方全文，待与正式文本核对",
                "ⓘ from an unofficial full text, to be checked against the official text",
            )),
            Provenance::Text | Provenance::Secondary => None,
        }
    }

    /// The value as written in a pack file.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Text => "text",
            Provenance::Secondary => "secondary",
            Provenance::Inferred => "inferred",
            Provenance::Fulltext => "fulltext",
        }
    }
}

/// The mark every view shows on content that is not confirmed.
pub fn to_confirm_mark(lang: Lang) -> &'static str {
    lang.pick(
        "⚠ 待与正式文本核对",
        "⚠ to be confirmed against the official text",
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Obligation {
    Mandatory,
    Conditional,
    Encouraged,
    Pilot,
}

impl Obligation {
    pub fn label(self) -> Text {
        match self {
            Obligation::Mandatory => Text::new("强制", "mandatory"),
            Obligation::Conditional => Text::new("条件性", "conditional"),
            Obligation::Encouraged => Text::new("鼓励", "encouraged"),
            Obligation::Pilot => Text::new("试点", "pilot"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Examine,
    Interview,
    Test,
}

impl Method {
    pub fn label(self) -> Text {
        match self {
            Method::Examine => Text::new("查阅", "examine"),
            Method::Interview => Text::new("访谈", "interview"),
            Method::Test => Text::new("测试", "test"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Pack {
    pub id: String,
    pub version: String,
    pub doc_number: String,
    pub title: Text,
    pub issuer: Text,
    pub doc_type: DocType,
    pub region: Region,
    pub status: DocStatus,
    pub issued: Option<String>,
    pub effective: Option<String>,
    pub source: String,
    pub provenance: Provenance,
    pub note: Option<Text>,
    pub applies_when: Option<Condition>,
    pub questions: Vec<String>,
    pub scoring: Scoring,
    pub excluded: Vec<Excluded>,
    pub sections: Vec<Section>,
    /// The file the pack was read from.
    pub file: String,
}

impl Pack {
    pub fn requirements(&self) -> impl Iterator<Item = &Requirement> {
        self.sections.iter().flat_map(|s| s.requirements.iter())
    }

    pub fn requirement_count(&self) -> usize {
        self.sections.iter().map(|s| s.requirements.len()).sum()
    }

    /// How many requirements have each provenance.
    pub fn provenance_counts(&self) -> ProvenanceCounts {
        let mut c = ProvenanceCounts::default();
        for r in self.requirements() {
            match r.provenance {
                Provenance::Text => c.text += 1,
                Provenance::Secondary => c.secondary += 1,
                Provenance::Inferred => c.inferred += 1,
                Provenance::Fulltext => c.fulltext += 1,
            }
        }
        c
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProvenanceCounts {
    pub text: usize,
    pub secondary: usize,
    pub inferred: usize,
    pub fulltext: usize,
}

impl ProvenanceCounts {
    /// "要求 63 项（原文 0，二手来源 0，推断待核 0，非官方全文待核 63）".
    pub fn describe(&self, total: usize, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "要求 {total} 项（原文 {}，二手来源 {}，推断待核 {}，非官方全文待核 {}）",
                self.text, self.secondary, self.inferred, self.fulltext
            ),
            Lang::En => format!(
                "{total} requirements ({} from the text, {} secondary, {} inferred, {} from an unofficial full text)",
                self.text, self.secondary, self.inferred, self.fulltext
            ),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Scoring {
    /// Credit for 部分符合, 0.0–1.0.
    pub partial: f64,
    /// `exclude`: 不适用 leaves numerator and denominator.
    pub not_applicable: NaRule,
    /// Whether encouraged requirements count towards the score.
    pub encouraged: Inclusion,
    pub veto: VetoRule,
    /// Highest first; the last has `min` 0.
    pub bands: Vec<Band>,
    /// Section rules (e.g. one failed check point fails the whole section).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRule>,
}

/// A scoring rule over the requirements of one section.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRule {
    pub section: String,
    pub rule: GroupKind,
    pub note: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// One requirement judged 不符合 makes every requirement of the section score 0.
    AnyFailFailsAll,
}

impl GroupKind {
    pub fn label(self) -> Text {
        match self {
            GroupKind::AnyFailFailsAll => Text::new(
                "任一项不符合则本部分全部不得分",
                "one non-conformity fails the whole section",
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NaRule {
    Exclude,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Inclusion {
    Include,
    Exclude,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VetoRule {
    /// A veto requirement judged 不符合 puts the pack in the lowest band.
    FailPack,
    /// Veto flags are informational only.
    None,
}

#[derive(Debug, Clone, Serialize)]
pub struct Band {
    pub min: f64,
    pub label: Text,
}

#[derive(Debug, Clone, Serialize)]
pub struct Excluded {
    pub ids: Vec<String>,
    pub clause: String,
    pub reason: Text,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: String,
    pub clause: String,
    pub title: Text,
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub id: String,
    pub clause: String,
    pub title: Text,
    pub text: Text,
    pub obligation: Obligation,
    /// Enterprise types (`ALL` or options of `enterprise_type`).
    pub applies_to: Vec<String>,
    pub when: Option<Condition>,
    pub evidence: EvidenceList,
    pub methods: Vec<Method>,
    pub weight: u8,
    pub veto: bool,
    pub themes: Vec<String>,
    pub provenance: Provenance,
    /// True when the content is inferred: every view shows the *to be confirmed* mark.
    pub to_confirm: bool,
    pub provenance_note: Option<String>,
    pub params: Vec<Param>,
    pub deadlines: Vec<Deadline>,
    pub test: Option<TestMethod>,
    /// Ids of an earlier version of the pack that this requirement replaces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
}

/// Where one value (a parameter or a deadline) comes from, when that differs
/// from the requirement's own provenance or needs a note.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ValueOrigin {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// A citation of another document the value comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

impl ValueOrigin {
    pub fn is_empty(&self) -> bool {
        self.provenance.is_none() && self.source.is_none() && self.note.is_none()
    }

    /// One line for a view: provenance label, source, note; empty when nothing is set.
    pub fn describe(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.provenance {
            parts.push(p.label().get(lang).to_string());
        }
        if let Some(s) = &self.source {
            parts.push(s.clone());
        }
        if let Some(n) = &self.note {
            parts.push(n.get(lang).to_string());
        }
        parts.join(lang.pick("；", "; "))
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EvidenceList {
    pub zh: Vec<String>,
    pub en: Vec<String>,
}

impl EvidenceList {
    pub fn get(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::En if !self.en.is_empty() => &self.en,
            _ => &self.zh,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Param {
    pub key: String,
    pub op: String,
    pub value: f64,
    pub unit: String,
    #[serde(flatten)]
    pub origin: ValueOrigin,
}

/// A dated obligation: the rule, the condition under which it holds, and
/// where the value comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    #[serde(flatten)]
    pub rule: DeadlineRule,
    /// Only when this holds (over the pack's questions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    #[serde(flatten)]
    pub origin: ValueOrigin,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeadlineRule {
    /// Every year by this month and day (`MM-DD`).
    Annual { due: String },
    /// Every `period` (ISO 8601).
    Recurring { period: String },
    /// Keep for at least `period`.
    Retention { period: String },
    /// Within `within` after the trigger happens.
    Triggered { within: String, trigger: Text },
    /// Before each occurrence of the event.
    BeforeEvent { event: Text },
    /// At once when the event happens.
    Immediate { event: Option<Text> },
    /// A one-off date (`YYYY-MM-DD`).
    Once { date: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct TestMethod {
    pub clause: String,
    pub text: Text,
}

#[derive(Debug, Clone, Serialize)]
pub struct Theme {
    pub id: String,
    pub title: Text,
    pub mappings: Vec<Mapping>,
    pub file: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Equal,
    Subset,
    Superset,
    Intersect,
    /// Same theme, no shared demand: nothing is inferred.
    Thematic,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mapping {
    pub from: String,
    pub to: String,
    pub relation: Relation,
    pub note: Option<Text>,
}

impl Library {
    /// The stored form of a pack's file (name, version, SHA-256).
    pub fn pack_file(&self, id: &str) -> Option<&super::LibraryFile> {
        self.files.iter().find(|f| {
            f.pack_id
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(id))
        })
    }

    pub fn pack(&self, id: &str) -> Option<&Pack> {
        self.packs.iter().find(|p| p.id.eq_ignore_ascii_case(id))
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// A requirement and the pack and section holding it.
    pub fn requirement(&self, id: &str) -> Option<(&Pack, &Section, &Requirement)> {
        self.packs.iter().find_map(|p| {
            p.sections.iter().find_map(|s| {
                s.requirements
                    .iter()
                    .find(|r| r.id.eq_ignore_ascii_case(id))
                    .map(|r| (p, s, r))
            })
        })
    }

    /// The mappings that touch a requirement, with the theme they belong to.
    pub fn mappings_of<'a>(
        &'a self,
        id: &'a str,
    ) -> impl Iterator<Item = (&'a Theme, &'a Mapping)> + 'a {
        self.themes.iter().flat_map(move |t| {
            t.mappings
                .iter()
                .filter(move |m| m.from == id || m.to == id)
                .map(move |m| (t, m))
        })
    }
}

impl Relation {
    /// How the relation reads between `from` and `to`.
    pub fn label(self) -> Text {
        match self {
            Relation::Equal => Text::new("等同", "equal"),
            Relation::Subset => Text::new("被包含（对方更严）", "subset (the other is stricter)"),
            Relation::Superset => Text::new("包含（本方更严）", "superset (this one is stricter)"),
            Relation::Intersect => Text::new("部分重叠", "overlapping"),
            Relation::Thematic => {
                Text::new("同一主题（无共同要求）", "same theme (no shared demand)")
            }
        }
    }

    /// The relation seen from the other end.
    pub fn reversed(self) -> Relation {
        match self {
            Relation::Subset => Relation::Superset,
            Relation::Superset => Relation::Subset,
            other => other,
        }
    }
}

/// An ISO 8601 duration of the form the format allows (`P6M`, `P1Y`, `P30D`)
/// in words; anything else is returned as it is.
pub fn duration_text(iso: &str, lang: Lang) -> String {
    let Some(rest) = iso.strip_prefix('P') else {
        return iso.to_string();
    };
    let (n, unit) = rest.split_at(rest.len().saturating_sub(1));
    let Ok(n) = n.parse::<u32>() else {
        return iso.to_string();
    };
    match (unit, lang) {
        ("D", Lang::Zh) => format!("{n}天"),
        ("M", Lang::Zh) => format!("{n}个月"),
        ("Y", Lang::Zh) => format!("{n}年"),
        ("D", Lang::En) => format!("{n} day{}", if n == 1 { "" } else { "s" }),
        ("M", Lang::En) => format!("{n} month{}", if n == 1 { "" } else { "s" }),
        ("Y", Lang::En) => format!("{n} year{}", if n == 1 { "" } else { "s" }),
        _ => iso.to_string(),
    }
}

/// A parameter unit in words.
pub fn unit_text(unit: &str, lang: Lang) -> &str {
    match (unit, lang) {
        ("day", Lang::Zh) => "天",
        ("month", Lang::Zh) => "个月",
        ("year", Lang::Zh) => "年",
        ("percent", _) => "%",
        ("count", Lang::Zh) => "个",
        ("second", Lang::Zh) => "秒",
        ("times_per_year", Lang::Zh) => "次/年",
        ("day", Lang::En) => "days",
        ("month", Lang::En) => "months",
        ("year", Lang::En) => "years",
        ("count", Lang::En) => "",
        ("second", Lang::En) => "s",
        ("times_per_year", Lang::En) => "times a year",
        (other, _) => other,
    }
}

fn rule_text(d: &DeadlineRule, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let text = |zh_s: String, en_s: String| if zh { zh_s } else { en_s };
    match d {
        DeadlineRule::Annual { due } => {
            let (m, day) = due.split_once('-').unwrap_or((due, ""));
            let (m, day) = (m.trim_start_matches('0'), day.trim_start_matches('0'));
            text(
                format!("每年{m}月{day}日前"),
                format!("every year by {due} (MM-DD)"),
            )
        }
        DeadlineRule::Recurring { period } => {
            let p = duration_text(period, lang);
            // "每1年" reads badly: say 每年 / 每月 / 每天 for a period of one.
            let zh_p = p
                .strip_prefix('1')
                .filter(|rest| !rest.starts_with(|c: char| c.is_ascii_digit()))
                .map_or(p.clone(), |rest| rest.trim_start_matches('个').to_string());
            // Likewise "every 1 year" → "every year".
            let en_p = p.strip_prefix("1 ").map_or(p.clone(), str::to_string);
            text(format!("每{zh_p}一次"), format!("every {en_p}"))
        }
        DeadlineRule::Retention { period } => {
            let p = duration_text(period, lang);
            text(format!("保存不少于{p}"), format!("keep for at least {p}"))
        }
        DeadlineRule::Triggered { within, trigger } => {
            let w = duration_text(within, lang);
            text(
                format!("{}后{w}内", trigger.zh),
                format!("within {w} after: {}", trigger.get(lang)),
            )
        }
        DeadlineRule::BeforeEvent { event } => text(
            format!("{}之前", event.zh),
            format!("before: {}", event.get(lang)),
        ),
        DeadlineRule::Immediate { event } => match event {
            Some(e) => text(
                format!("立即（{}）", e.zh),
                format!("immediately ({})", e.get(lang)),
            ),
            None => text("立即".into(), "immediately".into()),
        },
        DeadlineRule::Once { date } => text(format!("{date}前"), format!("by {date}")),
    }
}

impl Deadline {
    /// The deadline in words with its condition: "每1年一次（当 platform_level >= 3）".
    pub fn base_text(&self, lang: Lang) -> String {
        let mut s = rule_text(&self.rule, lang);
        if let Some(w) = &self.when {
            s.push_str(&match lang {
                Lang::Zh => format!("（当 {}）", w.source()),
                Lang::En => format!(" (when {})", w.source()),
            });
        }
        s
    }

    /// [`Deadline::base_text`] and, where set, the basis of the value:
    /// "每1年一次（当 platform_level >= 3）［来源：二手来源；…］".
    pub fn describe(&self, lang: Lang) -> String {
        let mut s = self.base_text(lang);
        push_origin(&mut s, &self.origin, lang);
        s
    }
}

impl Param {
    /// `log_retention >= 6 个月`.
    pub fn base_text(&self, lang: Lang) -> String {
        format!(
            "{} {} {} {}",
            self.key,
            self.op,
            self.value,
            unit_text(&self.unit, lang)
        )
        .trim_end()
        .to_string()
    }

    /// `log_retention >= 6 个月［来源：…］`.
    pub fn describe(&self, lang: Lang) -> String {
        let mut s = self.base_text(lang);
        push_origin(&mut s, &self.origin, lang);
        s
    }
}

/// A parameter or deadline as a view shows it: the value in words and,
/// where the value has a basis of its own, that basis.
#[derive(Debug, Clone, Serialize)]
pub struct ValueLine {
    /// `param` or `deadline`.
    pub kind: &'static str,
    pub text: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

impl Requirement {
    /// Every parameter and deadline in words (zh and en), with its own basis.
    pub fn value_lines(&self) -> Vec<ValueLine> {
        let basis = |o: &ValueOrigin| {
            (!o.is_empty()).then(|| Text::new(o.describe(Lang::Zh), o.describe(Lang::En)))
        };
        self.params
            .iter()
            .map(|p| ValueLine {
                kind: "param",
                text: Text::new(p.base_text(Lang::Zh), p.base_text(Lang::En)),
                basis: basis(&p.origin),
                provenance: p.origin.provenance,
            })
            .chain(self.deadlines.iter().map(|d| ValueLine {
                kind: "deadline",
                text: Text::new(d.base_text(Lang::Zh), d.base_text(Lang::En)),
                basis: basis(&d.origin),
                provenance: d.origin.provenance,
            }))
            .collect()
    }
}

fn push_origin(s: &mut String, o: &ValueOrigin, lang: Lang) {
    if !o.is_empty() {
        s.push_str(&match lang {
            Lang::Zh => format!("［来源：{}］", o.describe(lang)),
            Lang::En => format!(" [basis: {}]", o.describe(lang)),
        });
    }
}
