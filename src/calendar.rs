//! The compliance calendar (合规日历): the dated obligations the project's
//! packs declare (`deadlines` of each requirement), for the requirements that
//! apply under the project's scope, with their next occurrence and a status;
//! the trigger events the user records (a 30 % change of the important data →
//! the filing is due three months later); and the calendar as RFC 5545
//! (iCalendar) text.
//!
//! Rules (see `docs/cli-json.md`, "calendar"):
//! - A requirement ruled out by the scope, or judged 不适用 by a person, has no
//!   calendar entries. A requirement or deadline whose condition is still
//!   *unknown* (an unanswered question) is listed, marked with the open
//!   questions, never dropped.
//! - `annual` (MM-DD) occurs every year; `once` on its date; `recurring`
//!   (every P) is anchored on the date of the requirement's conforming verdict
//!   when there is one on or before today, else on the project's creation date,
//!   and occurs at anchor + P, + 2P, …; `triggered` occurs `within` after each
//!   recorded event of a kind tied to it.
//! - `retention`, `before_event` and `immediate` are not calendar dates: they
//!   are listed as standing obligations.
//! - Status of an occurrence on day D: *done* when the requirement has a
//!   confirmed conforming verdict, or linked evidence, dated in its period and
//!   on or before today; else *overdue* when D is before today, *due soon* when
//!   D is within [`DUE_SOON_DAYS`] days, *upcoming* otherwise. The period of an
//!   annual occurrence is its calendar year (work done late in the year still
//!   completes it); of a recurring one, from the day after the previous
//!   occurrence to D; of a triggered one, from the event's day on; a once
//!   deadline's period is open. Dates of verdicts and evidence (collection
//!   date) are read in China Standard Time (UTC+8).
//! - Event kinds are tied to the pack data: every requirement with a
//!   `triggered` deadline is a kind under its own id (`SH26-18`), and a
//!   requirement whose parameters declare `change_threshold` in percent also
//!   answers to `change-<N>` (SH26-18 declares 30 → `change-30`). One event
//!   starts every triggered deadline its kind names.
//!
//! The module never prints and never writes files: [`to_ics`] returns text.

use crate::assess::{self, Applicability, Verdict};
use crate::i18n::{Lang, Text};
use crate::pack::{DeadlineRule, Pack, Provenance, Requirement, Truth};
use crate::project::{now, Project, ProjectError, Result};
use crate::t;
use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate};
use icalendar::{Component, EventLike};
use rusqlite::params;
use serde::Serialize;
use std::collections::BTreeMap;

/// An occurrence this many days ahead or fewer is *due soon*.
pub const DUE_SOON_DAYS: u64 = 30;
/// The longest range a calendar may span, in years.
pub const MAX_RANGE_YEARS: u32 = 25;

/// What the caller asks for. `today` is the reference day (the CLI's
/// `--today`, else the system date); without `from` the calendar starts
/// today and adds each deadline's latest past occurrence when it is overdue;
/// without `to` it ends one year after today.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub today: NaiveDate,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The status of one occurrence as of `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    Upcoming,
    DueSoon,
    Overdue,
    Done,
}

impl DueStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DueStatus::Upcoming => "upcoming",
            DueStatus::DueSoon => "due_soon",
            DueStatus::Overdue => "overdue",
            DueStatus::Done => "done",
        }
    }
    pub fn label(self) -> Text {
        match self {
            DueStatus::Upcoming => Text::new("未到期", "upcoming"),
            DueStatus::DueSoon => Text::new("30天内到期", "due within 30 days"),
            DueStatus::Overdue => Text::new("已逾期", "overdue"),
            DueStatus::Done => Text::new("已完成", "done"),
        }
    }
}

/// Whether the conditions of a requirement and its deadline hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionState {
    Holds,
    /// A question it depends on is unanswered.
    Unknown,
}

/// Where a requirement and one of its deadlines come from.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub pack: String,
    pub doc_number: String,
    pub requirement: String,
    pub clause: String,
    pub title: Text,
    /// 1-based position of the deadline in the requirement's `deadlines`.
    pub deadline: usize,
    /// The requirement's provenance (views show its mark).
    pub provenance: Provenance,
    /// The deadline in words, with its condition and basis.
    pub rule: Text,
    pub condition: ConditionState,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub open_questions: Vec<String>,
}

/// What a recurring deadline is counted from.
#[derive(Debug, Clone, Serialize)]
pub struct Anchor {
    /// `verdict` (the requirement's conforming verdict) or `project_created`.
    pub source: &'static str,
    pub date: String,
    pub text: Text,
}

/// What makes an occurrence done.
#[derive(Debug, Clone, Serialize)]
pub struct DoneBy {
    /// `verdict` or `evidence`.
    pub kind: &'static str,
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<i64>,
}

/// One dated occurrence of an obligation.
#[derive(Debug, Clone, Serialize)]
pub struct Occurrence {
    /// Deterministic: `<requirement>.<deadline>-<YYYYMMDD>[.e<event>]@iovaudit`.
    pub uid: String,
    pub date: String,
    pub status: DueStatus,
    /// True for the first occurrence of its deadline on or after today.
    pub next: bool,
    /// `annual`, `recurring`, `once` or `triggered`.
    pub kind: &'static str,
    #[serde(flatten)]
    pub source: Source,
    /// First day of the period whose work counts (none: no start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_from: Option<String>,
    /// Last day of that period (none: no end; late work still counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_by: Option<DoneBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<Anchor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<Event>,
}

/// An obligation without a calendar date (retention, before an event, at once).
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    /// `retention`, `before_event` or `immediate`.
    pub kind: &'static str,
    #[serde(flatten)]
    pub source: Source,
}

/// A triggered deadline and the event kinds that start it.
#[derive(Debug, Clone, Serialize)]
pub struct Trigger {
    /// ISO 8601 duration after the event.
    pub within: String,
    pub event_kinds: Vec<String>,
    /// Recorded events that start it.
    pub events: Vec<i64>,
    #[serde(flatten)]
    pub source: Source,
}

/// A recorded trigger event.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub date: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// An event kind the project's packs define.
#[derive(Debug, Clone, Serialize)]
pub struct EventKind {
    pub name: String,
    /// Requirements whose triggered deadlines an event of this kind starts.
    pub requirements: Vec<String>,
    /// The trigger as the first of them words it.
    pub trigger: Text,
}

/// The calendar of a project.
#[derive(Debug, Clone, Serialize)]
pub struct Calendar {
    pub project: String,
    pub today: String,
    pub from: String,
    pub to: String,
    pub due_soon_days: u64,
    /// Dated occurrences, by date.
    pub items: Vec<Occurrence>,
    pub standing: Vec<Standing>,
    pub triggers: Vec<Trigger>,
    pub events: Vec<Event>,
    /// Recorded events whose kind the project's packs no longer define.
    pub unmatched_events: Vec<i64>,
    pub event_kinds: Vec<EventKind>,
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Parses `YYYY-MM-DD` (exactly), for dates the user gives.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The day (China Standard Time) of a stored timestamp: RFC 3339, or a
/// value starting with `YYYY-MM-DD`.
fn day_of(ts: &str) -> Option<NaiveDate> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(ts.trim()) {
        let cst = FixedOffset::east_opt(8 * 3600)?;
        return Some(dt.with_timezone(&cst).date_naive());
    }
    NaiveDate::parse_from_str(ts.trim().get(..10)?, "%Y-%m-%d").ok()
}

/// `date` + `n` times the ISO 8601 duration `iso` (`P3M`, `P1Y`, `P30D`).
fn add_duration(date: NaiveDate, iso: &str, n: u32) -> Option<NaiveDate> {
    let rest = iso.strip_prefix('P')?;
    let unit = rest.chars().last()?;
    let count: u32 = rest.get(..rest.len() - 1)?.parse().ok()?;
    let count = count.checked_mul(n)?;
    match unit {
        'D' => date.checked_add_days(Days::new(u64::from(count))),
        'M' => date.checked_add_months(Months::new(count)),
        'Y' => date.checked_add_months(Months::new(count.checked_mul(12)?)),
        _ => None,
    }
}

/// `MM-DD` in `year`; 29 February falls on the 28th in other years.
fn month_day(year: i32, due: &str) -> Option<NaiveDate> {
    let (m, d) = due.split_once('-')?;
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    NaiveDate::from_ymd_opt(year, m, d).or_else(|| {
        (m == 2 && d == 29)
            .then(|| NaiveDate::from_ymd_opt(year, 2, 28))
            .flatten()
    })
}

// ------------------------------------------------------------------ events

/// The event kinds the project's packs define (see the module doc).
pub fn event_kinds(project: &Project) -> Result<Vec<EventKind>> {
    let mut by_id: Vec<EventKind> = Vec::new();
    let mut named: BTreeMap<String, EventKind> = BTreeMap::new();
    for pack in project.packs()? {
        for req in pack.requirements() {
            let Some(trigger) = req.deadlines.iter().find_map(|d| match &d.rule {
                DeadlineRule::Triggered { trigger, .. } => Some(trigger.clone()),
                _ => None,
            }) else {
                continue;
            };
            by_id.push(EventKind {
                name: req.id.clone(),
                requirements: vec![req.id.clone()],
                trigger: trigger.clone(),
            });
            for p in &req.params {
                if p.key == "change_threshold"
                    && p.unit == "percent"
                    && p.value.fract() == 0.0
                    && p.value > 0.0
                    && p.value <= 1000.0
                {
                    let name = format!("change-{}", p.value as u32);
                    let k = named.entry(name.clone()).or_insert_with(|| EventKind {
                        name,
                        requirements: vec![],
                        trigger: trigger.clone(),
                    });
                    if !k.requirements.contains(&req.id) {
                        k.requirements.push(req.id.clone());
                    }
                }
            }
        }
    }
    by_id.extend(named.into_values());
    Ok(by_id)
}

fn find_kind<'a>(kinds: &'a [EventKind], name: &str) -> Option<&'a EventKind> {
    kinds
        .iter()
        .find(|k| k.name.eq_ignore_ascii_case(name.trim()))
}

/// The recorded events, oldest first.
pub fn list_events(project: &Project) -> Result<Vec<Event>> {
    let mut st = project
        .conn()
        .prepare(
            "SELECT id, kind, date, note, recorded_by, recorded_at FROM calendar_event ORDER BY date, id",
        )
        .map_err(|e| project.db_err(e))?;
    let rows = st
        .query_map([], |r| {
            Ok(Event {
                id: r.get(0)?,
                kind: r.get(1)?,
                date: r.get(2)?,
                note: r.get(3)?,
                recorded_by: r.get(4)?,
                recorded_at: r.get(5)?,
            })
        })
        .and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| project.db_err(e))?;
    Ok(rows)
}

/// Records a trigger event of `kind` (a requirement id or a named kind, see
/// [`event_kinds`]) that happened on `date` (`YYYY-MM-DD`). Journalled
/// (`calendar.event.add`); refused when the project is approved.
pub fn add_event(
    project: &mut Project,
    by: &str,
    kind: &str,
    date: &str,
    note: &str,
) -> Result<(Event, EventKind)> {
    let kinds = event_kinds(project)?;
    let Some(k) = find_kind(&kinds, kind).cloned() else {
        let kind = kind.trim();
        if kinds.is_empty() {
            return Err(ProjectError::invalid(t!(
                "没有事件类型 `{kind}`：本项目的检查单中没有触发型期限",
                "no event kind `{kind}`: the project's packs have no triggered deadline"
            )));
        }
        let known = kinds
            .iter()
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ProjectError::invalid(t!(
            "没有事件类型 `{kind}`（本项目可用：{known}）",
            "no event kind `{kind}` (this project's kinds: {known})"
        )));
    };
    let Some(day) = parse_date(date) else {
        let date = date.trim();
        return Err(ProjectError::invalid(t!(
            "事件日期应为 YYYY-MM-DD，如 2026-05-12（而不是 `{date}`）",
            "the event date must be YYYY-MM-DD, e.g. 2026-05-12 (not `{date}`)"
        )));
    };
    let day = ymd(day);
    let note = note.trim().to_string();
    let at = now();
    let detail = serde_json::json!({
        "kind": k.name, "date": day, "note": note, "requirements": k.requirements,
    });
    let name = k.name.clone();
    let id = project.change(by, "calendar.event.add", detail, |tx| {
        tx.execute(
            "INSERT INTO calendar_event (kind, date, note, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, day, note, by.trim(), at],
        )?;
        Ok(tx.last_insert_rowid())
    })?;
    let event = Event {
        id,
        kind: k.name.clone(),
        date: day,
        note,
        recorded_by: by.trim().to_string(),
        recorded_at: at,
    };
    Ok((event, k))
}

/// A deadline an event starts.
#[derive(Debug, Clone, Serialize)]
pub struct EventDue {
    pub requirement: String,
    pub clause: String,
    pub title: Text,
    pub within: String,
    pub due: String,
    /// False when the scope rules the requirement out (then it is not in the calendar).
    pub applicable: bool,
}

/// The deadlines `event` starts, with their due dates.
pub fn event_dues(project: &Project, event: &Event) -> Result<Vec<EventDue>> {
    let kinds = event_kinds(project)?;
    let Some(kind) = find_kind(&kinds, &event.kind) else {
        return Ok(Vec::new());
    };
    let Some(day) = parse_date(&event.date) else {
        return Ok(Vec::new());
    };
    let answers = assess::scope(project)?;
    let mut out = Vec::new();
    for pack in project.packs()? {
        for req in pack.requirements() {
            if !kind.requirements.contains(&req.id) {
                continue;
            }
            let applicable = !matches!(
                assess::applicability(project.library(), pack, req, &answers),
                Applicability::NotApplicable { .. }
            );
            for d in &req.deadlines {
                if let DeadlineRule::Triggered { within, .. } = &d.rule {
                    if let Some(due) = add_duration(day, within, 1) {
                        out.push(EventDue {
                            requirement: req.id.clone(),
                            clause: req.clause.clone(),
                            title: req.title.clone(),
                            within: within.clone(),
                            due: ymd(due),
                            applicable,
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Removes a recorded event (a mistake); the journal keeps both entries.
pub fn remove_event(project: &mut Project, by: &str, id: i64) -> Result<Event> {
    let Some(ev) = list_events(project)?.into_iter().find(|e| e.id == id) else {
        return Err(ProjectError::invalid(t!(
            "没有编号为 {id} 的事件（iovaudit calendar event DIR list 查看）",
            "no event {id} (see iovaudit calendar event DIR list)"
        )));
    };
    let detail = serde_json::json!({"id": id, "kind": ev.kind, "date": ev.date});
    project.change(by, "calendar.event.remove", detail, |tx| {
        tx.execute("DELETE FROM calendar_event WHERE id = ?1", params![id])?;
        Ok(())
    })?;
    Ok(ev)
}

// ------------------------------------------------------------------ calendar

/// Dated work that can make an occurrence done.
struct Work {
    verdict: Option<NaiveDate>,
    evidence: Vec<(NaiveDate, i64)>,
}

impl Work {
    /// The work dated in the period `start..=end` (either end open); the
    /// verdict first, else the latest evidence.
    fn done_in(&self, start: Option<NaiveDate>, end: Option<NaiveDate>) -> Option<DoneBy> {
        let inside = |d: NaiveDate| start.is_none_or(|s| d >= s) && end.is_none_or(|e| d <= e);
        if let Some(v) = self.verdict.filter(|d| inside(*d)) {
            return Some(DoneBy {
                kind: "verdict",
                date: ymd(v),
                evidence: None,
            });
        }
        self.evidence
            .iter()
            .filter(|(d, _)| inside(*d))
            .max()
            .map(|(d, id)| DoneBy {
                kind: "evidence",
                date: ymd(*d),
                evidence: Some(*id),
            })
    }
}

fn evidence_dates(project: &Project) -> Result<BTreeMap<String, Vec<(NaiveDate, i64)>>> {
    let mut st = project
        .conn()
        .prepare(
            "SELECT l.requirement, e.id, e.collected_at FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id",
        )
        .map_err(|e| project.db_err(e))?;
    let rows: Vec<(String, i64, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    let mut m: BTreeMap<String, Vec<(NaiveDate, i64)>> = BTreeMap::new();
    for (req, id, at) in rows {
        if let Some(d) = day_of(&at) {
            m.entry(req).or_default().push((d, id));
        }
    }
    Ok(m)
}

fn status_of(date: NaiveDate, today: NaiveDate, done: bool) -> DueStatus {
    if done {
        DueStatus::Done
    } else if date < today {
        DueStatus::Overdue
    } else if today
        .checked_add_days(Days::new(DUE_SOON_DAYS))
        .is_none_or(|soon| date <= soon)
    {
        DueStatus::DueSoon
    } else {
        DueStatus::Upcoming
    }
}

/// One generated occurrence before selection: its day, its period (first
/// and last day, either open), the event that started it.
struct Raw {
    date: NaiveDate,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    event: Option<Event>,
}

fn source_of(pack: &Pack, req: &Requirement, index: usize, condition_open: Vec<String>) -> Source {
    let d = &req.deadlines[index];
    Source {
        pack: pack.id.clone(),
        doc_number: pack.doc_number.clone(),
        requirement: req.id.clone(),
        clause: req.clause.clone(),
        title: req.title.clone(),
        deadline: index + 1,
        provenance: req.provenance,
        rule: Text::new(d.describe(Lang::Zh), d.describe(Lang::En)),
        condition: if condition_open.is_empty() {
            ConditionState::Holds
        } else {
            ConditionState::Unknown
        },
        open_questions: condition_open,
    }
}

/// Builds the calendar of `project` for `opts`.
pub fn calendar(project: &Project, opts: &Options) -> Result<Calendar> {
    let today = opts.today;
    let from = opts.from.unwrap_or(today);
    let to = match opts.to {
        Some(t) => t,
        None => today
            .checked_add_months(Months::new(12))
            .unwrap_or(NaiveDate::MAX),
    };
    if from > to {
        let (f, t) = (ymd(from), ymd(to));
        return Err(ProjectError::invalid(t!(
            "起始日期 {f} 晚于结束日期 {t}（--from / --to）",
            "the start date {f} is after the end date {t} (--from / --to)"
        )));
    }
    if from
        .checked_add_months(Months::new(MAX_RANGE_YEARS * 12))
        .is_some_and(|limit| to > limit)
    {
        let (f, t, n) = (ymd(from), ymd(to), MAX_RANGE_YEARS);
        return Err(ProjectError::invalid(t!(
            "日历范围 {f} 至 {t} 过长（最多 {n} 年）",
            "the calendar range {f} to {t} is too long (at most {n} years)"
        )));
    }
    let meta = project.meta()?;
    let created = day_of(&meta.created_at).unwrap_or(today);
    let answers = assess::scope(project)?;
    let recorded = assess::recorded_verdicts(project)?;
    let evidence = evidence_dates(project)?;
    let events = list_events(project)?;
    let kinds = event_kinds(project)?;
    let lib = project.library();
    let get = |q: &str| answers.get(q).cloned();

    let mut items = Vec::new();
    let mut standing = Vec::new();
    let mut triggers = Vec::new();
    let mut matched: Vec<i64> = Vec::new();

    for pack in project.packs()? {
        for req in pack.requirements() {
            if req.deadlines.is_empty() {
                continue;
            }
            let open = match assess::applicability(lib, pack, req, &answers) {
                Applicability::NotApplicable { .. } => continue,
                Applicability::Open { questions } => questions,
                Applicability::Applicable => Vec::new(),
            };
            let rec = recorded.get(&req.id);
            if rec.is_some_and(|r| r.verdict == Verdict::Na && r.confirmed) {
                continue;
            }
            // Work dated on or before today counts.
            let work = Work {
                verdict: rec
                    .filter(|r| r.verdict == Verdict::Conform && r.confirmed)
                    .and_then(|r| day_of(&r.at))
                    .filter(|d| *d <= today),
                evidence: evidence
                    .get(&req.id)
                    .map(|v| v.iter().copied().filter(|(d, _)| *d <= today).collect())
                    .unwrap_or_default(),
            };
            for (i, d) in req.deadlines.iter().enumerate() {
                let mut open = open.clone();
                if let Some(w) = &d.when {
                    match w.eval(&get) {
                        Truth::False => continue,
                        Truth::Unknown => {
                            for q in w.questions() {
                                if !answers.contains_key(q) && !open.iter().any(|o| o == q) {
                                    open.push(q.to_string());
                                }
                            }
                        }
                        Truth::True => {}
                    }
                }
                let source = source_of(pack, req, i, open);
                let mut anchor = None;
                let (kind, raws): (&'static str, Vec<Raw>) = match &d.rule {
                    DeadlineRule::Retention { .. } => {
                        standing.push(Standing {
                            kind: "retention",
                            source,
                        });
                        continue;
                    }
                    DeadlineRule::BeforeEvent { .. } => {
                        standing.push(Standing {
                            kind: "before_event",
                            source,
                        });
                        continue;
                    }
                    DeadlineRule::Immediate { .. } => {
                        standing.push(Standing {
                            kind: "immediate",
                            source,
                        });
                        continue;
                    }
                    DeadlineRule::Annual { due } => {
                        let mut v = Vec::new();
                        for y in from.min(today).year() - 1..=to.year() {
                            if let Some(date) = month_day(y, due) {
                                v.push(Raw {
                                    date,
                                    start: NaiveDate::from_ymd_opt(y, 1, 1),
                                    end: NaiveDate::from_ymd_opt(y, 12, 31),
                                    event: None,
                                });
                            }
                        }
                        ("annual", v)
                    }
                    DeadlineRule::Once { date } => {
                        let v = parse_date(date)
                            .map(|date| Raw {
                                date,
                                start: None,
                                end: None,
                                event: None,
                            })
                            .into_iter()
                            .collect();
                        ("once", v)
                    }
                    DeadlineRule::Recurring { period } => {
                        let (a, a_source, text) = match work.verdict {
                            Some(v) => {
                                let s = ymd(v);
                                (
                                    v,
                                    "verdict",
                                    t!(
                                        "自符合结论日期 {s} 起算",
                                        "counted from the conforming verdict of {s}"
                                    ),
                                )
                            }
                            None => {
                                let s = ymd(created);
                                (
                                    created,
                                    "project_created",
                                    t!(
                                        "尚无符合结论，自项目创建日期 {s} 起算",
                                        "no conforming verdict yet: counted from the project's creation on {s}"
                                    ),
                                )
                            }
                        };
                        anchor = Some(Anchor {
                            source: a_source,
                            date: ymd(a),
                            text,
                        });
                        let mut v = Vec::new();
                        let mut prev = a;
                        for k in 1..=100_000u32 {
                            let Some(date) = add_duration(a, period, k) else {
                                break;
                            };
                            if date > to {
                                break;
                            }
                            v.push(Raw {
                                date,
                                start: prev.succ_opt(),
                                end: Some(date),
                                event: None,
                            });
                            prev = date;
                        }
                        ("recurring", v)
                    }
                    DeadlineRule::Triggered { within, .. } => {
                        let names: Vec<String> = kinds
                            .iter()
                            .filter(|k| k.requirements.contains(&req.id))
                            .map(|k| k.name.clone())
                            .collect();
                        let mine: Vec<&Event> = events
                            .iter()
                            .filter(|e| names.iter().any(|n| n.eq_ignore_ascii_case(&e.kind)))
                            .collect();
                        matched.extend(mine.iter().map(|e| e.id));
                        triggers.push(Trigger {
                            within: within.clone(),
                            event_kinds: names,
                            events: mine.iter().map(|e| e.id).collect(),
                            source: source.clone(),
                        });
                        let v = mine
                            .into_iter()
                            .filter_map(|e| {
                                let day = parse_date(&e.date)?;
                                Some(Raw {
                                    date: add_duration(day, within, 1)?,
                                    start: Some(day),
                                    end: None,
                                    event: Some(e.clone()),
                                })
                            })
                            .collect();
                        ("triggered", v)
                    }
                };
                // Selection: the range; without --from, also the latest past
                // occurrence of the deadline (of each event) when overdue.
                let next_date = raws.iter().map(|r| r.date).filter(|d| *d >= today).min();
                let mut groups: BTreeMap<Option<i64>, Vec<Raw>> = BTreeMap::new();
                for r in raws {
                    groups
                        .entry(r.event.as_ref().map(|e| e.id))
                        .or_default()
                        .push(r);
                }
                for (_, group) in groups {
                    let last_past = group
                        .iter()
                        .filter(|r| r.date < today)
                        .map(|r| r.date)
                        .max();
                    for r in group {
                        let done = work.done_in(r.start, r.end);
                        let status = status_of(r.date, today, done.is_some());
                        let in_range = r.date >= from && r.date <= to;
                        let overdue_kept = opts.from.is_none()
                            && Some(r.date) == last_past
                            && status == DueStatus::Overdue;
                        if !in_range && !overdue_kept {
                            continue;
                        }
                        let stamp = r.date.format("%Y%m%d");
                        let uid = match &r.event {
                            Some(e) => {
                                format!("{}.{}-{stamp}.e{}@iovaudit", req.id, i + 1, e.id)
                            }
                            None => format!("{}.{}-{stamp}@iovaudit", req.id, i + 1),
                        };
                        let next = match &r.event {
                            Some(_) => r.date >= today,
                            None => Some(r.date) == next_date,
                        };
                        items.push(Occurrence {
                            uid,
                            date: ymd(r.date),
                            status,
                            next,
                            kind,
                            source: source.clone(),
                            period_from: r.start.map(ymd),
                            period_to: r.end.map(ymd),
                            done_by: done,
                            anchor: anchor.clone(),
                            event: r.event,
                        });
                    }
                }
            }
        }
    }
    items.sort_by(|a, b| {
        (
            &a.date,
            &a.source.pack,
            &a.source.requirement,
            a.source.deadline,
            &a.uid,
        )
            .cmp(&(
                &b.date,
                &b.source.pack,
                &b.source.requirement,
                b.source.deadline,
                &b.uid,
            ))
    });
    let unmatched_events = events
        .iter()
        .filter(|e| !matched.contains(&e.id))
        .map(|e| e.id)
        .collect();
    Ok(Calendar {
        project: meta.name,
        today: ymd(today),
        from: ymd(from),
        to: ymd(to),
        due_soon_days: DUE_SOON_DAYS,
        items,
        standing,
        triggers,
        events,
        unmatched_events,
        event_kinds: kinds,
    })
}

// ------------------------------------------------------------------ iCalendar

/// The calendar's dated occurrences as RFC 5545 text: one all-day VEVENT per
/// occurrence (DTSTART;VALUE=DATE, DTEND the next day), UID as in
/// [`Occurrence::uid`], DTSTAMP the reference day at 00:00 UTC (so the same
/// state and `today` give the same bytes), SUMMARY in `lang`, DESCRIPTION
/// with the requirement id, clause, document number, the rule and the status.
pub fn to_ics(cal: &Calendar, lang: Lang) -> String {
    let stamp = parse_date(&cal.today)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or_default();
    let mut out = icalendar::Calendar::empty();
    out.append_property(icalendar::Property::new("VERSION", "2.0"));
    out.append_property(icalendar::Property::new(
        "PRODID",
        format!(
            "-//iovaudit//compliance calendar {}//ZH",
            crate::APP_VERSION
        ),
    ));
    out.append_property(icalendar::Property::new("CALSCALE", "GREGORIAN"));
    out.append_property(icalendar::Property::new("METHOD", "PUBLISH"));
    out.name(&format!(
        "{}{}",
        lang.pick("合规日历：", "Compliance calendar: "),
        cal.project
    ));
    for o in &cal.items {
        let Some(day) = parse_date(&o.date) else {
            continue;
        };
        let s = &o.source;
        let mut lines = vec![
            match lang {
                Lang::Zh => format!("要求：{}（条款 {}）", s.requirement, s.clause),
                Lang::En => format!("Requirement: {} (clause {})", s.requirement, s.clause),
            },
            format!(
                "{}{} {}",
                lang.pick("文件：", "Document: "),
                s.pack,
                s.doc_number
            ),
            format!("{}{}", lang.pick("期限：", "Deadline: "), s.rule.get(lang)),
            match lang {
                Lang::Zh => format!("状态（截至 {}）：{}", cal.today, o.status.label().zh),
                Lang::En => format!("Status (as of {}): {}", cal.today, o.status.label().en),
            },
        ];
        if let Some(a) = &o.anchor {
            lines.push(a.text.get(lang).to_string());
        }
        if let Some(e) = &o.event {
            lines.push(match lang {
                Lang::Zh => format!("触发事件 #{}：{}，{}　{}", e.id, e.kind, e.date, e.note),
                Lang::En => format!(
                    "Trigger event #{}: {}, {}  {}",
                    e.id, e.kind, e.date, e.note
                ),
            });
        }
        if s.condition == ConditionState::Unknown {
            lines.push(format!(
                "{}{}",
                lang.pick("适用条件待定，未回答：", "condition unknown, unanswered: "),
                s.open_questions.join(", ")
            ));
        }
        if let Some(m) = s.provenance.mark(lang) {
            lines.push(m.to_string());
        }
        let mut ev = icalendar::Event::new();
        ev.uid(&o.uid)
            .timestamp(stamp)
            .starts(day)
            .ends(day.succ_opt().unwrap_or(day))
            .summary(&match lang {
                Lang::Zh => format!("{}（{}）", s.title.zh, s.requirement),
                Lang::En => format!("{} ({})", s.title.get(lang), s.requirement),
            })
            .description(lines.join("\n").trim_end())
            .add_property("CATEGORIES", s.pack.as_str())
            .add_property("TRANSP", "TRANSPARENT");
        out.push(ev.done());
    }
    out.to_string()
}
