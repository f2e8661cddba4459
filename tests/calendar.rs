//! The compliance calendar through the CLI: the demo project's Shanghai and
//! GB 44495 dates for a given "today", statuses, conditions left unknown,
//! recorded trigger events (a 30 % change → the filing three months later),
//! recurring deadlines and their anchor, bad input, and the iCalendar export
//! read back by an independent parser (Python `icalendar`, installed by
//! scripts/setup.sh; the test fails when it is missing).

mod common;
use common::{run, scratch};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn demo(name: &str) -> PathBuf {
    let dir = scratch(name).join("demo.iovaudit");
    let r = run(&["demo", s(&dir)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    dir
}

fn json(args: &[&str]) -> Value {
    let r = run(args);
    assert_eq!(r.code, 0, "{args:?}\n{}{}", r.stdout, r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

fn items(cal: &Value) -> &Vec<Value> {
    cal["items"].as_array().expect("items")
}

/// (date, status) of every item of `req`, in date order.
fn dates_of(cal: &Value, req: &str) -> Vec<(String, String)> {
    items(cal)
        .iter()
        .filter(|i| i["requirement"] == req)
        .map(|i| {
            (
                i["date"].as_str().unwrap_or_default().to_string(),
                i["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn day(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// The day (UTC+8) of an RFC 3339 timestamp, as the calendar reads it.
fn cst_day(ts: &str) -> chrono::NaiveDate {
    let dt = chrono::DateTime::parse_from_rfc3339(ts).expect("rfc3339");
    dt.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .date_naive()
}

/// The recorded verdict time of `req` (`assess list --json`).
fn verdict_at(dir: &Path, req: &str) -> Option<String> {
    let v = json(&["assess", "list", s(dir), "--json"]);
    let rows = v
        .get("requirements")
        .or_else(|| v.get("statuses"))
        .and_then(Value::as_array)
        .cloned()
        .or_else(|| v.as_array().cloned())
        .expect("assess list rows");
    rows.iter()
        .find(|r| r["requirement"] == req)
        .and_then(|r| r["recorded"]["at"].as_str().map(str::to_string))
}

#[test]
fn demo_lists_the_shanghai_and_gb44495_dates_for_a_given_today() {
    let dir = demo("calendar_demo");
    let cal = json(&[
        "calendar",
        s(&dir),
        "--today",
        "2026-06-01",
        "--from",
        "2026-01-01",
        "--to",
        "2028-12-31",
        "--json",
    ]);
    assert_eq!(cal["schema"], 1);
    assert_eq!(cal["today"], "2026-06-01");
    assert_eq!(cal["from"], "2026-01-01");
    assert_eq!(cal["to"], "2028-12-31");

    // SH26-05: every year by 10 March. The demo judges it conformant on the
    // day it is made; that verdict completes the year it falls in, and only
    // if it is not after "today".
    let v = cst_day(&verdict_at(&dir, "SH26-05").expect("demo verdict on SH26-05"));
    let done_2026 = v.format("%Y").to_string() == "2026" && v <= day("2026-06-01");
    assert_eq!(
        dates_of(&cal, "SH26-05"),
        vec![
            (
                "2026-03-10".into(),
                if done_2026 { "done" } else { "overdue" }.into()
            ),
            ("2027-03-10".into(), "upcoming".into()),
            ("2028-03-10".into(), "upcoming".into()),
        ]
    );
    // The 2026 task list's one-off dates.
    assert_eq!(
        dates_of(&cal, "SH26-17"),
        vec![("2026-07-31".into(), "upcoming".into())]
    );
    for req in ["SH26-20", "SH26-24", "SH26-28"] {
        assert!(
            dates_of(&cal, req).contains(&("2026-11-30".into(), "upcoming".into())),
            "{req}: {:?}",
            dates_of(&cal, req)
        );
    }
    // SH26-09 has one deadline per level present; the demo has L3 and L2.
    let sh09: Vec<&Value> = items(&cal)
        .iter()
        .filter(|i| i["requirement"] == "SH26-09")
        .collect();
    assert_eq!(sh09.len(), 2);
    assert!(sh09.iter().all(|i| i["date"] == "2026-11-30"));
    assert_ne!(sh09[0]["uid"], sh09[1]["uid"]);
    // 15 December (secondary source) every year.
    assert_eq!(
        dates_of(&cal, "SH26-21")
            .iter()
            .filter(|(d, _)| d.ends_with("-12-15"))
            .count(),
        3
    );
    // GB 44495: the demo's vehicle type is a new type → 2026-07-01, exactly
    // 30 days after "today" → due soon; the 2028-01-01 date of existing types
    // does not apply.
    assert_eq!(
        dates_of(&cal, "GB44495-10"),
        vec![("2026-07-01".into(), "due_soon".into())]
    );
    let gb = items(&cal)
        .iter()
        .find(|i| i["requirement"] == "GB44495-10")
        .expect("GB44495-10");
    assert_eq!(gb["doc_number"], "GB 44495—2024");
    assert_eq!(gb["clause"], "10");
    assert_eq!(gb["kind"], "once");
    assert_eq!(gb["condition"], "holds");
    assert_eq!(gb["provenance"], "fulltext");
    // Items come in date order.
    let all: Vec<&str> = items(&cal)
        .iter()
        .map(|i| i["date"].as_str().expect("date"))
        .collect();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    // Standing obligations are listed apart, and never as dates.
    let standing = cal["standing"].as_array().expect("standing");
    assert!(standing
        .iter()
        .any(|x| x["requirement"] == "N134-17" && x["kind"] == "retention"));
    assert!(standing
        .iter()
        .any(|x| x["requirement"] == "SH26-34" && x["kind"] == "immediate"));
    assert!(!items(&cal).iter().any(|i| i["requirement"] == "N134-17"));
    // The triggered deadline waits for an event, and names its kinds.
    let trig = cal["triggers"].as_array().expect("triggers");
    assert_eq!(trig.len(), 1);
    assert_eq!(trig[0]["requirement"], "SH26-18");
    assert_eq!(trig[0]["within"], "P3M");
    assert_eq!(
        trig[0]["event_kinds"],
        serde_json::json!(["SH26-18", "change-30"])
    );

    // Default range: from today to a year later, plus overdue past dates.
    let def = json(&["calendar", s(&dir), "--today", "2026-06-01", "--json"]);
    assert_eq!(def["from"], "2026-06-01");
    assert_eq!(def["to"], "2027-06-01");
    let sh05 = dates_of(&def, "SH26-05");
    if done_2026 {
        assert_eq!(sh05, vec![("2027-03-10".into(), "upcoming".into())]);
    } else {
        assert_eq!(
            sh05,
            vec![
                ("2026-03-10".into(), "overdue".into()),
                ("2027-03-10".into(), "upcoming".into())
            ]
        );
    }
    let next: Vec<&Value> = items(&def)
        .iter()
        .filter(|i| i["requirement"] == "SH26-05" && i["next"] == true)
        .collect();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0]["date"], "2027-03-10");

    // After the date, GB 44495's new-type date is overdue (nothing shows
    // GB44495-10 conformant).
    let later = json(&["calendar", s(&dir), "--today", "2026-07-02", "--json"]);
    assert_eq!(
        dates_of(&later, "GB44495-10"),
        vec![("2026-07-01".into(), "overdue".into())]
    );

    // Human output, zh and en.
    let zh = run(&["calendar", s(&dir), "--today", "2026-06-01"]);
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    assert!(
        zh.stdout.contains("2026-07-01  ! 30天内到期  GB44495-10"),
        "{}",
        zh.stdout
    );
    assert!(zh.stdout.contains("常设义务"), "{}", zh.stdout);
    assert!(zh.stdout.contains("ⓘ 依据非官方全文"), "{}", zh.stdout);
    let en = run(&["--lang", "en", "calendar", s(&dir), "--today", "2026-06-01"]);
    assert_eq!(en.code, 0, "{}", en.stderr);
    assert!(
        en.stdout
            .contains("2026-07-01  ! due within 30 days  GB44495-10"),
        "{}",
        en.stdout
    );
    assert!(en.stdout.contains("Standing obligations"), "{}", en.stdout);
    assert!(
        en.stdout.contains("event kinds: SH26-18, change-30"),
        "{}",
        en.stdout
    );
}

#[test]
fn existing_types_get_2028_and_unknown_conditions_are_listed_not_dropped() {
    let dir = demo("calendar_existing");
    let r = run(&[
        "scope",
        "set",
        s(&dir),
        "approval_stage=existing_type",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let cal = json(&[
        "calendar",
        s(&dir),
        "--today",
        "2026-06-01",
        "--to",
        "2028-06-30",
        "--json",
    ]);
    assert_eq!(
        dates_of(&cal, "GB44495-10"),
        vec![("2028-01-01".into(), "upcoming".into())]
    );

    // A fresh project with no answers: both GB 44495 dates, each marked
    // "condition unknown" with the questions still open.
    let root = scratch("calendar_unknown");
    let p = root.join("p.iovaudit");
    let r = run(&[
        "project",
        "init",
        s(&p),
        "--name",
        "日历",
        "--assessee",
        "某企业",
        "--packs",
        "GB44495,SH26",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let cal = json(&[
        "calendar",
        s(&p),
        "--today",
        "2026-06-01",
        "--to",
        "2028-06-30",
        "--json",
    ]);
    let gb: Vec<&Value> = items(&cal)
        .iter()
        .filter(|i| i["requirement"] == "GB44495-10")
        .collect();
    assert_eq!(gb.len(), 2, "{gb:?}");
    for i in &gb {
        assert_eq!(i["condition"], "unknown");
        let open: Vec<&str> = i["open_questions"]
            .as_array()
            .expect("open")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(open.contains(&"approval_stage"), "{open:?}");
        assert!(open.contains(&"enterprise_type"), "{open:?}");
    }
    // SH26-20 depends on important_data: unknown now, gone once answered no.
    assert!(items(&cal)
        .iter()
        .any(|i| i["requirement"] == "SH26-20" && i["condition"] == "unknown"));
    let zh = run(&["calendar", s(&p), "--today", "2026-06-01"]);
    assert!(
        zh.stdout.contains("适用条件待定（未回答："),
        "{}",
        zh.stdout
    );
    let r = run(&["scope", "set", s(&p), "important_data=no", "--by", "t"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let cal = json(&["calendar", s(&p), "--today", "2026-06-01", "--json"]);
    assert!(!items(&cal).iter().any(|i| i["requirement"] == "SH26-20"));
    assert!(!cal["triggers"]
        .as_array()
        .expect("triggers")
        .iter()
        .any(|t| t["requirement"] == "SH26-18"));
}

#[test]
fn a_recorded_30_percent_change_yields_a_deadline_three_months_later() {
    let dir = demo("calendar_event");
    let r = run(&[
        "calendar",
        "event",
        s(&dir),
        "add",
        "change-30",
        "--date",
        "2026-05-12",
        "--note",
        "重要数据存储总量增长35%",
        "--by",
        "tester",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("SH26-18"), "{}", r.stdout);
    assert!(r.stdout.contains("2026-08-12"), "{}", r.stdout);

    let cal = json(&["calendar", s(&dir), "--today", "2026-06-01", "--json"]);
    let ev: Vec<&Value> = items(&cal)
        .iter()
        .filter(|i| i["kind"] == "triggered")
        .collect();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0]["requirement"], "SH26-18");
    assert_eq!(ev[0]["date"], "2026-08-12");
    assert_eq!(ev[0]["status"], "upcoming");
    assert_eq!(ev[0]["period_from"], "2026-05-12");
    assert_eq!(ev[0]["event"]["kind"], "change-30");
    assert_eq!(ev[0]["event"]["date"], "2026-05-12");
    assert_eq!(ev[0]["uid"], "SH26-18.1-20260812.e1@iovaudit");
    assert_eq!(cal["triggers"][0]["events"], serde_json::json!([1]));
    // Within 30 days of the due date it is due soon; after it, overdue.
    let soon = json(&["calendar", s(&dir), "--today", "2026-07-20", "--json"]);
    assert_eq!(
        dates_of(&soon, "SH26-18"),
        vec![("2026-08-12".into(), "due_soon".into())]
    );
    let late = json(&["calendar", s(&dir), "--today", "2026-09-01", "--json"]);
    assert_eq!(
        dates_of(&late, "SH26-18"),
        vec![("2026-08-12".into(), "overdue".into())]
    );

    // By requirement id (any case); three months after 30 November is the
    // end of February.
    let r = run(&[
        "calendar",
        "event",
        s(&dir),
        "add",
        "sh26-18",
        "--date",
        "2026-11-30",
        "--by",
        "tester",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let added: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(added["event"]["kind"], "SH26-18");
    assert_eq!(added["dues"][0]["due"], "2027-02-28");
    let cal = json(&[
        "calendar",
        s(&dir),
        "--today",
        "2026-06-01",
        "--to",
        "2027-12-31",
        "--json",
    ]);
    assert_eq!(
        dates_of(&cal, "SH26-18"),
        vec![
            ("2026-08-12".into(), "upcoming".into()),
            ("2027-02-28".into(), "upcoming".into())
        ]
    );

    // Journalled; listed; removable.
    let j = run(&["journal", "list", s(&dir)]);
    assert!(j.stdout.contains("calendar.event.add"), "{}", j.stdout);
    let list = json(&["calendar", "event", s(&dir), "list", "--json"]);
    assert_eq!(list["events"].as_array().map(Vec::len), Some(2));
    assert!(list["kinds"]
        .as_array()
        .expect("kinds")
        .iter()
        .any(|k| k["name"] == "change-30" && k["requirements"] == serde_json::json!(["SH26-18"])));
    let r = run(&[
        "calendar",
        "event",
        s(&dir),
        "remove",
        "2",
        "--by",
        "tester",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let j = run(&["journal", "list", s(&dir)]);
    assert!(j.stdout.contains("calendar.event.remove"), "{}", j.stdout);
    let cal = json(&["calendar", s(&dir), "--today", "2026-06-01", "--json"]);
    assert_eq!(dates_of(&cal, "SH26-18").len(), 1);
    let v = json(&["journal", "verify", s(&dir), "--json"]);
    assert_eq!(v["ok"], true, "{v}");

    // Bad input names what is wrong, zh and en; nothing is recorded.
    let r = run(&[
        "calendar",
        "event",
        s(&dir),
        "add",
        "change-50",
        "--date",
        "2026-05-12",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("没有事件类型 `change-50`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("SH26-18, change-30"), "{}", r.stderr);
    let r = run(&[
        "--lang",
        "en",
        "calendar",
        "event",
        s(&dir),
        "add",
        "change-30",
        "--date",
        "2026-02-30",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("the event date must be YYYY-MM-DD") && r.stderr.contains("2026-02-30"),
        "{}",
        r.stderr
    );
    let r = run(&["calendar", "event", s(&dir), "remove", "99", "--by", "t"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("没有编号为 99 的事件"), "{}", r.stderr);
    let list = json(&["calendar", "event", s(&dir), "list", "--json"]);
    assert_eq!(list["events"].as_array().map(Vec::len), Some(1));
}

#[test]
fn recurring_deadlines_are_anchored_and_work_in_the_period_makes_them_done() {
    let root = scratch("calendar_recurring");
    let p = root.join("p.iovaudit");
    let r = run(&[
        "project",
        "init",
        s(&p),
        "--name",
        "日历",
        "--assessee",
        "某企业",
        "--packs",
        "SH26",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&[
        "scope",
        "set",
        s(&p),
        "enterprise_type=PLT",
        "region=SH",
        "important_data=yes",
        "shares_data=no",
        "pia_required=no",
        "platform_levels_present=L3",
        "has_app=no",
        "ad_road_activity_sh=no",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // A conforming verdict on the yearly drill (SH26-30) anchors it.
    let r = run(&["assess", "set", s(&p), "SH26-30", "conform", "--by", "t"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = cst_day(&verdict_at(&p, "SH26-30").expect("verdict"));
    // Evidence of the catalogue filing (SH26-17, once) is collected now.
    let ev = root.join("备案回执.txt");
    std::fs::write(&ev, "重要数据目录备案回执").expect("write");
    let r = run(&[
        "evidence",
        "add",
        s(&p),
        s(&ev),
        "--requirement",
        "SH26-17",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    let today = v.format("%Y-%m-%d").to_string();
    let to = (v + chrono::Months::new(24)).format("%Y-%m-%d").to_string();
    let cal = json(&["calendar", s(&p), "--today", &today, "--to", &to, "--json"]);
    let drill: Vec<&Value> = items(&cal)
        .iter()
        .filter(|i| i["requirement"] == "SH26-30")
        .collect();
    assert_eq!(drill.len(), 2, "{drill:?}");
    assert_eq!(drill[0]["anchor"]["source"], "verdict");
    assert_eq!(drill[0]["anchor"]["date"], today.as_str());
    let y1 = (v + chrono::Months::new(12)).format("%Y-%m-%d").to_string();
    let y2 = (v + chrono::Months::new(24)).format("%Y-%m-%d").to_string();
    assert_eq!(drill[0]["date"], y1.as_str());
    assert_eq!(drill[1]["date"], y2.as_str());
    // The verdict's own day starts the anchor; it does not complete the next year.
    assert_ne!(drill[0]["status"], "done");
    // Without a verdict, the yearly risk assessment (SH26-19) counts from creation.
    let ra = items(&cal)
        .iter()
        .find(|i| i["requirement"] == "SH26-19")
        .expect("SH26-19");
    assert_eq!(ra["anchor"]["source"], "project_created");
    let en = run(&["--lang", "en", "calendar", s(&p), "--today", &today]);
    assert!(
        en.stdout
            .contains("no conforming verdict yet: counted from the project's creation"),
        "{}",
        en.stdout
    );
    // The once deadline with linked evidence dated on or before today is done
    // (wherever "today" falls relative to 2026-07-31, the period is open).
    let filing = items(&cal)
        .iter()
        .filter(|i| i["requirement"] == "SH26-17")
        .collect::<Vec<_>>();
    if let Some(f) = filing.first() {
        assert_eq!(f["status"], "done", "{f}");
        assert_eq!(f["done_by"]["kind"], "evidence");
    }
    let past = json(&[
        "calendar",
        s(&p),
        "--today",
        &today,
        "--from",
        "2026-01-01",
        "--to",
        &to,
        "--json",
    ]);
    let f = items(&past)
        .iter()
        .find(|i| i["requirement"] == "SH26-17")
        .expect("SH26-17 in range");
    assert_eq!(f["status"], "done", "{f}");
    // The same evidence is not yet there on a "today" before it was collected.
    let before = json(&[
        "calendar",
        s(&p),
        "--today",
        "2026-01-02",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--json",
    ]);
    let f = items(&before)
        .iter()
        .find(|i| i["requirement"] == "SH26-17")
        .expect("SH26-17");
    if v > day("2026-01-02") {
        assert_eq!(f["status"], "upcoming", "{f}");
    }
}

#[test]
fn bad_dates_and_ranges_are_refused_by_name() {
    let dir = demo("calendar_bad");
    let r = run(&["calendar", s(&dir), "--today", "2026-02-30"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--today") && r.stderr.contains("2026-02-30"),
        "{}",
        r.stderr
    );
    let r = run(&["--lang", "en", "calendar", s(&dir), "--from", "June"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("error: --from must be a date YYYY-MM-DD"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "calendar",
        s(&dir),
        "--today",
        "2026-06-01",
        "--from",
        "2027-01-01",
        "--to",
        "2026-01-01",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("起始日期 2027-01-01 晚于结束日期 2026-01-01"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "--lang",
        "en",
        "calendar",
        s(&dir),
        "--from",
        "2026-01-01",
        "--to",
        "2090-01-01",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("too long"), "{}", r.stderr);
    let missing = scratch("calendar_bad_missing").join("nothing");
    let r = run(&["calendar", s(&missing)]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let r = run(&[
        "calendar",
        s(&dir),
        "--today",
        "2026-06-01",
        "--ics",
        "/nonexistent-dir/x.ics",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent-dir/x.ics"), "{}", r.stderr);
}

/// Reads an .ics file with Python `icalendar` and prints its events as JSON.
const ORACLE: &str = r#"
import json, sys, datetime, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = {"version": str(cal.get('VERSION')), "prodid": str(cal.get('PRODID')), "events": []}
for e in cal.walk('VEVENT'):
    start = e.decoded('DTSTART'); end = e.decoded('DTEND'); stamp = e.decoded('DTSTAMP')
    out["events"].append({
        "uid": str(e['UID']),
        "start": start.isoformat(),
        "start_is_date": type(start) is datetime.date,
        "value_date": e['DTSTART'].params.get('VALUE') == 'DATE',
        "end": end.isoformat(),
        "stamp": stamp.isoformat(),
        "summary": str(e['SUMMARY']),
        "description": str(e['DESCRIPTION']),
    })
print(json.dumps(out, ensure_ascii=False))
"#;

fn oracle(ics: &Path) -> Value {
    let out = Command::new("python3")
        .arg("-c")
        .arg(ORACLE)
        .arg(ics)
        .output()
        .expect("python3 must be installed (scripts/setup.sh)");
    assert!(
        out.status.success(),
        "Python icalendar could not read {} (is it installed? scripts/setup.sh): {}",
        ics.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("oracle json")
}

#[test]
fn the_ics_export_reads_back_in_python_icalendar_with_the_same_events() {
    let dir = demo("calendar_ics");
    let r = run(&[
        "calendar",
        "event",
        s(&dir),
        "add",
        "change-30",
        "--date",
        "2026-05-12",
        "--note",
        "数据量变化, 含逗号; 分号",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let root = dir.parent().expect("parent").to_path_buf();
    let ics = root.join("calendar.ics");
    let cal = json(&[
        "calendar",
        s(&dir),
        "--today",
        "2026-06-01",
        "--from",
        "2026-01-01",
        "--to",
        "2028-12-31",
        "--json",
        "--ics",
        s(&ics),
    ]);
    let parsed = oracle(&ics);
    assert_eq!(parsed["version"], "2.0");
    assert!(parsed["prodid"]
        .as_str()
        .is_some_and(|p| p.contains("iovaudit")));
    let events = parsed["events"].as_array().expect("events");
    assert_eq!(events.len(), items(&cal).len());
    assert!(events.len() >= 12, "{}", events.len());
    for item in items(&cal) {
        let uid = item["uid"].as_str().expect("uid");
        let e = events
            .iter()
            .find(|e| e["uid"] == uid)
            .unwrap_or_else(|| panic!("{uid} not in the ics"));
        let date = day(item["date"].as_str().expect("date"));
        assert_eq!(e["start"], item["date"], "{uid}");
        assert_eq!(e["start_is_date"], true, "{uid}: all-day");
        assert_eq!(e["value_date"], true, "{uid}: DTSTART;VALUE=DATE");
        assert_eq!(
            e["end"],
            date.succ_opt()
                .expect("next")
                .format("%Y-%m-%d")
                .to_string(),
            "{uid}"
        );
        assert_eq!(e["stamp"], "2026-06-01T00:00:00+00:00", "{uid}");
        let summary = e["summary"].as_str().expect("summary");
        assert!(
            summary.contains(item["title"]["zh"].as_str().expect("title")),
            "{summary}"
        );
        let desc = e["description"].as_str().expect("description");
        for key in ["requirement", "clause", "doc_number"] {
            let want = item[key].as_str().expect(key);
            assert!(
                desc.contains(want),
                "{uid}: description lacks {key} `{want}`:\n{desc}"
            );
        }
    }
    // UIDs are unique, and the event's note survives escaping.
    let mut uids: Vec<&str> = events.iter().filter_map(|e| e["uid"].as_str()).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), events.len());
    let trig = events
        .iter()
        .find(|e| e["uid"] == "SH26-18.1-20260812.e1@iovaudit")
        .expect("triggered event in the ics");
    assert!(trig["description"]
        .as_str()
        .is_some_and(|d| d.contains("数据量变化, 含逗号; 分号")));
    // The Shanghai and GB 44495 dates are there as all-day events.
    for (uid, start) in [
        ("SH26-05.1-20270310@iovaudit", "2027-03-10"),
        ("SH26-17.1-20260731@iovaudit", "2026-07-31"),
        ("SH26-20.1-20261130@iovaudit", "2026-11-30"),
        ("GB44495-10.1-20260701@iovaudit", "2026-07-01"),
    ] {
        let e = events
            .iter()
            .find(|e| e["uid"] == uid)
            .unwrap_or_else(|| panic!("{uid}"));
        assert_eq!(e["start"], start);
    }

    // RFC 5545 form: CRLF lines of at most 75 octets; same state and
    // "today" give the same bytes.
    let bytes = std::fs::read(&ics).expect("read ics");
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line}", line.len());
        assert!(!line.contains('\n'));
    }
    let again = root.join("again.ics");
    let r = run(&[
        "calendar",
        s(&dir),
        "--today",
        "2026-06-01",
        "--from",
        "2026-01-01",
        "--to",
        "2028-12-31",
        "--ics",
        s(&again),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(&again).expect("read"), bytes);

    // English summaries with --lang en.
    let en = root.join("en.ics");
    let r = run(&[
        "--lang",
        "en",
        "calendar",
        s(&dir),
        "--today",
        "2026-06-01",
        "--ics",
        s(&en),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("wrote the iCalendar file"),
        "{}",
        r.stdout
    );
    let parsed = oracle(&en);
    let gb = parsed["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["uid"] == "GB44495-10.1-20260701@iovaudit")
        .expect("GB44495-10");
    let summary = gb["summary"].as_str().expect("summary");
    assert!(
        summary.ends_with("(GB44495-10)") && summary.is_ascii(),
        "{summary}"
    );
    assert!(gb["description"]
        .as_str()
        .is_some_and(|d| d.contains("Requirement: GB44495-10 (clause 10)")));
}

#[test]
fn an_approved_project_refuses_new_events_but_shows_its_calendar() {
    let root = scratch("calendar_approved");
    let p = root.join("p.iovaudit");
    let r = run(&[
        "project",
        "init",
        s(&p),
        "--name",
        "日历",
        "--assessee",
        "某企业",
        "--packs",
        "SH26",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for args in [
        ["review", "submit", s(&p), "--by", "t"],
        ["review", "approve", s(&p), "--by", "boss"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
    }
    let r = run(&[
        "--lang",
        "en",
        "calendar",
        "event",
        s(&p),
        "add",
        "change-30",
        "--date",
        "2026-05-12",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("approved"), "{}", r.stderr);
    let cal = json(&["calendar", s(&p), "--today", "2026-06-01", "--json"]);
    assert!(cal["events"].as_array().is_some_and(Vec::is_empty));
    assert!(!items(&cal).is_empty());
}
