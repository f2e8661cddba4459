//! Project information (schema 4, `project_info`), verdict observations,
//! finding analysis, evidence document details, the basis of scope answers,
//! the evidence rule of the review, and dates in the user's time zone —
//! through the CLI (the real binary) and the core API.

mod common;

use common::{bin, run, scratch};
use iovaudit::assess::{self, FindingInput, Severity, Verdict, VerdictInput};
use iovaudit::project::info::{self, Info, TeamRole};
use iovaudit::project::{Kind, NewProject, Project};
use iovaudit::timefmt;
use std::path::{Path, PathBuf};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn new_project(name: &str) -> PathBuf {
    let dir = scratch(name).join("p.iovaudit");
    let lib = iovaudit::pack::builtin().expect("builtin library");
    let p = Project::init(
        &dir,
        &NewProject {
            name: "信息测试".into(),
            assessee: "示例公司".into(),
            kind: Kind::ThirdParty,
            organisation: "示例机构".into(),
            packs: vec!["N134".into()],
            by: "tester".into(),
        },
        lib,
    )
    .expect("init");
    drop(p);
    dir
}

fn journal(dir: &Path) -> Vec<(String, serde_json::Value)> {
    let c = rusqlite::Connection::open(dir.join("project.db")).expect("db");
    let mut st = c
        .prepare("SELECT action, detail FROM journal ORDER BY seq")
        .expect("prepare");
    st.query_map([], |r| {
        let d: String = r.get(1)?;
        Ok((
            r.get::<_, String>(0)?,
            serde_json::from_str(&d).unwrap_or_default(),
        ))
    })
    .expect("query")
    .collect::<Result<Vec<_>, _>>()
    .expect("rows")
}

fn journal_times(dir: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(dir.join("project.db")).expect("db");
    let mut st = c
        .prepare("SELECT at FROM journal ORDER BY seq")
        .expect("prepare");
    st.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<Vec<String>, _>>()
        .expect("rows")
}

const INFO_TOML: &str = r#"
report_number = "LAB-2026-001"
purpose = "评估车联网平台网络安全与数据安全符合情况"
boundary = "车联网服务平台及其接入网关"
time_zone = "Asia/Shanghai"
require_evidence = true
assessee_statement = true
qualifications = ["CNAS L0000（示例）"]
distribution = ["被评估单位 2 份", "存档 1 份"]

[assessee]
name = "示例智能网联汽车有限公司"
credit_code = "91310115MA1FL8XK2U"
address = "上海市浦东新区示例路 88 号"
security_officer = "陈立"

[assessor_org]
name = "示例测评技术服务中心"
credit_code = "91310104MA1FR6PQ3C"

[[team]]
name = "张工"
role = "组长"
cert_no = "CCSRP-2023-0412"
kind = "lead"

[[team]]
name = "王审核"
role = "审核"
cert_no = "CCSRP-2021-0087"
kind = "reviewer"

[[tools]]
name = "Nmap"
version = "7.94"
purpose = "端口识别"

[objects]
data_catalogue = "车辆运行数据、用户账户数据"

[[objects.platforms]]
name = "示例车联网服务平台"
level = 3
filing_no = "31011543001-26001"

[[objects.vehicles]]
name = "示例 S7"
model = "SLA7000BEV"
software_version = "T-Box 4.2.0"

[[objects.apps]]
name = "示例汽车 App"
version = "5.8.0"

[schedule]
start = "2026-11-16"
end = "2026-11-27"
"#;

#[test]
fn info_round_trip_through_cli_and_api() {
    let dir = new_project("info-roundtrip");
    // Empty at first.
    let r = run(&["project", "info", s(&dir), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["info"]["report_number"], "");

    let file = dir.parent().expect("parent").join("info.toml");
    std::fs::write(&file, INFO_TOML).expect("write");
    let r = run(&[
        "project",
        "info",
        s(&dir),
        "import",
        s(&file),
        "--by",
        "张工",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = run(&["project", "info", s(&dir), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let from_file: Info = toml::from_str(INFO_TOML).expect("toml");
    let p = Project::open_read_only(&dir).expect("open");
    let api = info::info(&p).expect("info");
    drop(p);
    assert_eq!(api, from_file, "the file's information is stored as it was");
    assert_eq!(
        shown["info"],
        serde_json::to_value(&api).expect("value"),
        "the CLI shows what the API reads"
    );
    assert_eq!(api.signers(TeamRole::Reviewer).count(), 1);

    // One field by its dotted path; list fields take JSON.
    let r = run(&[
        "project",
        "info",
        s(&dir),
        "set",
        "objects.platforms.0.level",
        "2",
        "--by",
        "张工",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "project",
        "info",
        s(&dir),
        "set",
        "tools",
        r#"[{"name":"Trivy","version":"0.56","purpose":"漏洞扫描"}]"#,
        "--by",
        "张工",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let p = Project::open_read_only(&dir).expect("open");
    let i = info::info(&p).expect("info");
    assert_eq!(i.objects.platforms[0].level, Some(2));
    assert_eq!(i.tools.len(), 1);
    assert_eq!(i.tools[0].name, "Trivy");
    drop(p);

    // Human form: dotted paths and the zone dates are shown in.
    let r = run(&["project", "info", s(&dir)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("assessee.credit_code = 91310115MA1FL8XK2U"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Asia/Shanghai (UTC+08:00)"),
        "{}",
        r.stdout
    );

    // Journal: one entry per change, listing the changed keys.
    let j = journal(&dir);
    let sets: Vec<&serde_json::Value> = j
        .iter()
        .filter(|(a, _)| a == "info.set")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(sets.len(), 3, "{sets:?}");
    let first: Vec<&str> = sets[0]["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .filter_map(|k| k.as_str())
        .collect();
    for k in [
        "report_number",
        "assessee",
        "team",
        "objects",
        "time_zone",
        "require_evidence",
    ] {
        assert!(first.contains(&k), "{k} missing from {first:?}");
    }
    assert!(
        !first.contains(&"client"),
        "unchanged keys are not listed: {first:?}"
    );
    assert_eq!(sets[1]["changed"], serde_json::json!(["objects"]));
    assert_eq!(sets[2]["changed"], serde_json::json!(["tools"]));
    assert_eq!(sets[2]["values"]["tools"][0]["name"], "Trivy");
    // The chain still verifies.
    let r = run(&["journal", "verify", s(&dir)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // Setting the same value again writes nothing.
    let before = journal(&dir).len();
    let r = run(&[
        "project",
        "info",
        s(&dir),
        "set",
        "report_number",
        "LAB-2026-001",
        "--by",
        "x",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(journal(&dir).len(), before);
}

/// Runs `project info DIR set PATH VALUE` in zh and en; both must fail with
/// exit 1, name the field, and say what is wrong in their language.
fn refused(dir: &Path, path: &str, value: &str, zh: &str, en: &str) {
    let r = run(&["project", "info", s(dir), "set", path, value, "--by", "t"]);
    assert_eq!(r.code, 1, "{path}={value}: {}", r.stderr);
    let field = path.split('.').next().unwrap_or(path);
    assert!(
        r.stderr.contains(field),
        "zh names the field {field}: {}",
        r.stderr
    );
    assert!(r.stderr.contains(zh), "zh says `{zh}`: {}", r.stderr);
    assert!(r.stderr.starts_with("错误："), "{}", r.stderr);
    let r = run(&[
        "--lang",
        "en",
        "project",
        "info",
        s(dir),
        "set",
        path,
        value,
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(field),
        "en names the field {field}: {}",
        r.stderr
    );
    assert!(r.stderr.contains(en), "en says `{en}`: {}", r.stderr);
    assert!(
        !r.stderr
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "English only: {}",
        r.stderr
    );
}

#[test]
fn invalid_information_is_refused_naming_the_field() {
    let dir = new_project("info-invalid");
    // Wrong check character (the right one is U).
    refused(
        &dir,
        "assessee.credit_code",
        "91310115MA1FL8XK2A",
        "校验位应为「U」",
        "check character should be `U`",
    );
    refused(
        &dir,
        "client.credit_code",
        "9131011",
        "应为 18 位",
        "must have 18 characters",
    );
    refused(
        &dir,
        "assessor_org.credit_code",
        "91310115MA1FL8XKIO",
        "不允许的字符",
        "contains `I`",
    );
    refused(
        &dir,
        "schedule.start",
        "2026-13-01",
        "应为日期",
        "must be a date",
    );
    refused(
        &dir,
        "time_zone",
        "Mars/Olympus",
        "不是已知的时区名",
        "not a known time zone",
    );
    refused(
        &dir,
        "objects.platforms",
        r#"[{"name":"TSP","level":7}]"#,
        "防护等级应为 1–5",
        "protection level must be 1–5",
    );
    refused(
        &dir,
        "assessee.nmae",
        "x",
        "没有项目信息字段",
        "no project information field",
    );
    refused(&dir, "require_evidence", "maybe", "是/否", "yes or no");
    // Nothing was stored by any refusal.
    assert!(!journal(&dir).iter().any(|(a, _)| a == "info.set"));

    // A file with a mistake: its name, line and column.
    let file = dir.parent().expect("parent").join("bad.toml");
    std::fs::write(
        &file,
        "report_number = \"A\"\n[assessee]\ncredt_code = \"x\"\n",
    )
    .expect("write");
    let r = run(&[
        "--lang",
        "en",
        "project",
        "info",
        s(&dir),
        "import",
        s(&file),
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("bad.toml:3:1"), "{}", r.stderr);
    assert!(r.stderr.contains("credt_code"), "{}", r.stderr);
    let file = dir.parent().expect("parent").join("bad.json");
    std::fs::write(
        &file,
        r#"{"assessee": {"credit_code": "91310115MA1FL8XK2A"}}"#,
    )
    .expect("write");
    let r = run(&["project", "info", s(&dir), "import", s(&file), "--by", "t"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("bad.json") && r.stderr.contains("assessee.credit_code"),
        "{}",
        r.stderr
    );
}

#[test]
fn snapshot_covers_information_observations_and_analysis() {
    let dir = new_project("info-snapshot");
    let mut p = Project::open(&dir).expect("open");
    let h0 = assess::snapshot_hash(&p).expect("hash");
    info::set_field(&mut p, "t", "assessee.name", "甲公司").expect("set");
    let h1 = assess::snapshot_hash(&p).expect("hash");
    assert_ne!(h0, h1, "project information is part of the snapshot");
    let snap = assess::snapshot(&p).expect("snapshot");
    assert_eq!(snap["info"]["assessee"]["name"], "甲公司");

    assess::set_verdict(
        &mut p,
        "t",
        "N134-01",
        &VerdictInput::new(Verdict::Conform, "一"),
    )
    .expect("v");
    let h2 = assess::snapshot_hash(&p).expect("hash");
    assess::set_verdict(
        &mut p,
        "t",
        "N134-01",
        &VerdictInput::new(Verdict::Conform, "一").observation("已查阅制度汇编"),
    )
    .expect("v");
    let h3 = assess::snapshot_hash(&p).expect("hash");
    assert_ne!(h2, h3);
    // (Same verdict and note within one second: only the observation changed;
    // schema 5's verdict_history must not refuse the second save.)
    assert_eq!(
        assess::snapshot(&p).expect("snapshot")["verdicts"]["N134-01"]["observation"],
        "已查阅制度汇编",
        "an observation is part of the snapshot"
    );
    // Without --observation the recorded one stays.
    assess::set_verdict(
        &mut p,
        "t",
        "N134-01",
        &VerdictInput::new(Verdict::Conform, "三"),
    )
    .expect("v");
    let rec = assess::recorded_verdict(&p, "N134-01")
        .expect("rec")
        .expect("some");
    assert_eq!(rec.observation, "已查阅制度汇编");

    let id = assess::add_finding(
        &mut p,
        "t",
        &FindingInput {
            requirement: Some("N134-01".into()),
            title: Some("缺少演练".into()),
            severity: Some(Severity::Low),
            ..Default::default()
        },
    )
    .expect("finding");
    let h4 = assess::snapshot_hash(&p).expect("hash");
    assess::update_finding(
        &mut p,
        "t",
        id,
        &FindingInput {
            impact: Some(Some(Severity::High)),
            likelihood: Some(Some(Severity::Medium)),
            recommendation: Some("每年开展实战演练".into()),
            ..Default::default()
        },
    )
    .expect("update");
    assert_ne!(h4, assess::snapshot_hash(&p).expect("hash"));
    let f = &assess::findings(&p).expect("findings")[0];
    assert_eq!(
        f.risk(),
        Severity::High,
        "high impact × medium likelihood is high"
    );
    assert_eq!(f.severity, Severity::Low, "the severity is kept as given");
    // The one wording of the matrix names every cell.
    let rule = assess::risk_rule();
    assert!(rule.zh.contains("影响高×可能性中→高"), "{}", rule.zh);
    assert!(
        rule.en.contains("impact high × likelihood medium → high"),
        "{}",
        rule.en
    );
    // Every cell of the matrix is symmetric and monotone.
    use Severity::*;
    for a in [High, Medium, Low] {
        for b in [High, Medium, Low] {
            assert_eq!(Severity::risk_of(a, b), Severity::risk_of(b, a));
        }
    }
    assert_eq!(Severity::risk_of(Low, Low), Low);
    assert_eq!(Severity::risk_of(High, High), High);
}

#[test]
fn approval_requires_evidence_or_a_reason_when_the_project_says_so() {
    let dir = new_project("info-require-evidence");
    let mut p = Project::open(&dir).expect("open");
    assess::set_verdict(
        &mut p,
        "t",
        "N134-01",
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect("v");
    assess::set_verdict(
        &mut p,
        "t",
        "N134-02",
        &VerdictInput::new(Verdict::Nonconform, "没有"),
    )
    .expect("v");
    assess::set_verdict(
        &mut p,
        "t",
        "N134-03",
        &VerdictInput::new(Verdict::Partial, "部分"),
    )
    .expect("v");
    let r = assess::readiness(&p).expect("readiness");
    assert!(!r.require_evidence);
    let ids: Vec<&str> = r
        .without_evidence
        .iter()
        .map(|w| w.requirement.as_str())
        .collect();
    assert_eq!(
        ids,
        ["N134-01", "N134-02", "N134-03"],
        "every verdict without evidence is listed"
    );
    assert!(
        r.evidence_blockers().is_empty(),
        "without require_evidence nothing blocks"
    );
    drop(p);

    let r = run(&[
        "project",
        "info",
        s(&dir),
        "set",
        "require_evidence",
        "yes",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["review", "submit", s(&dir), "--by", "t"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("N134-01"),
        "submission warns: {}",
        r.stderr
    );
    for (lang, want) in [
        ("zh", "既无关联证据也未记录理由"),
        ("en", "neither linked evidence nor a recorded reason"),
    ] {
        let r = run(&["--lang", lang, "review", "approve", s(&dir), "--by", "boss"]);
        assert_eq!(r.code, 1, "approval refused: {}", r.stdout);
        assert!(r.stderr.contains(want), "{}", r.stderr);
        assert!(
            r.stderr.contains("N134-01") && r.stderr.contains("N134-02"),
            "{}",
            r.stderr
        );
        // 部分符合 of a non-veto item does not block.
        assert!(!r.stderr.contains("N134-03"), "{}", r.stderr);
    }
    // Reopen, give a reason for one and link evidence to the other.
    let r = run(&["review", "reopen", s(&dir), "--by", "boss"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "assess",
        "set",
        s(&dir),
        "N134-01",
        "conform",
        "--observation",
        "现场查看制度原件",
        "--evidence-reason",
        "制度原件涉密，仅现场查阅",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ev = dir.parent().expect("parent").join("记录.txt");
    std::fs::write(&ev, "演练记录").expect("write");
    let r = run(&[
        "evidence",
        "add",
        s(&dir),
        s(&ev),
        "--requirement",
        "N134-02",
        "--doc-version",
        "V1.0",
        "--issuer",
        "安全部",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["review", "submit", s(&dir), "--by", "t"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["review", "approve", s(&dir), "--by", "boss"]);
    assert_eq!(
        r.code, 0,
        "approved once each item has evidence or a reason: {}",
        r.stderr
    );

    let r = run(&["assess", "list", s(&dir), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let row = v["requirements"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|x| x["requirement"] == "N134-01")
        .expect("N134-01")
        .clone();
    assert_eq!(row["recorded"]["observation"], "现场查看制度原件");
    assert_eq!(
        row["recorded"]["evidence_reason"],
        "制度原件涉密，仅现场查阅"
    );
    let j = journal(&dir);
    assert!(
        j.iter()
            .any(|(a, d)| a == "assess.set" && d["evidence_reason"] == "制度原件涉密，仅现场查阅"),
        "the reason is journalled"
    );
}

#[test]
fn findings_evidence_and_scope_details_through_the_cli() {
    let dir = new_project("info-details");
    let r = run(&[
        "scope",
        "set",
        s(&dir),
        "enterprise_type=OEM",
        "has_ota=yes",
        "--basis",
        "营业执照与访谈",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A later answer without --basis keeps the recorded basis.
    let r = run(&["scope", "set", s(&dir), "has_ota=no", "--by", "u"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["scope", "show", s(&dir), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let rec = v["records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|x| x["question"] == "has_ota")
        .expect("has_ota")
        .clone();
    assert_eq!(rec["basis"], "营业执照与访谈");
    assert_eq!(rec["answered_by"], "u");

    let r = run(&[
        "finding",
        "add",
        s(&dir),
        "--requirement",
        "N134-01",
        "--title",
        "制度缺失",
        "--description",
        "未制定数据安全制度",
        "--threat",
        "数据泄露",
        "--impact",
        "高",
        "--likelihood",
        "low",
        "--recommendation",
        "制定制度",
        "--time-limit",
        "30日内",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "finding",
        "add",
        s(&dir),
        "--requirement",
        "N134-01",
        "--title",
        "x",
        "--impact",
        "huge",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--impact"), "{}", r.stderr);
    let r = run(&["finding", "list", s(&dir), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let f = &v["findings"][0];
    assert_eq!(f["description"], "未制定数据安全制度");
    assert_eq!(f["impact"], "high");
    assert_eq!(f["likelihood"], "low");
    assert_eq!(f["risk"], "medium", "high × low is medium");
    assert_eq!(f["time_limit"], "30日内");
    let r = run(&[
        "finding",
        "update",
        s(&dir),
        "1",
        "--likelihood",
        "high",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["finding", "list", s(&dir), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["findings"][0]["risk"], "high");
    assert_eq!(
        v["findings"][0]["recommendation"], "制定制度",
        "unchanged fields stay"
    );

    let ev = dir.parent().expect("parent").join("policy.md");
    std::fs::write(&ev, "# 制度").expect("write");
    let r = run(&[
        "evidence",
        "add",
        s(&dir),
        s(&ev),
        "--doc-version",
        "V2.1",
        "--issuer",
        "安全部",
        "--json",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "evidence",
        "set",
        s(&dir),
        "1",
        "--issuer",
        "信息安全部",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["evidence", "list", s(&dir), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["evidence"][0]["doc_version"], "V2.1");
    assert_eq!(v["evidence"][0]["issuer"], "信息安全部");
    let r = run(&[
        "--lang",
        "en",
        "evidence",
        "set",
        s(&dir),
        "9",
        "--issuer",
        "x",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no evidence 9"), "{}", r.stderr);
    let j = journal(&dir);
    let set = j
        .iter()
        .find(|(a, _)| a == "evidence.set")
        .expect("evidence.set");
    assert_eq!(
        set.1["changed"],
        serde_json::json!({"issuer": "信息安全部"})
    );
}

#[test]
fn dates_follow_the_project_zone_else_the_system_zone() {
    // 2026-12-05 17:30 UTC = 2026-12-06 01:30 in Beijing.
    let at = "2026-12-05T17:30:00Z";
    let sh = timefmt::parse_zone("Asia/Shanghai").expect("zone");
    assert_eq!(timefmt::local_date(at, sh), "2026-12-06");
    assert_eq!(timefmt::local_date(at, timefmt::UTC), "2026-12-05");
    assert_eq!(
        timefmt::local_date_long(at, sh, iovaudit::i18n::Lang::Zh),
        "2026年12月6日"
    );
    assert_eq!(
        timefmt::local_datetime(at, sh),
        "2026-12-06 01:30 (UTC+08:00)"
    );

    let dir = new_project("info-zone");
    let zone_line = |tz: &str| {
        let out = bin()
            .args(["project", "info", s(&dir)])
            .env("TZ", tz)
            .output()
            .expect("run");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // No zone in the project: the system's (TZ) is used.
    assert!(zone_line("UTC").contains("UTC (UTC+00:00)"));
    assert!(zone_line("Asia/Shanghai").contains("Asia/Shanghai (UTC+08:00)"));
    // The project's zone wins wherever it is rendered.
    let r = run(&[
        "project",
        "info",
        s(&dir),
        "set",
        "time_zone",
        "Asia/Shanghai",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(zone_line("UTC").contains("Asia/Shanghai (UTC+08:00)"));
    // The journal is shown in the same zone, stated; stored instants stay UTC.
    let out = bin()
        .args(["journal", "list", s(&dir)])
        .env("TZ", "UTC")
        .output()
        .expect("run");
    let list = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(list.contains("(UTC+08:00)  info.set"), "{list}");
    let stored = journal_times(&dir);
    assert!(stored.iter().all(|t| t.ends_with('Z')), "{stored:?}");
    let p = Project::open_read_only(&dir).expect("open");
    assert_eq!(info::time_zone(&p, timefmt::UTC).expect("tz"), sh);
}

#[test]
fn the_demo_fills_every_field() {
    let dir = scratch("info-demo").join("demo.iovaudit");
    let lib = iovaudit::pack::builtin().expect("builtin library");
    let p = iovaudit::demo::create(&dir, lib).expect("demo");
    let i = info::info(&p).expect("info");
    assert!(i.problems().is_empty(), "{:?}", i.problems());
    assert!(!i.report_number.is_empty());
    for party in [&i.assessee, &i.client, &i.assessor_org] {
        assert!(
            !party.name.is_empty() && !party.credit_code.is_empty() && !party.address.is_empty()
        );
        assert!(!party.security_officer.is_empty() && !party.phone.is_empty());
    }
    for k in [
        TeamRole::Lead,
        TeamRole::Author,
        TeamRole::Reviewer,
        TeamRole::Approver,
    ] {
        assert_eq!(i.signers(k).count(), 1, "{k:?}");
    }
    assert!(i
        .team
        .iter()
        .all(|m| !m.cert_no.is_empty() && !m.role.is_empty()));
    assert!(!i.tools.is_empty());
    assert_eq!(i.objects.platforms[0].level, Some(3));
    assert!(!i.objects.platforms[0].filing_no.is_empty());
    assert!(!i.objects.vehicles[0].software_version.is_empty());
    assert_eq!(i.objects.apps.len(), 1);
    assert!(i.schedule.start.is_some() && i.schedule.end.is_some());
    assert_eq!(i.time_zone.as_deref(), Some("Asia/Shanghai"));
    assert!(i.assessee_statement);

    for (id, r) in assess::recorded_verdicts(&p).expect("verdicts") {
        if r.inferred_from.is_none() {
            assert!(!r.observation.is_empty(), "{id} has no observation");
        }
    }
    for f in assess::findings(&p).expect("findings") {
        assert!(!f.description.is_empty() && !f.threat.is_empty() && !f.recommendation.is_empty());
        assert!(f.impact.is_some() && f.likelihood.is_some() && !f.time_limit.is_empty());
    }
    for e in iovaudit::evidence::list(&p).expect("evidence") {
        assert!(
            !e.doc_version.is_empty() && !e.issuer.is_empty(),
            "evidence {}",
            e.id
        );
    }
    let recs = assess::scope_records(&p).expect("scope");
    assert!(!recs.is_empty() && recs.iter().all(|r| !r.basis.is_empty()));
    // Inference labels name the direction.
    for (_, r) in assess::recorded_verdicts(&p).expect("verdicts") {
        if let Some(from) = &r.inferred_from {
            assert!(
                r.note.starts_with(&format!("由 {from} 推断：")),
                "{}",
                r.note
            );
            assert!(!r.note.contains("this one is"), "{}", r.note);
        }
    }
}

#[test]
fn a_self_check_form_fills_observations() {
    let dir = new_project("info-xlsx");
    let f = dir.parent().expect("parent").join("自查表.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let rows: [[&str; 4]; 3] = [
        ["要求编号", "结论", "说明", "现状描述"],
        ["N134-01", "符合", "", "已设立安全管理部门并任命负责人"],
        ["N134-02", "不符合", "职责未明确", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).expect("write");
        }
    }
    book.save(&f).expect("save");
    let r = run(&["assess", "import-xlsx", s(&dir), s(&f), "--by", "企业"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let p = Project::open_read_only(&dir).expect("open");
    let v = assess::recorded_verdicts(&p).expect("verdicts");
    assert_eq!(v["N134-01"].observation, "已设立安全管理部门并任命负责人");
    assert_eq!(v["N134-02"].observation, "");
    assert_eq!(v["N134-02"].verdict, Verdict::Nonconform);
    drop(p);
    // Imported again unchanged: nothing to do (an empty cell keeps the record).
    let r = run(&[
        "assess",
        "import-xlsx",
        s(&dir),
        s(&f),
        "--by",
        "企业",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["plan"]["rows"], serde_json::json!([]), "{v}");
    assert_eq!(
        v["plan"]["unchanged"].as_array().map(Vec::len),
        Some(2),
        "{v}"
    );
}
