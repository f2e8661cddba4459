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
use crate::project::info::{
    self, App, Info, Member, Objects, Party, Platform, Schedule, TeamRole, Tool, VehicleType,
};
use crate::project::{Kind, NewProject, Project, Result};
use std::path::Path;
use std::sync::atomic::AtomicBool;

const ASSESSOR: &str = "张工（演示测评师）";

struct DemoFile {
    name: &'static str,
    requirements: &'static [&'static str],
    method: Method,
    title: &'static str,
    /// The document's own version (文档版本).
    doc_version: &'static str,
    /// Who issued it.
    issuer: &'static str,
}

const FILES: &[DemoFile] = &[
    DemoFile {
        name: "网络安全和数据安全管理制度汇编.md",
        requirements: &["N134-01", "N103-01", "N103-07", "SH26-01"],
        method: Method::Examine,
        title: "网络安全和数据安全管理制度汇编（2026版）",
        doc_version: "V3.0（2026-01-10 发布）",
        issuer: "示例智能网联汽车有限公司 网络安全与数据安全委员会",
    },
    DemoFile {
        name: "安全负责人任命文件.txt",
        requirements: &["N134-01"],
        method: Method::Examine,
        title: "关于任命网络安全与数据安全负责人的通知",
        doc_version: "示汽发〔2026〕3号",
        issuer: "示例智能网联汽车有限公司 总经理办公室",
    },
    DemoFile {
        name: "2026年度安全培训签到与考核.csv",
        requirements: &["N134-03"],
        method: Method::Examine,
        title: "2026年度安全培训签到与考核记录",
        doc_version: "2026-03-16 导出",
        issuer: "示例智能网联汽车有限公司 人力资源部",
    },
    DemoFile {
        name: "网络日志留存策略.md",
        requirements: &["N134-17"],
        method: Method::Examine,
        title: "网络日志留存策略",
        doc_version: "V1.4",
        issuer: "示例智能网联汽车有限公司 安全运营部",
    },
    DemoFile {
        name: "日志平台最早可检索记录抽查.csv",
        requirements: &["N134-17", "N134-16"],
        method: Method::Test,
        title: "日志平台抽查：最早可检索日志时间戳",
        doc_version: "2026-11-22 现场抽查",
        issuer: "示例测评技术服务中心 评估组",
    },
    DemoFile {
        name: "漏洞管理工作程序.md",
        requirements: &["N134-09", "SH26-32"],
        method: Method::Examine,
        title: "产品安全漏洞管理工作程序",
        doc_version: "V2.1",
        issuer: "示例智能网联汽车有限公司 产品安全部",
    },
    DemoFile {
        name: "漏洞台账-2026Q3.csv",
        requirements: &["N134-09", "N134-10"],
        method: Method::Examine,
        title: "漏洞台账（2026年第三季度）",
        doc_version: "2026Q3（2026-10-08 导出）",
        issuer: "示例智能网联汽车有限公司 产品安全部",
    },
    DemoFile {
        name: "网络安全事件应急预案.md",
        requirements: &["N134-18", "SH26-29"],
        method: Method::Examine,
        title: "网络安全事件应急预案",
        doc_version: "V2.0",
        issuer: "示例智能网联汽车有限公司 安全运营部",
    },
    DemoFile {
        name: "2026年应急演练记录.md",
        requirements: &["N134-19", "SH26-30"],
        method: Method::Examine,
        title: "2026年网络与数据安全应急演练记录",
        doc_version: "2026-06-20",
        issuer: "示例智能网联汽车有限公司 安全运营部",
    },
    DemoFile {
        name: "车联网平台定级备案回执.txt",
        requirements: &["N134-21", "SH26-04"],
        method: Method::Examine,
        title: "车联网服务平台定级备案回执",
        doc_version: "备案编号 31011543001-26001",
        issuer: "上海市公安局浦东分局（示例）",
    },
    DemoFile {
        name: "数据分类分级清单.csv",
        requirements: &["N134-33", "N103-02"],
        method: Method::Examine,
        title: "数据资产台账与分类分级清单",
        doc_version: "V1.2（2026-09-30）",
        issuer: "示例智能网联汽车有限公司 数据安全办公室",
    },
    DemoFile {
        name: "OTA升级包安全检测报告-V3.2.1.md",
        requirements: &["N134-27", "SH26-13"],
        method: Method::Test,
        title: "OTA升级包安全检测报告（V3.2.1）",
        doc_version: "报告编号 OTA-TR-2026-017",
        issuer: "示例智能网联汽车有限公司 OTA 平台组",
    },
    DemoFile {
        name: "访谈记录-安全运营负责人.md",
        requirements: &["N134-16"],
        method: Method::Interview,
        title: "访谈记录：安全运营中心负责人",
        doc_version: "2026-11-20 访谈",
        issuer: "示例测评技术服务中心 评估组",
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
    assess::set_scope_with(
        &mut p,
        ASSESSOR,
        &scope,
        Some("被评估单位填写的《车联网安全评估基本情况调查表》（2026-11-18 盖章版）、营业执照、平台定级备案回执，并经 2026-11-20 与网络安全负责人访谈确认"),
    )?;
    info::set(&mut p, ASSESSOR, &demo_info())?;

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
                doc_version: f.doc_version.to_string(),
                issuer: f.issuer.to_string(),
                ..Default::default()
            };
            evidence::add(&mut p, ASSESSOR, &[path], &opts, &|_| {}, &never)?;
        }
        Ok::<(), crate::project::ProjectError>(())
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result?;

    // (requirement, verdict, justification, 现状描述, why no evidence is linked)
    let verdicts: &[(&str, Verdict, &str, &str, &str)] = &[
        (
            "N134-01",
            Verdict::Conform,
            "制度汇编覆盖网络安全与数据安全，已任命负责人并设立安全管理部门。",
            "查阅《网络安全和数据安全管理制度汇编》V3.0 及任命通知（示汽发〔2026〕3号）：公司设网络安全与数据安全委员会，由分管副总经理任网络安全负责人，安全运营部为归口管理部门，制度覆盖组织、人员、数据、应急等方面。",
            "",
        ),
        (
            "N134-02",
            Verdict::Conform,
            "",
            "制度汇编第 2 章明确各部门安全职责，2026 年度安全目标责任书已由各部门负责人签署。",
            "",
        ),
        (
            "N134-03",
            Verdict::Partial,
            "已开展年度培训，但客服等涉数岗位覆盖率不足 60%。",
            "2026-03-15/16 开展全员安全培训并考核；抽查签到记录，研发、运营岗位覆盖完整，客服中心 42 人中仅 24 人参加。",
            "",
        ),
        (
            "N134-09",
            Verdict::Conform,
            "漏洞工作程序完整，台账与平台报送记录一致。",
            "《产品安全漏洞管理工作程序》V2.1 规定发现、验证、修补、报送流程；2026Q3 台账 3 条漏洞均在发现后 1 日内报送至工业和信息化部网络安全威胁和漏洞信息共享平台。",
            "",
        ),
        (
            "N134-10",
            Verdict::Conform,
            "",
            "台账显示高危漏洞 VUL-2026-031 已修复并复测，VUL-2026-040 修复中，有临时缓解措施记录。",
            "",
        ),
        (
            "N134-16",
            Verdict::Conform,
            "",
            "访谈安全运营中心负责人并现场查看日志平台：车云接入网关、OTA 服务、用户 App 后台均接入集中日志平台并配置告警。",
            "",
        ),
        (
            "N134-17",
            Verdict::Conform,
            "抽查三个日志源，最早可检索记录均超过 180 天。",
            "2026-11-22 现场抽查：最早可检索记录分别保留 265 天、225 天、186 天，留存策略 V1.4 规定不少于 180 天。",
            "",
        ),
        (
            "N134-18",
            Verdict::Conform,
            "",
            "《网络安全事件应急预案》V2.0 明确事件分级、报告时限与处置流程，已向属地通信管理局报备。",
            "",
        ),
        (
            "N134-19",
            Verdict::Nonconform,
            "2026 年仅开展桌面推演，未开展实战演练，演练记录缺少复盘改进。",
            "查阅 2026-06-20 演练记录：形式为桌面推演，参演 12 人；无实战（技术）演练记录，无复盘报告与整改跟踪。",
            "",
        ),
        (
            "N134-21",
            Verdict::Conform,
            "车联网服务平台已定级为三级并完成备案。",
            "查阅定级备案回执：车联网服务平台定为第三级，备案编号 31011543001-26001；车主 App 后台定为第二级。",
            "",
        ),
        (
            "N134-27",
            Verdict::Partial,
            "V3.2.1 升级包已检测，但 V3.1.x 的两个版本缺少发布前检测报告。",
            "查阅 OTA 发布记录：2026 年共发布 V3.1.0、V3.1.2、V3.2.1 三个升级包，仅 V3.2.1 有发布前安全检测报告（OTA-TR-2026-017）。",
            "",
        ),
        (
            "N134-33",
            Verdict::Conform,
            "",
            "《数据资产台账与分类分级清单》V1.2 覆盖车辆运行、用户账户、故障数据，标注级别、是否个人信息与重要数据。",
            "",
        ),
        (
            "N103-05",
            Verdict::Conform,
            "数据均存储于上海境内机房。",
            "现场查看云资源管理台与机房托管合同：生产数据库与对象存储均位于上海境内两处机房，无境外节点。",
            "机房托管合同含商业保密条款，被评估单位不同意留存复印件；评估组于 2026-11-21 现场查阅原件并记录于工作底稿。",
        ),
        (
            "SH26-05",
            Verdict::Conform,
            "",
            "已按上海市要求向市通信管理局报送网络安全与数据安全负责人及联系人信息，查看报送系统截图。",
            "报送系统截图含个人联系方式，被评估单位仅现场展示，未提供副本。",
        ),
        (
            "GB44495-7.4.1",
            Verdict::Partial,
            "T-Box 私钥存储于安全芯片；IVI 对称密钥仍以文件形式存储。",
            "查阅 T-Box 与 IVI 密钥管理设计文档并现场核对：T-Box 私钥存放于安全芯片（SE），IVI 的通信对称密钥以加密文件形式存放于文件系统。",
            "",
        ),
    ];
    for (id, v, note, observation, reason) in verdicts {
        let mut input = assess::VerdictInput::new(*v, *note).observation(*observation);
        if !reason.is_empty() {
            input = input.evidence_reason(*reason);
        }
        assess::set_verdict(&mut p, ASSESSOR, id, &input)?;
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
    struct DemoFinding {
        req: &'static str,
        title: &'static str,
        sev: Severity,
        owner: &'static str,
        due: &'static str,
        description: &'static str,
        threat: &'static str,
        impact: Severity,
        likelihood: Severity,
        recommendation: &'static str,
        time_limit: &'static str,
    }
    for f in [
        DemoFinding {
            req: "N134-19",
            title: "年内组织一次网络与数据安全实战应急演练并形成复盘报告",
            sev: Severity::High,
            owner: "安全运营部 李明",
            due: "2026-12-31",
            description: "2026 年仅开展桌面推演，未开展实战（技术）演练；演练记录缺少复盘与改进跟踪。",
            threat: "发生车云平台入侵、数据泄露等事件时，处置流程未经实战检验，可能延误处置与报告。",
            impact: Severity::High,
            likelihood: Severity::Medium,
            recommendation: "制定年度演练计划，至少开展一次覆盖车云平台的实战演练；演练后形成复盘报告并跟踪改进项闭环。",
            time_limit: "30日内",
        },
        DemoFinding {
            req: "N134-27",
            title: "补齐 V3.1.x 升级包发布前安全检测报告，并将检测纳入发布门禁",
            sev: Severity::Medium,
            owner: "OTA 平台组 王芳",
            due: "2027-01-31",
            description: "V3.1.0、V3.1.2 两个 OTA 升级包发布前未开展安全检测，无检测报告。",
            threat: "未经检测的升级包可能引入已知漏洞或被篡改，经 OTA 下发至在网车辆。",
            impact: Severity::High,
            likelihood: Severity::Low,
            recommendation: "对已发布的 V3.1.x 升级包补做安全检测；在 OTA 发布流程中设置检测报告门禁，无报告不得发布。",
            time_limit: "60日内",
        },
        DemoFinding {
            req: "N134-03",
            title: "将客服、运维等涉数岗位纳入年度安全培训与考核",
            sev: Severity::Low,
            owner: "人力资源部 赵强",
            due: "2027-03-31",
            description: "年度安全培训未覆盖全部涉数岗位，客服中心参训率约 57%。",
            threat: "未经培训的客服人员可能因社会工程学攻击或操作不当泄露用户个人信息。",
            impact: Severity::Medium,
            likelihood: Severity::Low,
            recommendation: "将客服、运维等涉及个人信息处理的岗位纳入年度培训与考核，补训并留存签到与考核记录。",
            time_limit: "90日内",
        },
    ] {
        assess::add_finding(
            &mut p,
            ASSESSOR,
            &FindingInput {
                requirement: Some(f.req.into()),
                title: Some(f.title.into()),
                severity: Some(f.sev),
                owner: Some(f.owner.into()),
                due: Some(f.due.into()),
                description: Some(f.description.into()),
                threat: Some(f.threat.into()),
                impact: Some(Some(f.impact)),
                likelihood: Some(Some(f.likelihood)),
                recommendation: Some(f.recommendation.into()),
                time_limit: Some(f.time_limit.into()),
                ..Default::default()
            },
        )?;
    }
    Ok(p)
}

/// The demo's project information: a fictitious assessee, the assessing
/// institution, a team of four with roles and certificate numbers, tools,
/// the assessed objects and the schedule, dated in China Standard Time.
fn demo_info() -> Info {
    let assessee = Party {
        name: "示例智能网联汽车有限公司".into(),
        credit_code: "91310115MA1FL8XK2U".into(),
        address: "上海市浦东新区示例路 88 号".into(),
        contact: "李明（安全运营部经理）".into(),
        phone: "021-5000 0000".into(),
        email: "security@example-auto.cn".into(),
        security_officer: "陈立（分管副总经理）".into(),
    };
    let m = |name: &str, role: &str, cert: &str, kind: TeamRole| Member {
        name: name.into(),
        role: role.into(),
        cert_no: cert.into(),
        kind: Some(kind),
    };
    let t = |name: &str, version: &str, purpose: &str| Tool {
        name: name.into(),
        version: version.into(),
        purpose: purpose.into(),
    };
    Info {
        report_number: "SCTS-IOV-2026-0158".into(),
        client: assessee.clone(),
        assessee,
        assessor_org: Party {
            name: "示例测评技术服务中心".into(),
            credit_code: "91310104MA1FR6PQ3C".into(),
            address: "上海市徐汇区示例大道 200 号".into(),
            contact: "周敏（业务部）".into(),
            phone: "021-6000 0000".into(),
            email: "service@example-lab.cn".into(),
            security_officer: "吴刚".into(),
        },
        qualifications: vec![],
        team: vec![
            m("张工", "项目组长、测评师", "CCSRP-2023-0412（示例）", TeamRole::Lead),
            m("刘洋", "测评师", "CISP-2022-11873（示例）", TeamRole::Author),
            m("王审核", "技术审核", "CCSRP-2021-0087（示例）", TeamRole::Reviewer),
            m("孙批准", "技术负责人（授权签字人）", "CCSRP-2019-0020（示例）", TeamRole::Approver),
        ],
        tools: vec![
            t("iovaudit", crate::APP_VERSION, "评估项目管理、证据留存与报告生成"),
            t("Nmap", "7.94", "车云平台对外端口与服务识别"),
            t("Trivy", "0.56", "OTA 升级包与容器镜像已知漏洞扫描"),
        ],
        objects: Objects {
            platforms: vec![Platform {
                name: "示例车联网服务平台（TSP）".into(),
                level: Some(3),
                filing_no: "31011543001-26001".into(),
            }],
            vehicles: vec![VehicleType {
                name: "示例 S7 纯电动轿车".into(),
                model: "SLA7000BEV".into(),
                software_version: "T-Box 4.2.0；IVI 3.2.1；网关 2.0.5".into(),
            }],
            apps: vec![App {
                name: "示例汽车 App（Android/iOS）".into(),
                version: "5.8.0".into(),
            }],
            data_catalogue: "车辆运行数据（车速、位置轨迹）、用户账户数据（手机号、实名信息）、车辆故障数据（故障码），见《数据资产台账与分类分级清单》V1.2。".into(),
        },
        purpose: "依据车联网网络安全和数据安全相关规定与标准，评估被评估单位的网络安全与数据安全管理和技术防护措施的符合情况，为其向主管部门报送和持续改进提供依据。".into(),
        boundary: "示例车联网服务平台（TSP）及其车云接入网关、OTA 服务、用户 App 后台；示例 S7 车型的 T-Box、IVI 与中央网关；相关管理制度与运营记录。不含经销商系统与第三方地图服务。".into(),
        schedule: Schedule {
            start: Some("2026-11-16".into()),
            end: Some("2026-11-27".into()),
        },
        methods_note: "采用文档审查、人员访谈与技术检测相结合的方式；技术检测在被评估单位授权的测试环境中进行。".into(),
        distribution: vec![
            "示例智能网联汽车有限公司（2 份）".into(),
            "示例测评技术服务中心（存档 1 份）".into(),
        ],
        time_zone: Some("Asia/Shanghai".into()),
        require_evidence: false,
        assessee_statement: true,
    }
}
