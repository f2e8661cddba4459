//! `iovaudit calendar`: the compliance calendar of a project (dated
//! obligations, standing obligations, triggered deadlines), its iCalendar
//! export, and the trigger events (`calendar event DIR add|list|remove`).
//! The rules live in `iovaudit::calendar`; this file parses and prints.

use super::project::{json_out, open, open_ro, Ctx};
use clap::{Args, Subcommand};
use iovaudit::calendar::{self as cal, Calendar, ConditionState, DueStatus, Source};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The calendar: `calendar DIR [--from] [--to] [--today] [--json] [--ics OUT.ics]`,
/// or `calendar event DIR add|list|remove`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct CalendarArgs {
    #[command(subcommand)]
    cmd: Option<CalendarSub>,
    /// Project folder / 项目目录
    #[arg(required = true)]
    dir: Option<PathBuf>,
    /// First day (YYYY-MM-DD; default today, plus overdue items) / 起始日期
    #[arg(long)]
    from: Option<String>,
    /// Last day (YYYY-MM-DD; default one year after today) / 结束日期
    #[arg(long)]
    to: Option<String>,
    /// The reference day (YYYY-MM-DD; default the system date) / 以此日期为“今天”
    #[arg(long)]
    today: Option<String>,
    #[arg(long)]
    json: bool,
    /// Also write the dated items as iCalendar (RFC 5545) / 导出 iCalendar 文件
    #[arg(long, value_name = "OUT.ics")]
    ics: Option<PathBuf>,
}

#[derive(Subcommand)]
enum CalendarSub {
    /// Trigger events that start triggered deadlines / 触发事件
    Event {
        dir: PathBuf,
        #[command(subcommand)]
        action: EventAction,
    },
}

#[derive(Subcommand)]
enum EventAction {
    /// Record an event: KIND is a requirement id (SH26-18) or a named kind (change-30) / 记录事件
    Add {
        kind: String,
        /// The day it happened, YYYY-MM-DD / 事件发生日期
        #[arg(long)]
        date: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        json: bool,
        /// Who records it (journalled) / 操作人
        #[arg(long, env = "IOVAUDIT_USER")]
        by: Option<String>,
    },
    /// List the recorded events and the kinds the packs define / 列出事件
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove an event recorded by mistake (journalled) / 删除误记的事件
    Remove {
        id: i64,
        #[arg(long, env = "IOVAUDIT_USER")]
        by: Option<String>,
    },
}

fn pick<'a>(ctx: &Ctx, zh: &'a str, en: &'a str) -> &'a str {
    ctx.lang.pick(zh, en)
}

fn by_name(by: Option<String>) -> String {
    by.or_else(|| std::env::var("USER").ok())
        .unwrap_or_default()
}

/// Parses an optional `--OPTION YYYY-MM-DD`; a bad value is reported (exit 2).
fn date_arg(ctx: &Ctx, option: &str, v: &Option<String>) -> Result<Option<chrono::NaiveDate>, i32> {
    match v {
        None => Ok(None),
        Some(s) => cal::parse_date(s).map(Some).ok_or_else(|| {
            eprintln!(
                "{}",
                pick(
                    ctx,
                    &format!("错误：--{option} 应为日期 YYYY-MM-DD，如 2026-06-01（而不是 `{s}`）"),
                    &format!(
                        "error: --{option} must be a date YYYY-MM-DD, e.g. 2026-06-01 (not `{s}`)"
                    ),
                )
            );
            2
        }),
    }
}

pub fn run(ctx: &Ctx, a: CalendarArgs) -> i32 {
    match a.cmd {
        Some(CalendarSub::Event { dir, action }) => event(ctx, &dir, action),
        None => {
            let Some(dir) = a.dir else {
                return 2;
            };
            show(
                ctx,
                &dir,
                &a.from,
                &a.to,
                &a.today,
                a.json,
                a.ics.as_deref(),
            )
        }
    }
}

fn show(
    ctx: &Ctx,
    dir: &Path,
    from: &Option<String>,
    to: &Option<String>,
    today: &Option<String>,
    json: bool,
    ics: Option<&Path>,
) -> i32 {
    let (from, to, today) = match (
        date_arg(ctx, "from", from),
        date_arg(ctx, "to", to),
        date_arg(ctx, "today", today),
    ) {
        (Ok(f), Ok(t), Ok(d)) => (f, t, d),
        (Err(c), _, _) | (_, Err(c), _) | (_, _, Err(c)) => return c,
    };
    let today = today.unwrap_or_else(|| chrono::Local::now().date_naive());
    let p = match open_ro(ctx, dir) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let c = match cal::calendar(&p, &cal::Options { today, from, to }) {
        Ok(c) => c,
        Err(e) => return ctx.fail(&e),
    };
    drop(p);
    if let Some(out) = ics {
        let text = cal::to_ics(&c, ctx.lang);
        if let Err(e) = iovaudit::fsio::write_atomic(out, text.as_bytes()) {
            let o = out.display();
            eprintln!(
                "{}",
                pick(
                    ctx,
                    &format!("错误：无法写入 {o}：{e}"),
                    &format!("error: cannot write {o}: {e}")
                )
            );
            return 2;
        }
    }
    if json {
        let mut v = match serde_json::to_value(&c) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        };
        v["schema"] = json!(1);
        if let Some(out) = ics {
            v["ics"] = json!(out.display().to_string());
        }
        json_out(&v);
        return 0;
    }
    print_calendar(ctx, &c);
    if let Some(out) = ics {
        let n = c.items.len();
        let o = out.display();
        println!(
            "{}",
            pick(
                ctx,
                &format!("已写入 iCalendar 文件 {o}（{n} 个日程）"),
                &format!("wrote the iCalendar file {o} ({n} events)")
            )
        );
    }
    0
}

fn status_cell(ctx: &Ctx, s: DueStatus) -> String {
    let mark = match s {
        DueStatus::Overdue => "✗",
        DueStatus::DueSoon => "!",
        DueStatus::Done => "✓",
        DueStatus::Upcoming => "·",
    };
    format!("{mark} {}", s.label().get(ctx.lang))
}

/// The lines under an entry: the rule, the condition, the provenance mark.
fn detail_lines(ctx: &Ctx, s: &Source) -> Vec<String> {
    let mut v = vec![s.rule.get(ctx.lang).to_string()];
    if s.condition == ConditionState::Unknown {
        let q = s.open_questions.join(", ");
        v.push(
            pick(
                ctx,
                &format!("适用条件待定（未回答：{q}）"),
                &format!("condition unknown (unanswered: {q})"),
            )
            .to_string(),
        );
    }
    if let Some(m) = s.provenance.mark(ctx.lang) {
        v.push(m.to_string());
    }
    v
}

fn heading(ctx: &Ctx, s: &Source) -> String {
    format!(
        "{}  {}{}  {}",
        s.requirement,
        pick(ctx, "条款 ", "clause "),
        s.clause,
        s.title.get(ctx.lang)
    )
}

fn print_calendar(ctx: &Ctx, c: &Calendar) {
    let indent = " ".repeat(12);
    println!(
        "{}",
        pick(
            ctx,
            &format!(
                "合规日历：{}（今天 {}；{} 至 {}）",
                c.project, c.today, c.from, c.to
            ),
            &format!(
                "Compliance calendar: {} (today {}; {} to {})",
                c.project, c.today, c.from, c.to
            ),
        )
    );
    println!();
    if c.items.is_empty() {
        println!(
            "{}",
            pick(ctx, "（此范围内没有日期）", "(no dates in this range)")
        );
    }
    for o in &c.items {
        let next = if o.next {
            pick(ctx, "  ← 下一次", "  ← next")
        } else {
            ""
        };
        println!(
            "{}  {}  {}{next}",
            o.date,
            status_cell(ctx, o.status),
            heading(ctx, &o.source)
        );
        for l in detail_lines(ctx, &o.source) {
            println!("{indent}{l}");
        }
        if let Some(a) = &o.anchor {
            println!("{indent}{}", a.text.get(ctx.lang));
        }
        if let Some(e) = &o.event {
            println!(
                "{indent}{}",
                pick(
                    ctx,
                    &format!("触发事件 #{}：{}，{}　{}", e.id, e.kind, e.date, e.note),
                    &format!(
                        "trigger event #{}: {}, {}  {}",
                        e.id, e.kind, e.date, e.note
                    ),
                )
                .trim_end()
            );
        }
        if let Some(d) = &o.done_by {
            let what = match (d.kind, d.evidence) {
                ("evidence", Some(id)) => {
                    pick(ctx, &format!("证据 #{id}"), &format!("evidence #{id}")).to_string()
                }
                _ => pick(ctx, "符合结论", "conforming verdict").to_string(),
            };
            println!(
                "{indent}{}",
                pick(
                    ctx,
                    &format!("已完成：{what}（{}）", d.date),
                    &format!("done: {what} ({})", d.date)
                )
            );
        }
    }
    let count = |s: DueStatus| c.items.iter().filter(|o| o.status == s).count();
    println!();
    println!(
        "{}",
        pick(
            ctx,
            &format!(
                "共 {} 个日期：已逾期 {}，30天内到期 {}，未到期 {}，已完成 {}",
                c.items.len(),
                count(DueStatus::Overdue),
                count(DueStatus::DueSoon),
                count(DueStatus::Upcoming),
                count(DueStatus::Done)
            ),
            &format!(
                "{} dates: {} overdue, {} due within 30 days, {} upcoming, {} done",
                c.items.len(),
                count(DueStatus::Overdue),
                count(DueStatus::DueSoon),
                count(DueStatus::Upcoming),
                count(DueStatus::Done)
            ),
        )
    );
    if !c.triggers.is_empty() {
        println!();
        println!(
            "{}",
            pick(
                ctx,
                "触发型期限（用 iovaudit calendar event DIR add 类型 --date 日期 记录事件）：",
                "Triggered deadlines (record events with iovaudit calendar event DIR add KIND --date DATE):"
            )
        );
        for t in &c.triggers {
            println!("  {}", heading(ctx, &t.source));
            for l in detail_lines(ctx, &t.source) {
                println!("      {l}");
            }
            let kinds = t.event_kinds.join(", ");
            let evs = if t.events.is_empty() {
                pick(ctx, "尚无", "none").to_string()
            } else {
                t.events
                    .iter()
                    .map(|i| format!("#{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!(
                "      {}",
                pick(
                    ctx,
                    &format!("事件类型：{kinds}；已记录事件：{evs}"),
                    &format!("event kinds: {kinds}; recorded events: {evs}")
                )
            );
        }
    }
    if !c.standing.is_empty() {
        println!();
        println!(
            "{}",
            pick(
                ctx,
                "常设义务（无固定日期：保存期限、事前、立即）：",
                "Standing obligations (no calendar date: retention, before an event, at once):"
            )
        );
        for s in &c.standing {
            println!("  {}", heading(ctx, &s.source));
            for l in detail_lines(ctx, &s.source) {
                println!("      {l}");
            }
        }
    }
    if !c.unmatched_events.is_empty() {
        let ids = c
            .unmatched_events
            .iter()
            .map(|i| format!("#{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        println!();
        println!(
            "{}",
            pick(
                ctx,
                &format!("注意：事件 {ids} 的类型不再对应本项目检查单中的触发型期限"),
                &format!("note: the kind of event(s) {ids} no longer matches a triggered deadline of the project's packs")
            )
        );
    }
}

fn event(ctx: &Ctx, dir: &Path, action: EventAction) -> i32 {
    match action {
        EventAction::Add {
            kind,
            date,
            note,
            json,
            by,
        } => {
            let mut p = match open(ctx, dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let (ev, _) = match cal::add_event(&mut p, &by_name(by), &kind, &date, &note) {
                Ok(x) => x,
                Err(e) => return ctx.fail(&e),
            };
            let dues = match cal::event_dues(&p, &ev) {
                Ok(d) => d,
                Err(e) => return ctx.fail(&e),
            };
            if json {
                json_out(&json!({"schema": 1, "event": ev, "dues": dues}));
                return 0;
            }
            println!(
                "{}",
                pick(
                    ctx,
                    &format!("已记录事件 #{}：{}，{}", ev.id, ev.kind, ev.date),
                    &format!("recorded event #{}: {}, {}", ev.id, ev.kind, ev.date)
                )
            );
            for d in &dues {
                let title = d.title.get(ctx.lang);
                let na = if d.applicable {
                    ""
                } else {
                    pick(
                        ctx,
                        "（按适用范围不适用，不列入日历）",
                        " (not applicable under the scope: not in the calendar)",
                    )
                };
                println!(
                    "  {}",
                    pick(
                        ctx,
                        &format!("{} {title}：{} 前{na}", d.requirement, d.due),
                        &format!("{} {title}: due by {}{na}", d.requirement, d.due)
                    )
                );
            }
            0
        }
        EventAction::List { json } => {
            let p = match open_ro(ctx, dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let (events, kinds) = match (cal::list_events(&p), cal::event_kinds(&p)) {
                (Ok(e), Ok(k)) => (e, k),
                (Err(e), _) | (_, Err(e)) => return ctx.fail(&e),
            };
            if json {
                json_out(&json!({"schema": 1, "events": events, "kinds": kinds}));
                return 0;
            }
            if events.is_empty() {
                println!("{}", pick(ctx, "（尚无事件）", "(no events)"));
            }
            for e in &events {
                println!(
                    "#{}  {}  {}  {}  {}",
                    e.id, e.date, e.kind, e.recorded_by, e.note
                );
            }
            println!();
            println!("{}", pick(ctx, "可用的事件类型：", "Event kinds:"));
            if kinds.is_empty() {
                println!(
                    "  {}",
                    pick(
                        ctx,
                        "（本项目的检查单中没有触发型期限）",
                        "(the project's packs have no triggered deadline)"
                    )
                );
            }
            for k in &kinds {
                println!(
                    "  {}  → {}  {}",
                    k.name,
                    k.requirements.join(", "),
                    k.trigger.get(ctx.lang)
                );
            }
            0
        }
        EventAction::Remove { id, by } => {
            let mut p = match open(ctx, dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            match cal::remove_event(&mut p, &by_name(by), id) {
                Ok(ev) => {
                    println!(
                        "{}",
                        pick(
                            ctx,
                            &format!("已删除事件 #{}（{}，{}）", ev.id, ev.kind, ev.date),
                            &format!("removed event #{} ({}, {})", ev.id, ev.kind, ev.date)
                        )
                    );
                    0
                }
                Err(e) => ctx.fail(&e),
            }
        }
    }
}
