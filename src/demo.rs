//! `iovaudit demo DIR`: a complete sample project — a fictitious car maker
//! and platform operator in Shanghai, four packs, answered scope, real
//! evidence files (policies, logs, reports) ingested into the vault, a mix of
//! verdicts, inferred verdicts and findings. Used by the README's main
//! command, the desktop app's "open demo" and the tests.
//!
//! The source files are written to a fresh temporary folder, ingested, and
//! the folder is removed again; nothing else is written outside `DIR`.

use crate::assess::{self, FindingInput, Severity, Verdict};
use crate::evidence::{self, AddOptions};
use crate::pack::{Library, Method};
use crate::project::{Kind, NewProject, Project, Result};
use std::path::Path;
use std::sync::atomic::AtomicBool;

const ASSESSOR: &str = "张工（演示测评师）";

struct DemoFile {
    name: &'static str,
    requirements: &'static [&'static str],
    method: Method,
    title: &'static str,
}

const FILES: &[DemoFile] = &[
    DemoFile {
        name: "网络安全和数据安全管理制度汇编.md",
        requirements: &["N134-01", "N103-01", "N103-07", "SH26-01"],
        method: Method::Examine,
        title: "网络安全和数据安全管理制度汇编（2026版）",
    },
    DemoFile {
        name: "安全负责人任命文件.txt",
        requirements: &["N134-01"],
        method: Method::Examine,
        title: "关于任命网络安全与数据安全负责人的通知",
    },
    DemoFile {
        name: "2026年度安全培训签到与考核.csv",
        requirements: &["N134-03"],
        method: Method::Examine,
        title: "2026年度安全培训签到与考核记录",
    },
    DemoFile {
        name: "网络日志留存策略.md",
        requirements: &["N134-17"],
        method: Method::Examine,
        title: "网络日志留存策略",
    },
    DemoFile {
        name: "日志平台最早可检索记录抽查.csv",
        requirements: &["N134-17", "N134-16"],
        method: Method::Test,
        title: "日志平台抽查：最早可检索日志时间戳",
    },
    DemoFile {
        name: "漏洞管理工作程序.md",
        requirements: &["N134-09", "SH26-32"],
        method: Method::Examine,
        title: "产品安全漏洞管理工作程序",
    },
    DemoFile {
        name: "漏洞台账-2026Q3.csv",
        requirements: &["N134-09", "N134-10"],
        method: Method::Examine,
        title: "漏洞台账（2026年第三季度）",
    },
    DemoFile {
        name: "网络安全事件应急预案.md",
        requirements: &["N134-18", "SH26-29"],
        method: Method::Examine,
        title: "网络安全事件应急预案",
    },
    DemoFile {
        name: "2026年应急演练记录.md",
        requirements: &["N134-19", "SH26-30"],
        method: Method::Examine,
        title: "2026年网络与数据安全应急演练记录",
    },
    DemoFile {
        name: "车联网平台定级备案回执.txt",
        requirements: &["N134-21", "SH26-04"],
        method: Method::Examine,
        title: "车联网服务平台定级备案回执",
    },
    DemoFile {
        name: "数据分类分级清单.csv",
        requirements: &["N134-33", "N103-02"],
        method: Method::Examine,
        title: "数据资产台账与分类分级清单",
    },
    DemoFile {
        name: "OTA升级包安全检测报告-V3.2.1.md",
        requirements: &["N134-27", "SH26-13"],
        method: Method::Test,
        title: "OTA升级包安全检测报告（V3.2.1）",
    },
    DemoFile {
        name: "访谈记录-安全运营负责人.md",
        requirements: &["N134-16"],
        method: Method::Interview,
        title: "访谈记录：安全运营中心负责人",
    },
];

fn content(name: &str) -> String {
    match name {
        n if n.ends_with(".csv") && n.contains("日志") => {
            let mut s = String::from("日志源,最早可检索记录时间,抽查时间,保留天数\n");
            for (src, first, days) in [("车云接入网关", "2026-03-02T08:14:55+08:00", 265), ("OTA服务", "2026-04-11T10:02:13+08:00", 225), ("用户APP后台", "2026-05-20T00:00:07+08:00", 186)] {
                s.push_str(&format!("{src},{first},2026-11-22T10:30:00+08:00,{days}\n"));
            }
            s
        }
        n if n.ends_with(".csv") && n.contains("漏洞") => "编号,发现日期,来源,等级,状态,报送平台日期\nVUL-2026-031,2026-07-04,外部白帽,高危,已修复,2026-07-05\nVUL-2026-032,2026-07-19,渗透测试,中危,已修复,2026-07-20\nVUL-2026-040,2026-09-02,供应商通报,高危,修复中,2026-09-03\n".to_string(),
        n if n.ends_with(".csv") && n.contains("分类分级") => "数据类别,数据项,级别,是否个人信息,是否重要数据,存储位置\n车辆运行数据,车速/位置轨迹,3级,是,是,上海（境内）\n用户账户数据,手机号/实名信息,3级,是,否,上海（境内）\n车辆故障数据,故障码,2级,否,否,上海（境内）\n".to_string(),
        n if n.ends_with(".csv") => "姓名,部门,培训日期,考核成绩\n李明,安全运营部,2026-03-15,92\n王芳,研发中心,2026-03-15,88\n赵强,客服中心,2026-03-16,81\n".to_string(),
        n => format!(
            "# {}\n\n示例智能网联汽车有限公司\n\n本文件为 iovaudit 演示项目自动生成的示例证据，内容为虚构，仅用于演示评估流程。\n\n1. 目的与适用范围\n2. 职责分工\n3. 工作要求\n4. 记录与保存\n\n生成时间：2026-11-22\n",
            n.trim_end_matches(".md").trim_end_matches(".txt")
        ),
    }
}

/// Creates the demo project in `dir`.
pub fn create(dir: &Path, library: Library) -> Result<Project> {
    let new = NewProject {
        name: "示例智能网联汽车有限公司 2026年度车联网网络与数据安全评估".into(),
        assessee: "示例智能网联汽车有限公司".into(),
        kind: Kind::ThirdParty,
        organisation: "示例测评技术服务中心".into(),
        packs: vec![
            "N134".into(),
            "N103".into(),
            "GB44495".into(),
            "SH26".into(),
        ],
        by: ASSESSOR.into(),
    };
    let mut p = Project::init(dir, &new, library)?;
    let scope: Vec<(String, String)> = [
        ("enterprise_type", "OEM,PLT"),
        ("region", "SH"),
        ("platform_level", "3"),
        ("has_ota", "yes"),
        ("has_app", "yes"),
        ("l3_plus", "no"),
        ("important_data", "yes"),
        ("exports_data", "no"),
        ("shares_data", "yes"),
        ("pia_required", "yes"),
        ("is_cii", "no"),
        ("telecom_service", "yes"),
        ("commercial_crypto", "yes"),
        ("pilot_participant", "no"),
        // Per-object protection levels, the Shanghai AD activities, and the
        // vehicle-type questions of GB 44495/44496.
        ("platform_levels_present", "L3,L2"),
        ("ad_road_activity_sh", "no"),
        ("approval_stage", "new_type"),
        ("type_extension", "no"),
        ("has_remote_control", "yes"),
        ("has_third_party_apps", "no"),
        ("has_external_media", "yes"),
        ("has_v2x", "no"),
        ("offline_update_onboard", "yes"),
        ("offline_update_direct", "no"),
        ("stores_security_logs", "yes"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assess::set_scope(&mut p, ASSESSOR, &scope)?;

    let tmp = std::env::temp_dir().join(format!(
        "iovaudit-demo-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    let result = (|| {
        std::fs::create_dir_all(&tmp).map_err(|e| crate::project::ProjectError::Io {
            path: tmp.clone(),
            source: e,
        })?;
        let never = AtomicBool::new(false);
        for f in FILES {
            let path = tmp.join(f.name);
            std::fs::write(&path, content(f.name)).map_err(|e| {
                crate::project::ProjectError::Io {
                    path: path.clone(),
                    source: e,
                }
            })?;
            let opts = AddOptions {
                requirements: f.requirements.iter().map(|s| s.to_string()).collect(),
                method: f.method,
                title: Some(f.title.to_string()),
                ..Default::default()
            };
            evidence::add(&mut p, ASSESSOR, &[path], &opts, &|_| {}, &never)?;
        }
        Ok::<(), crate::project::ProjectError>(())
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result?;

    let verdicts: &[(&str, Verdict, &str)] = &[
        (
            "N134-01",
            Verdict::Conform,
            "制度汇编覆盖网络安全与数据安全，已任命负责人并设立安全管理部门。",
        ),
        ("N134-02", Verdict::Conform, ""),
        (
            "N134-03",
            Verdict::Partial,
            "已开展年度培训，但客服等涉数岗位覆盖率不足 60%。",
        ),
        (
            "N134-09",
            Verdict::Conform,
            "漏洞工作程序完整，台账与平台报送记录一致。",
        ),
        ("N134-10", Verdict::Conform, ""),
        ("N134-16", Verdict::Conform, ""),
        (
            "N134-17",
            Verdict::Conform,
            "抽查三个日志源，最早可检索记录均超过 180 天。",
        ),
        ("N134-18", Verdict::Conform, ""),
        (
            "N134-19",
            Verdict::Nonconform,
            "2026 年仅开展桌面推演，未开展实战演练，演练记录缺少复盘改进。",
        ),
        (
            "N134-21",
            Verdict::Conform,
            "车联网服务平台已定级为三级并完成备案。",
        ),
        (
            "N134-27",
            Verdict::Partial,
            "V3.2.1 升级包已检测，但 V3.1.x 的两个版本缺少发布前检测报告。",
        ),
        ("N134-33", Verdict::Conform, ""),
        ("N103-05", Verdict::Conform, "数据均存储于上海境内机房。"),
        ("SH26-05", Verdict::Conform, ""),
        (
            "GB44495-7.4.1",
            Verdict::Partial,
            "T-Box 私钥存储于安全芯片；IVI 对称密钥仍以文件形式存储。",
        ),
    ];
    for (id, v, note) in verdicts {
        assess::set_verdict(&mut p, ASSESSOR, id, *v, note)?;
    }
    // Confirm one of the inferred verdicts; the others stay for the reviewer to see.
    let pending: Vec<String> = assess::recorded_verdicts(&p)?
        .into_iter()
        .filter(|(_, r)| !r.confirmed)
        .map(|(k, _)| k)
        .collect();
    if let Some(first) = pending.first() {
        assess::confirm(&mut p, ASSESSOR, first)?;
    }
    for (req, title, sev, owner, due) in [
        (
            "N134-19",
            "年内组织一次网络与数据安全实战应急演练并形成复盘报告",
            Severity::High,
            "安全运营部 李明",
            "2026-12-31",
        ),
        (
            "N134-27",
            "补齐 V3.1.x 升级包发布前安全检测报告，并将检测纳入发布门禁",
            Severity::Medium,
            "OTA 平台组 王芳",
            "2027-01-31",
        ),
        (
            "N134-03",
            "将客服、运维等涉数岗位纳入年度安全培训与考核",
            Severity::Low,
            "人力资源部 赵强",
            "2027-03-31",
        ),
    ] {
        assess::add_finding(
            &mut p,
            ASSESSOR,
            &FindingInput {
                requirement: Some(req.into()),
                title: Some(title.into()),
                severity: Some(sev),
                owner: Some(owner.into()),
                due: Some(due.into()),
                ..Default::default()
            },
        )?;
    }
    Ok(p)
}
