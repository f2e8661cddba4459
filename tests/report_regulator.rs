//! The report a regulator accepts (issue 18): the demo project, completed and
//! approved, rendered in zh and en and read back with poppler's `pdftotext`
//! (a real, independent text extractor; it must be installed — CI installs it
//! with `scripts/setup.sh` — and a test fails without it):
//! - every mandatory part is there, once, in order;
//! - every printed score is recomputed from the printed weights and verdicts
//!   of the scoring worksheet, and the pooled score from the printed sums;
//! - no variable name, modelling note or English fragment in the zh report,
//!   no Chinese in the en report beyond the user's own data;
//! - an incomplete project prints 尚未形成（已判定 a/b 项）and no score;
//! - dates follow the project's time zone, whatever the system zone.

mod common;

use iovaudit::assess::{self, Verdict, VerdictInput};
use iovaudit::i18n::Lang;
use iovaudit::project::Project;
use iovaudit::report::{self, ReportModel, ReportOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// 17:30 UTC on 5 December is 01:30 on 6 December in Beijing.
const AT: &str = "2026-12-05T17:30:00Z";

static OPEN: Mutex<()> = Mutex::new(());

fn opts(lang: Lang, system_zone: &str) -> ReportOptions {
    ReportOptions {
        lang,
        generated_at: Some(AT.to_string()),
        time_zone: Some(system_zone.to_string()),
        ..Default::default()
    }
}

/// Judges every applicable requirement still open (and confirms every
/// inference) until nothing is left, then submits and approves.
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
        let dir = common::scratch("regulator-complete").join("demo.iovaudit");
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
        let dir = common::scratch("regulator-draft").join("demo.iovaudit");
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

/// Renders, keeps the PDF under target/tmp/regulator/, and returns the model,
/// the `-layout` text and the PDF path.
fn render(dir: &Path, o: &ReportOptions, name: &str) -> (ReportModel, String, PathBuf) {
    let m = model(dir, o);
    let r = report::render_pdf(&m, o).expect("pdf");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("regulator");
    std::fs::create_dir_all(&out).expect("dir");
    let path = out.join(name);
    std::fs::write(&path, &r.bytes).expect("write");
    let text = pdftotext(&path, "-layout");
    (m, text, path)
}

fn pdftotext(path: &Path, mode: &str) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", mode])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed: scripts/setup.sh installs it");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn zh_complete() -> &'static (ReportModel, String, PathBuf) {
    static R: OnceLock<(ReportModel, String, PathBuf)> = OnceLock::new();
    R.get_or_init(|| render(completed_dir(), &opts(Lang::Zh, "UTC"), "complete-zh.pdf"))
}

fn en_complete() -> &'static (ReportModel, String, PathBuf) {
    static R: OnceLock<(ReportModel, String, PathBuf)> = OnceLock::new();
    R.get_or_init(|| render(completed_dir(), &opts(Lang::En, "UTC"), "complete-en.pdf"))
}

/// Text with runs of blanks collapsed, for phrases that may wrap.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join("")
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3001..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
}

/// Every string the user (or the demo, as a user would) typed, and the
/// checklists' own text: what the report may quote in any language.
fn user_data(m: &ReportModel) -> String {
    let mut v = serde_json::to_value(&m.info).expect("info");
    let mut blob = String::new();
    fn walk(v: &mut serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(&mut v, &mut blob);
    let mut push = |s: &str| {
        blob.push_str(s);
        blob.push('\n');
    };
    push(&m.report_number);
    push(&m.project.assessee);
    push(&m.project.name);
    push(&m.signer.organisation);
    push(&m.time_zone_label);
    push(&m.generator);
    for s in &m.signoff {
        push(&s.names);
    }
    if let Some(h) = &m.project.snapshot_hash {
        push(h);
    }
    for a in &m.scope {
        push(&a.answered_by);
        push(&a.basis);
    }
    for e in &m.evidence {
        for s in [
            &e.title,
            &e.original_name,
            &e.collected_by,
            &e.doc_version,
            &e.issuer,
        ] {
            push(s);
        }
    }
    for f in &m.findings {
        for s in [
            &f.title,
            &f.owner,
            &f.note,
            &f.description,
            &f.threat,
            &f.recommendation,
            &f.time_limit,
        ] {
            push(s);
        }
    }
    for p in &m.packs {
        push(&p.doc_number);
        push(&p.title.zh);
        push(&p.issuer.zh);
        for s in &p.sections {
            push(&s.title.zh);
            push(&s.clause);
            for r in &s.requirements {
                push(&r.title.zh);
                push(&r.text.zh);
                // The checklists' English quotes Chinese terms of the original.
                push(&r.text.en);
                push(&r.title.en);
                push(&r.clause);
                push(&r.observation);
                push(&r.justification.zh);
                if let Some(a) = &r.assessor {
                    push(a);
                }
            }
        }
    }
    for o in &m.obligations {
        push(&o.title.zh);
        push(&o.doc_number);
    }
    blob
}

#[test]
fn complete_zh_report_has_every_mandatory_part() {
    let (m, text, _) = zh_complete();
    assert!(m.summary.complete, "the completed demo judges everything");
    let flat = squash(text);
    let must = [
        "声明",
        "目录",
        "基本信息",
        "统一社会信用代码",
        "网络安全责任人",
        "评估组",
        "证书编号",
        "材料真实性声明",
        "评估概述",
        "评估目的",
        "评估依据",
        "《中华人民共和国网络安全法》",
        "《中华人民共和国数据安全法》",
        "评估范围与边界",
        "评估时间",
        "评估过程",
        "评估方法",
        "评估工具",
        "评估对象",
        "防护等级",
        "备案编号",
        "软件版本",
        "评估方法与判定准则",
        "判定结果的含义",
        "计分方法",
        "结论档次",
        "一票否决",
        "风险等级",
        "适用性说明",
        "逐项评估结果",
        "现状描述",
        "风险分析",
        "问题清单与整改建议",
        "整改建议",
        "被评估单位整改计划",
        "评估结论",
        "计分明细",
        "证据清单",
        "文件版本",
        "术语与缩略语",
        "编号说明",
        "签署页",
        "编制",
        "审核",
        "批准",
        "——以下空白——",
    ];
    let mut missing: Vec<&str> = must.iter().copied().filter(|w| !flat.contains(w)).collect();
    missing.sort_unstable();
    assert!(missing.is_empty(), "missing parts: {missing:?}");
    // Numbered chapters in order, appendices lettered.
    let mut at = 0;
    for h in [
        "一、基本信息",
        "二、评估概述",
        "三、评估对象",
        "四、评估方法与判定准则",
        "五、适用性说明",
        "六、逐项评估结果",
        "七、风险分析",
        "八、问题清单与整改建议",
        "九、被评估单位整改计划",
        "十、评估结论",
        "附录A计分明细",
        "附录B证据清单",
    ] {
        // The contents list names each heading first; find the heading itself after it.
        let first = flat.find(h).unwrap_or_else(|| panic!("heading {h}"));
        let body = flat[first + h.len()..]
            .find(h)
            .map(|i| first + h.len() + i)
            .unwrap_or_else(|| panic!("heading {h} in the body"));
        assert!(body > at, "{h} out of order");
        at = body;
    }
    // The conclusion is stated, with the pooled score defined by its sums.
    let c = m
        .summary
        .conclusion
        .as_ref()
        .expect("conclusion")
        .zh
        .clone();
    assert!(flat.contains(&format!("评估结论：{c}")), "评估结论：{c}");
    assert!(!flat.contains("尚未形成"));
    // 签署日期 once (the sign-off table's column), the end mark after it.
    assert_eq!(flat.matches("签署日期").count(), 1, "签署日期 once");
    assert!(flat.rfind("——以下空白——") > flat.rfind("签署日期"));
    // The signature page is the last page and carries the end mark.
    let last = text
        .split('\u{c}')
        .rfind(|p| !p.trim().is_empty())
        .expect("pages");
    let last = squash(last);
    assert!(
        last.contains("签署页") && last.contains("——以下空白——"),
        "{last}"
    );
    // Dates as a Chinese report writes them, never ISO.
    assert!(
        flat.contains("2026年12月6日"),
        "report date in Beijing time"
    );
    // (The user's own text may quote ISO dates; the report's own dates never.)
    let data = user_data(m);
    let iso: Vec<String> = regex_like_iso_dates(text)
        .into_iter()
        .filter(|d| !data.contains(d.as_str()))
        .collect();
    assert!(iso.is_empty(), "ISO dates in the zh report: {iso:?}");
    // Code explanation names every pack.
    for p in &m.packs {
        assert!(flat.contains(&squash(&p.doc_number)), "{}", p.doc_number);
    }
}

/// `2026-12-06`-shaped dates outside hashes and report numbers.
fn regex_like_iso_dates(text: &str) -> Vec<String> {
    let b: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for i in 0..b.len().saturating_sub(10) {
        let w: String = b[i..i + 10].iter().collect();
        let shape = w.char_indices().all(|(k, c)| match k {
            4 | 7 => c == '-',
            _ => c.is_ascii_digit(),
        });
        let before = i.checked_sub(1).map(|k| b[k]);
        if shape
            && w.starts_with("20")
            && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            out.push(w);
        }
    }
    out
}

#[test]
fn zh_report_has_no_identifiers_notes_or_english() {
    let (m, text, _) = zh_complete();
    let lib = iovaudit::pack::builtin().expect("lib");
    let mut banned: Vec<String> = [
        "is_cii",
        "l3_plus",
        "superset",
        "subset",
        "equal",
        "inferred",
        "applies_when",
        "true",
        "false",
        "None",
        "null",
        "undefined",
        "fulltext",
        "provenance",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    banned.extend(lib.questions.iter().map(|q| q.id.clone()));
    let words = ascii_words(text);
    // What the user typed is theirs (the demo's scope basis names a question id);
    // everything the tool words itself must be clean.
    let typed = ascii_words(&user_data(m));
    banned.retain(|b| !typed.contains(b));
    let hits: Vec<&String> = banned.iter().filter(|b| words.contains(*b)).collect();
    assert!(hits.is_empty(), "identifiers in the zh report: {hits:?}");
    // Modelling notes of the packs are for the assessor, not the report.
    let flat = squash(text);
    for p in &lib.packs {
        if let Some(n) = &p.note {
            let probe: String = n.zh.chars().take(24).collect();
            assert!(
                !flat.contains(&squash(&probe)),
                "pack note of {} printed",
                p.id
            );
        }
    }
    assert!(!flat.contains("种子"), "seed notes");
    // English: every ASCII word must come from the user's data or the
    // checklists' own Chinese text (OTA, APP…), or be an abbreviation the
    // glossary explains.
    let data = user_data(m);
    let allowed: BTreeSet<String> = ascii_words(&data)
        .into_iter()
        .chain(
            [
                "SHA", "SM3", "OTA", "TSP", "APP", "V2X", "UTC", "GB", "E-", "F-",
            ]
            .iter()
            .map(|s| s.to_string()),
        )
        .collect();
    let codes: BTreeSet<&str> = m.packs.iter().map(|p| p.id.as_str()).collect();
    let is_hash = |w: &str| w.len() >= 32 && w.chars().all(|c| c.is_ascii_hexdigit());
    let stray: Vec<&String> = words
        .iter()
        .filter(|w| {
            w.len() >= 3 && !allowed.contains(*w) && !codes.contains(w.as_str()) && !is_hash(w)
        })
        .collect();
    assert!(stray.is_empty(), "English in the zh report: {stray:?}");
}

/// ASCII words (letters, digits, `_`) of at least two characters with a letter.
fn ascii_words(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || c == '_' {
            cur.push(c);
        } else {
            if cur.len() >= 2 && cur.chars().any(|x| x.is_ascii_alphabetic()) {
                out.insert(cur.clone());
            }
            cur.clear();
        }
    }
    out
}

#[test]
fn en_report_has_no_chinese_beyond_user_data() {
    let (m, text, _) = en_complete();
    let data = user_data(m);
    let mut stray = BTreeSet::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            run.push(c);
        } else {
            if !run.is_empty() && !data.contains(run.as_str()) {
                stray.insert(run.clone());
            }
            run.clear();
        }
    }
    assert!(stray.is_empty(), "Chinese in the en report: {stray:?}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for w in [
        "Statement",
        "Basic information",
        "Method and criteria",
        "Scoring worksheet",
        "Risk analysis",
        "Problems and recommendations",
        "End of report",
        "6 December 2026",
    ] {
        assert!(flat.contains(w), "{w}");
    }
    for w in ["superset", "subset", "is_cii", "l3_plus"] {
        assert!(!flat.contains(w), "{w} in the en report");
    }
}

/// One parsed worksheet line: id, weight, credit, earned.
#[derive(Debug)]
struct WsRow {
    weight: f64,
    verdict: String,
    credit: f64,
    earned: f64,
}

fn num(s: &str) -> Option<f64> {
    s.parse::<f64>().ok()
}

#[test]
fn every_printed_score_is_recomputed_from_the_pages() {
    let (m, text, _) = zh_complete();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .rposition(|l| squash(l).starts_with("附录A计分明细"))
        .expect("worksheet heading");
    let mut rows: Vec<WsRow> = Vec::new();
    let mut section: Vec<WsRow> = Vec::new();
    let (mut packs_checked, mut sections_checked, mut rows_seen) = (0, 0, 0);
    let (mut total_w, mut total_e) = (0.0, 0.0);
    for l in &lines[start..] {
        let cols: Vec<&str> = l.split_whitespace().collect();
        if cols.is_empty() {
            continue;
        }
        if cols[0] == "附录B证据清单" || squash(l).starts_with("附录B") {
            break;
        }
        // NNN-xx  weight  verdict  credit  earned
        if cols.len() == 5
            && cols[0].contains('-')
            && cols[0]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
        {
            if let (Some(w), Some(c), Some(e)) = (num(cols[1]), num(cols[3]), num(cols[4])) {
                section.push(WsRow {
                    weight: w,
                    verdict: cols[2].to_string(),
                    credit: c,
                    earned: e,
                });
                rows_seen += 1;
                continue;
            }
        }
        if cols[0] == "小计" {
            // 小计 clause W E [得分 S]
            let nums: Vec<f64> = cols.iter().filter_map(|c| num(c)).collect();
            let w: f64 = section.iter().map(|r| r.weight).sum();
            let e: f64 = section.iter().map(|r| r.earned).sum();
            let group_failed = l.contains("整条判定");
            for r in &section {
                let expect = match r.verdict.as_str() {
                    "符合" => 1.0,
                    "不符合" => 0.0,
                    _ => r.credit,
                };
                if !group_failed {
                    assert!((r.credit - expect).abs() < 1e-9, "credit of {r:?}");
                }
                assert!(
                    (r.weight * r.credit - r.earned).abs() < 1e-6,
                    "earned of {r:?}"
                );
            }
            let score_at = cols.iter().position(|c| *c == "得分");
            let (pw, pe) = (
                nums[nums.len() - 2 - usize::from(score_at.is_some())],
                nums[nums.len() - 1 - usize::from(score_at.is_some())],
            );
            assert!(
                (pw - w).abs() < 1e-6 && (pe - e).abs() < 1e-6,
                "subtotal {l}: {w} {e}"
            );
            if let Some(i) = score_at {
                let s = num(cols[i + 1]).expect("score");
                assert!(
                    (s - (100.0 * e / w * 10.0).round() / 10.0).abs() < 1e-9,
                    "section score {l}"
                );
            }
            sections_checked += 1;
            rows.append(&mut section);
            continue;
        }
        if cols[0] == "合计" {
            let w: f64 = rows.iter().map(|r| r.weight).sum();
            let e: f64 = rows.iter().map(|r| r.earned).sum();
            let nums: Vec<f64> = cols.iter().filter_map(|c| num(c)).collect();
            let i = cols
                .iter()
                .position(|c| *c == "得分")
                .expect("pack score printed");
            let s = num(cols[i + 1]).expect("score");
            let (pw, pe) = (nums[nums.len() - 3], nums[nums.len() - 2]);
            assert!(
                (pw - w).abs() < 1e-6 && (pe - e).abs() < 1e-6,
                "total {l}: {w} {e}"
            );
            assert!(
                (s - (100.0 * e / w * 10.0).round() / 10.0).abs() < 1e-9,
                "pack score {l}"
            );
            // The same pack score in the conclusion chapter's table.
            let pack = cols[1];
            let p = m.packs.iter().find(|p| p.id == pack).expect("pack");
            assert_eq!(p.score.map(|x| format!("{x:.1}")), Some(format!("{s:.1}")));
            total_w += w;
            total_e += e;
            packs_checked += 1;
            rows.clear();
        }
    }
    assert_eq!(
        packs_checked,
        m.packs.iter().filter(|p| p.tally.judged > 0).count()
    );
    assert!(
        sections_checked > 10 && rows_seen == m.summary.judged,
        "rows {rows_seen} vs judged {}",
        m.summary.judged
    );
    // The pooled score: 100 × ΣE ÷ ΣW = S, with the sums of the pack totals.
    let flat = squash(text);
    let s = m.summary.overall_score.expect("overall");
    let printed = format!("100×{}÷{}={s:.1}", fmt_num(total_e), fmt_num(total_w));
    assert!(flat.contains(&printed), "pooled score line {printed}");
    assert!((s - (100.0 * total_e / total_w * 10.0).round() / 10.0).abs() < 1e-9);
    // One basis: scored = not applicable + applicable; applicable = the verdict counts.
    let c = &m.summary.counts;
    assert_eq!(c.requirements, c.not_applicable + m.summary.applicable);
    assert_eq!(
        m.summary.applicable,
        c.conform + c.partial + c.nonconform + c.unassessed
    );
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[test]
fn incomplete_project_states_no_conclusion_and_no_score() {
    let (m, text, _) = render(draft_dir(), &opts(Lang::Zh, "UTC"), "draft-zh.pdf");
    assert!(!m.summary.complete);
    let flat = squash(&text);
    let want = format!(
        "评估结论：尚未形成（已判定{}/{}项）",
        m.summary.judged, m.summary.applicable
    );
    assert!(flat.contains(&want), "{want}");
    assert!(!flat.contains("综合得分："), "no pooled score");
    assert!(
        !flat.contains("=")
            || !flat
                .split("100×")
                .skip(1)
                .any(|t| t.starts_with(|c: char| c.is_ascii_digit())),
        "no score formula with numbers"
    );
    for p in &m.packs {
        if let Some(c) = &p.conclusion {
            assert!(
                !flat.contains(&format!("{}{}", p.tally.judged, c.zh)),
                "no pack conclusion"
            );
        }
    }
}

#[test]
fn dates_follow_the_project_zone_whatever_the_system_zone() {
    // The demo records Asia/Shanghai: the report is dated 6 December under any system zone.
    let a = model(completed_dir(), &opts(Lang::Zh, "UTC"));
    let b = model(completed_dir(), &opts(Lang::Zh, "Asia/Shanghai"));
    assert_eq!(a.report_date, "2026-12-06");
    assert_eq!(a.report_date_text.zh, "2026年12月6日");
    assert_eq!(a.report_date_text.en, "6 December 2026");
    let ra = report::render_pdf(&a, &opts(Lang::Zh, "UTC")).expect("pdf");
    let rb = report::render_pdf(&b, &opts(Lang::Zh, "Asia/Shanghai")).expect("pdf");
    assert!(
        ra.bytes == rb.bytes,
        "same project, same report under TZ=UTC and TZ=Asia/Shanghai"
    );
    // A project without a zone of its own is dated in the system zone.
    let dir = common::scratch("regulator-nozone").join("demo.iovaudit");
    {
        let _g = OPEN.lock().unwrap_or_else(|e| e.into_inner());
        let lib = iovaudit::pack::builtin().expect("builtin library");
        let mut p = iovaudit::demo::create(&dir, lib).expect("demo");
        let mut info = iovaudit::project::info::info(&p).expect("info");
        info.time_zone = None;
        iovaudit::project::info::set(&mut p, "tester", &info).expect("set info");
    }
    let utc = model(&dir, &opts(Lang::Zh, "UTC"));
    let sh = model(&dir, &opts(Lang::Zh, "Asia/Shanghai"));
    assert_eq!(utc.report_date_text.zh, "2026年12月5日");
    assert_eq!(sh.report_date_text.zh, "2026年12月6日");
    assert!(
        utc.time_zone_label.starts_with("UTC"),
        "{}",
        utc.time_zone_label
    );
    assert_eq!(sh.time_zone_label, "Asia/Shanghai (UTC+08:00)");
    // The sign-off dates are the approval's date in the project's zone.
    let approver = a
        .signoff
        .iter()
        .find(|s| s.role == "approver")
        .expect("approver");
    assert!(
        approver.date_text.zh.starts_with("2026年"),
        "{:?}",
        approver.date_text
    );
}

#[test]
fn inference_labels_name_the_direction() {
    let (m, _, _) = zh_complete();
    let inferred: Vec<_> = m
        .packs
        .iter()
        .flat_map(|p| p.sections.iter())
        .flat_map(|s| s.requirements.iter())
        .filter_map(|r| r.inference.as_ref().map(|i| (r, i)))
        .collect();
    assert!(!inferred.is_empty(), "the demo infers verdicts");
    let raw = squash(&pdftotext(&zh_complete().2, "-raw"));
    for (r, i) in inferred {
        let from = r.inferred_from.as_deref().expect("from");
        assert!(i.zh.starts_with(&format!("由 {from} 推断：")), "{}", i.zh);
        assert!(raw.contains(&squash(&i.zh)), "printed: {}", i.zh);
    }
    for n in &m.not_applicable {
        assert!(
            !n.reason.zh.contains('`') && !n.reason.zh.contains('_'),
            "{}",
            n.reason.zh
        );
    }
}

#[test]
fn no_pdf_standard_is_claimed() {
    let (_, _, path) = zh_complete();
    let bytes = std::fs::read(path).expect("pdf");
    let hay = String::from_utf8_lossy(&bytes);
    assert!(
        !hay.contains("GTS_PDFX"),
        "a PDF/X key the file does not meet"
    );
    assert!(!hay.contains("pdfaid"), "a PDF/A claim");
    let info = Command::new("pdfinfo").arg(path).output().expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(!info.contains("PDF/X") && !info.contains("PDF/A"), "{info}");
}

#[test]
fn kinsoku_and_unsplit_numbers_in_the_zh_report() {
    let (_, _, path) = zh_complete();
    // `-raw`: lines as laid out, in content order.
    let raw = pdftotext(path, "-raw");
    let mut bad = Vec::new();
    for l in raw.lines() {
        let t = l.trim();
        if t.starts_with(['。', '，', '、', '；', '：', '）', '」', '》', '〕']) {
            bad.push(format!("starts with closing punctuation: {t}"));
        }
        if t.ends_with(['（', '「', '《', '〔']) {
            bad.push(format!("ends with opening punctuation: {t}"));
        }
        // A date or document number split: a line ending in digits followed by a unit at the next start.
    }
    let lines: Vec<&str> = raw.lines().map(str::trim).collect();
    for w in lines.windows(2) {
        if w[0].ends_with(|c: char| c.is_ascii_digit())
            && w[1].starts_with(['年', '月', '日', '号'])
        {
            bad.push(format!("number split from its unit: {} / {}", w[0], w[1]));
        }
    }
    assert!(
        bad.is_empty(),
        "{} typography problems: {:#?}",
        bad.len(),
        &bad[..bad.len().min(20)]
    );
    assert!(
        !raw.contains('\u{200B}') && !raw.contains('\u{FEFF}'),
        "joiners in the text"
    );
}
