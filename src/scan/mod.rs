//! Test-tool output as evidence: SBOMs (CycloneDX 1.4–1.6 JSON, SPDX 2.2/2.3
//! JSON), vulnerability reports (Trivy JSON schema 2, Grype JSON), port scans
//! (nmap XML) and the declared business-port list (CSV port/protocol/purpose).
//!
//! [`import`] stores the file as evidence through [`crate::evidence::add`]
//! (hashed like any other), parses it into a [`Summary`] kept in the table
//! `evidence_summary` (through the evidence module, which owns that table), and asks
//! [`crate::assess::proposals`] for the verdicts the summary supports, which
//! are stored as unconfirmed inferences (`inferred_from = "evidence:ID"`).
//!
//! Every reader is bounded: the file is at most [`MAX_FILE`] bytes (checked
//! before it is read), JSON nesting is held to serde_json's limit (128) and
//! parsed on a thread with a known stack, XML nesting to [`MAX_XML_DEPTH`].
//! Malformed input is refused with the file and the position (line and column
//! for JSON and CSV, byte offset for XML), in zh and en, before anything is
//! stored.

mod json;
mod nmap;
mod ports;

use crate::assess::proposals::{self, ScanProposal};
use crate::evidence::{self, AddOptions};
use crate::i18n::Text;
use crate::pack::Method;
use crate::project::{now, ChangeError, Project, ProjectError, Result};
use crate::t;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// The largest tool output file read (64 MiB).
pub const MAX_FILE: u64 = 64 * 1024 * 1024;
/// XML elements nest at most this deep in an nmap report.
pub const MAX_XML_DEPTH: usize = 64;
/// Stack of the parsing thread: serde's derived readers recurse per nesting
/// level (at most 128 deep through serde_json's limit).
const PARSE_STACK: usize = 32 * 1024 * 1024;

/// The kinds of tool output understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Cyclonedx,
    Spdx,
    Trivy,
    Grype,
    Nmap,
    /// The declared business-port list (CSV: port, protocol, purpose).
    Ports,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Cyclonedx,
        Kind::Spdx,
        Kind::Trivy,
        Kind::Grype,
        Kind::Nmap,
        Kind::Ports,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Cyclonedx => "cyclonedx",
            Kind::Spdx => "spdx",
            Kind::Trivy => "trivy",
            Kind::Grype => "grype",
            Kind::Nmap => "nmap",
            Kind::Ports => "ports",
        }
    }

    /// `None` for `auto` (sniff the format); `Err` for an unknown name.
    pub fn parse(s: &str) -> std::result::Result<Option<Kind>, Text> {
        let l = s.trim().to_ascii_lowercase();
        if l == "auto" {
            return Ok(None);
        }
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == l)
            .map(Some)
            .ok_or_else(|| {
                t!(
                    "未知的扫描结果类型 `{s}`（可用：cyclonedx、spdx、trivy、grype、nmap、ports、auto）",
                    "unknown scan kind `{s}` (use cyclonedx, spdx, trivy, grype, nmap, ports or auto)"
                )
            })
    }

    pub fn label(self) -> Text {
        match self {
            Kind::Cyclonedx => Text::new("CycloneDX 软件物料清单", "CycloneDX SBOM"),
            Kind::Spdx => Text::new("SPDX 软件物料清单", "SPDX SBOM"),
            Kind::Trivy => Text::new("Trivy 漏洞扫描报告", "Trivy vulnerability report"),
            Kind::Grype => Text::new("Grype 漏洞扫描报告", "Grype vulnerability report"),
            Kind::Nmap => Text::new("nmap 端口扫描结果", "nmap port scan"),
            Kind::Ports => Text::new("业务端口清单", "declared business-port list"),
        }
    }

    /// Whether the kind reports vulnerabilities (a CycloneDX BOM only when it
    /// has a `vulnerabilities` array: see [`Summary::vulnerability_scan`]).
    pub fn is_vulnerability_report(self) -> bool {
        matches!(self, Kind::Trivy | Kind::Grype)
    }
}

/// Severity as the tools write it, normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Negligible,
    Unknown,
}

impl Severity {
    pub fn parse(s: &str) -> Severity {
        match s.trim().to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" | "important" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" => Severity::Low,
            "negligible" | "info" | "informational" | "none" => Severity::Negligible,
            _ => Severity::Unknown,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Negligible => "negligible",
            Severity::Unknown => "unknown",
        }
    }
    /// The severity's name in reports.
    pub fn label(self) -> Text {
        match self {
            Severity::Critical => Text::new("严重", "critical"),
            Severity::High => Text::new("高危", "high"),
            Severity::Medium => Text::new("中危", "medium"),
            Severity::Low => Text::new("低危", "low"),
            Severity::Negligible => Text::new("可忽略", "negligible"),
            Severity::Unknown => Text::new("未定级", "unrated"),
        }
    }
    /// High or critical: what GB 44495 7.1.1.1 / 7.3.1.2 speak of.
    pub fn high_or_above(self) -> bool {
        matches!(self, Severity::Critical | Severity::High)
    }
}

/// A software component (SBOM package, scanned package).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// One vulnerability finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    pub id: String,
    pub severity: Severity,
    #[serde(default)]
    pub package: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// As the report gives it (RFC 3339 or YYYY-MM-DD); `None` when the tool
    /// does not report it (Grype does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_vector: Option<String>,
    /// Marked handled by the report itself (Trivy's suppressed findings,
    /// Grype's ignored matches, CycloneDX VEX analysis states).
    #[serde(default)]
    pub handled: bool,
    /// How the report marks it handled (e.g. `trivy: ignored (.trivyignore)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_by: Option<String>,
}

impl Vulnerability {
    /// The publication day, when the report gives one that reads as a date.
    pub fn published_date(&self) -> Option<NaiveDate> {
        self.published.as_deref().and_then(date_prefix)
    }
}

/// One port of a scanned host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Port {
    pub port: u16,
    pub protocol: String,
    /// open | closed | filtered | open|filtered | …
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Port {
    pub fn is_open(&self) -> bool {
        self.state == "open"
    }
}

/// One scanned host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Host {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// up | down | unknown
    pub status: String,
    pub ports: Vec<Port>,
}

/// One line of the declared business-port list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclaredPort {
    /// First port of the line (a range `8000-8010` gives `port..=port_to`).
    pub port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_to: Option<u16>,
    /// tcp | udp | sctp
    pub protocol: String,
    pub purpose: String,
    /// The line of the file (1-based).
    pub line: usize,
}

impl DeclaredPort {
    pub fn covers(&self, port: u16, protocol: &str) -> bool {
        let hi = self.port_to.unwrap_or(self.port);
        self.protocol.eq_ignore_ascii_case(protocol) && (self.port..=hi).contains(&port)
    }
}

/// What a tool's output says, as kept beside the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub kind: Kind,
    /// The format's own version (`1.6`, `SPDX-2.3`, `2`, nmap's `xmloutputversion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<String>,
    /// The producing tool and its version, when the file names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// When the tool ran, as the file says (RFC 3339 where it gives a time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned_at: Option<String>,
    /// What was scanned or described (image, directory, host list, document name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default)]
    pub components: Vec<Component>,
    /// True when the file carries vulnerability data (Trivy, Grype, or a
    /// CycloneDX BOM with a `vulnerabilities` array), even an empty list.
    #[serde(default)]
    pub vulnerability_scan: bool,
    #[serde(default)]
    pub vulnerabilities: Vec<Vulnerability>,
    #[serde(default)]
    pub hosts: Vec<Host>,
    #[serde(default)]
    pub declared_ports: Vec<DeclaredPort>,
}

impl Summary {
    fn new(kind: Kind) -> Summary {
        Summary {
            kind,
            format_version: None,
            tool: None,
            scanned_at: None,
            target: None,
            components: vec![],
            vulnerability_scan: kind.is_vulnerability_report(),
            vulnerabilities: vec![],
            hosts: vec![],
            declared_ports: vec![],
        }
    }

    /// Counts by severity, most severe first, handled ones apart.
    pub fn severity_counts(&self) -> Vec<(Severity, usize, usize)> {
        let mut out: Vec<(Severity, usize, usize)> = Vec::new();
        for s in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Negligible,
            Severity::Unknown,
        ] {
            let open = self
                .vulnerabilities
                .iter()
                .filter(|v| v.severity == s && !v.handled)
                .count();
            let handled = self
                .vulnerabilities
                .iter()
                .filter(|v| v.severity == s && v.handled)
                .count();
            if open + handled > 0 {
                out.push((s, open, handled));
            }
        }
        out
    }

    /// Every open port of every host: (host, port).
    pub fn open_ports(&self) -> Vec<(&Host, &Port)> {
        self.hosts
            .iter()
            .flat_map(|h| h.ports.iter().filter(|p| p.is_open()).map(move |p| (h, p)))
            .collect()
    }

    /// One line for the report's evidence register: what the file is and
    /// what it found (components, vulnerabilities by severity, open ports,
    /// declared ports).
    pub fn digest(&self) -> Text {
        let mut zh = vec![self.kind.label().zh];
        let mut en = vec![self.kind.label().en];
        if let Some(tool) = &self.tool {
            zh.push(format!("工具 {tool}"));
            en.push(format!("tool {tool}"));
        }
        if !self.components.is_empty() {
            zh.push(format!("组件 {} 个", self.components.len()));
            en.push(format!("{} component(s)", self.components.len()));
        }
        if self.vulnerability_scan {
            let counts = self.severity_counts();
            if counts.is_empty() {
                zh.push("未发现漏洞".into());
                en.push("no vulnerabilities found".into());
            } else {
                let part = |lang_zh: bool| {
                    counts
                        .iter()
                        .map(|(s, open, handled)| {
                            let l = s.label();
                            match (lang_zh, *handled) {
                                (true, 0) => format!("{} {open}", l.zh),
                                (true, h) => format!("{} {open}（另已处置 {h}）", l.zh),
                                (false, 0) => format!("{} {open}", l.en),
                                (false, h) => format!("{} {open} (+{h} handled)", l.en),
                            }
                        })
                        .collect::<Vec<_>>()
                };
                zh.push(format!("漏洞：{}", part(true).join("、")));
                en.push(format!("vulnerabilities: {}", part(false).join(", ")));
            }
        }
        if !self.hosts.is_empty() {
            let ports: Vec<String> = self
                .open_ports()
                .iter()
                .map(|(h, p)| format!("{} {}/{}", h.address, p.protocol, p.port))
                .collect();
            let shown = ports.iter().take(12).cloned().collect::<Vec<_>>();
            let more = ports.len().saturating_sub(shown.len());
            zh.push(format!(
                "主机 {} 台，开放端口 {} 个{}{}",
                self.hosts.len(),
                ports.len(),
                if shown.is_empty() {
                    String::new()
                } else {
                    format!("：{}", shown.join("、"))
                },
                if more > 0 {
                    " 等".to_string()
                } else {
                    String::new()
                }
            ));
            en.push(format!(
                "{} host(s), {} open port(s){}{}",
                self.hosts.len(),
                ports.len(),
                if shown.is_empty() {
                    String::new()
                } else {
                    format!(": {}", shown.join(", "))
                },
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        if !self.declared_ports.is_empty() {
            zh.push(format!("声明端口 {} 个", self.declared_ports.len()));
            en.push(format!("{} declared port(s)", self.declared_ports.len()));
        }
        Text::new(zh.join("；"), en.join("; "))
    }

    /// The scan day from the file itself.
    pub fn scan_date(&self) -> Option<NaiveDate> {
        self.scanned_at.as_deref().and_then(date_prefix)
    }
}

/// The day at the start of an RFC 3339 or `YYYY-MM-DD` value.
pub fn date_prefix(s: &str) -> Option<NaiveDate> {
    let head = s.trim().get(..10)?;
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

/// Reads a tool output file: at most [`MAX_FILE`] bytes, checked first.
pub fn read_file(path: &Path) -> std::result::Result<Vec<u8>, Text> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| t!("{shown}：无法读取：{e}", "{shown}: cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err(t!("{shown}：不是文件", "{shown}: not a file"));
    }
    let max = MAX_FILE;
    if meta.len() > MAX_FILE {
        let n = meta.len();
        return Err(t!(
            "{shown}：文件过大（{n} 字节，上限 {max} 字节），不像是工具输出",
            "{shown}: too large for tool output ({n} bytes; the limit is {max} bytes)"
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes))
        .map_err(|e| t!("{shown}：无法读取：{e}", "{shown}: cannot be read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(t!(
            "{shown}：文件过大（上限 {max} 字节）",
            "{shown}: too large (the limit is {max} bytes)"
        ));
    }
    Ok(bytes)
}

/// Guesses the kind from the content: JSON by its top-level keys, XML by the
/// `nmaprun` root, anything else is read as a ports CSV.
pub fn sniff(name: &str, bytes: &[u8]) -> std::result::Result<Kind, Text> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    match start.map(|i| bytes[i]) {
        Some(b'{') => json::sniff(name, bytes),
        Some(b'<') => Ok(Kind::Nmap),
        Some(_) => Ok(Kind::Ports),
        None => Err(t!("{name}：文件为空", "{name}: the file is empty")),
    }
}

/// Parses `bytes` as `kind` (or sniffs it); `name` names the file in errors.
/// Runs on its own thread with a known stack.
pub fn parse(name: &str, kind: Option<Kind>, bytes: &[u8]) -> std::result::Result<Summary, Text> {
    std::thread::scope(|s| {
        let h = std::thread::Builder::new()
            .name("scan-parse".into())
            .stack_size(PARSE_STACK)
            .spawn_scoped(s, || parse_here(name, kind, bytes));
        match h {
            Ok(h) => h.join().unwrap_or_else(|_| {
                Err(t!(
                    "{name}：解析时出现内部错误",
                    "{name}: the reader failed on this file"
                ))
            }),
            Err(_) => parse_here(name, kind, bytes),
        }
    })
}

fn parse_here(name: &str, kind: Option<Kind>, bytes: &[u8]) -> std::result::Result<Summary, Text> {
    let kind = match kind {
        Some(k) => k,
        None => sniff(name, bytes)?,
    };
    match kind {
        Kind::Cyclonedx => json::cyclonedx(name, bytes),
        Kind::Spdx => json::spdx(name, bytes),
        Kind::Trivy => json::trivy(name, bytes),
        Kind::Grype => json::grype(name, bytes),
        Kind::Nmap => nmap::parse(name, bytes),
        Kind::Ports => ports::parse(name, bytes),
    }
}

/// What `import-scan` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `None` = sniff the format.
    pub kind: Option<Kind>,
    /// Link the evidence to these requirements (and limit the vulnerability
    /// proposals to those of them the rules speak of).
    pub requirements: Vec<String>,
    /// The scan day (YYYY-MM-DD); default the day in the file, else today.
    pub date: Option<String>,
    pub title: Option<String>,
    pub note: String,
}

/// What `import-scan` did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub evidence_id: i64,
    pub revision: i64,
    pub file: String,
    pub size: u64,
    pub sha256: String,
    pub deduplicated: bool,
    pub requirements: Vec<String>,
    /// The day the proposals measure vulnerability age from.
    pub scan_date: String,
    /// Where the scan day came from: option | file | today.
    pub scan_date_from: &'static str,
    pub summary: Summary,
    pub proposals: Vec<ScanProposal>,
}

fn parse_day(s: &str) -> std::result::Result<NaiveDate, Text> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        t!(
            "日期 `{s}` 无效，应为 YYYY-MM-DD",
            "`{s}` is not a date (YYYY-MM-DD)"
        )
    })
}

/// Stores `path` as evidence, parses it into a summary kept with it, and
/// stores the verdicts the summary supports as unconfirmed inferences.
/// Malformed input is refused before anything is stored.
pub fn import(
    project: &mut Project,
    by: &str,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportOutcome> {
    let date_opt = match &opts.date {
        Some(d) => Some(parse_day(d).map_err(ProjectError::invalid)?),
        None => None,
    };
    let name = path.display().to_string();
    let bytes = read_file(path).map_err(ProjectError::invalid)?;
    let summary = parse(&name, opts.kind, &bytes).map_err(ProjectError::invalid)?;
    let digest = hex(&Sha256::digest(&bytes));
    drop(bytes);
    let (scan_date, scan_date_from) = match (date_opt, summary.scan_date()) {
        (Some(d), _) => (d, "option"),
        (None, Some(d)) => (d, "file"),
        (None, None) => (chrono::Utc::now().date_naive(), "today"),
    };
    let collected_at = match (&opts.date, &summary.scanned_at) {
        (Some(_), _) | (None, None) => format!("{scan_date}T00:00:00Z"),
        (None, Some(at)) => at.clone(),
    };
    let kind = summary.kind;
    let mut title = opts.title.clone();
    if title.is_none() {
        let file = path
            .file_name()
            .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned());
        title = Some(format!("{file} ({})", kind.label().en));
    }
    let add = AddOptions {
        requirements: opts.requirements.clone(),
        method: Method::Test,
        title,
        note: opts.note.clone(),
        collected_at: Some(collected_at),
        threads: 1,
        ..Default::default()
    };
    let cancel = AtomicBool::new(false);
    let report = evidence::add(project, by, &[path.to_path_buf()], &add, &|_| {}, &cancel)?;
    let Some((id, _, stored)) = report.added.into_iter().next() else {
        let why = report
            .failed
            .first()
            .map(|(_, e)| evidence::failure_text(e))
            .unwrap_or_else(|| t!("{name}：未能存储", "{name}: could not be stored"));
        return Err(ProjectError::invalid(why));
    };
    if stored.sha256 != digest {
        return Err(ProjectError::invalid(t!(
            "{name}：文件在导入过程中被改动（已作为普通证据 #{id} 存储，但未解析）；请重新导入",
            "{name}: the file changed while it was imported (stored as plain evidence #{id}, not parsed); import it again"
        )));
    }
    let requirements = evidence::get(project, id)?.requirements;
    let revision = 1;
    let props = proposals::for_scan(project, id, &summary, scan_date, &opts.requirements)?;
    let summary_json = serde_json::to_string(&summary)
        .map_err(|e| ProjectError::invalid(Text::new(e.to_string(), e.to_string())))?;
    let at = now();
    let detail = serde_json::json!({
        "evidence": id,
        "kind": kind.as_str(),
        "scan_date": scan_date.to_string(),
        "proposed": props.iter().filter(|p| p.stored).map(|p| serde_json::json!({
            "requirement": p.requirement, "verdict": p.verdict.map(|v| v.as_str()), "from": p.source,
        })).collect::<Vec<_>>(),
    });
    project.change(by, "evidence.import_scan", detail, |tx| {
        evidence::store_summary(tx, id, revision, kind.as_str(), &summary_json, &at)?;
        proposals::store(tx, by, &at, &props).map_err(ChangeError::Db)?;
        Ok(())
    })?;
    Ok(ImportOutcome {
        evidence_id: id,
        revision,
        file: name,
        size: stored.size,
        sha256: stored.sha256,
        deduplicated: stored.deduplicated,
        requirements,
        scan_date: scan_date.to_string(),
        scan_date_from,
        summary,
        proposals: props,
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A summary as stored beside an evidence revision.
#[derive(Debug, Clone, Serialize)]
pub struct StoredSummary {
    pub evidence_id: i64,
    pub revision: i64,
    pub made_at: String,
    pub summary: Summary,
}

/// The `evidence_summary` kinds this module writes.
const KINDS: &[&str] = &["cyclonedx", "spdx", "trivy", "grype", "nmap", "ports"];

fn stored_row(project: &Project, r: (i64, i64, String, String)) -> Result<StoredSummary> {
    let (evidence_id, revision, summary, made_at) = r;
    let summary: Summary = serde_json::from_str(&summary).map_err(|e| {
        ProjectError::invalid(t!(
            "证据 #{evidence_id} 的扫描摘要无法读取（数据库可能已损坏）：{e}",
            "the scan summary of evidence #{evidence_id} cannot be read (the database may be damaged): {e}"
        ))
    })?;
    let _ = project;
    Ok(StoredSummary {
        evidence_id,
        revision,
        made_at,
        summary,
    })
}

/// The scan summary of one evidence item (its latest summarised revision), if any.
pub fn summary_of(project: &Project, evidence_id: i64) -> Result<Option<StoredSummary>> {
    Ok(summaries_where(project, Some(evidence_id))?
        .into_iter()
        .next())
}

/// Every scan summary of the project (the latest summarised revision of each
/// evidence item), by evidence id.
pub fn summaries(project: &Project) -> Result<Vec<StoredSummary>> {
    let mut all = summaries_where(project, None)?;
    all.sort_by_key(|s| s.evidence_id);
    Ok(all)
}

/// The scan summaries of the evidence linked to a requirement.
pub fn summaries_for_requirement(
    project: &Project,
    requirement: &str,
) -> Result<Vec<StoredSummary>> {
    let linked: Vec<i64> = evidence::for_requirement(project, requirement)?
        .into_iter()
        .map(|i| i.id)
        .collect();
    Ok(summaries(project)?
        .into_iter()
        .filter(|s| linked.contains(&s.evidence_id))
        .collect())
}

/// The latest stored summary of `kind` (by evidence id), if any.
pub fn latest_of_kind(project: &Project, kind: Kind) -> Result<Option<StoredSummary>> {
    evidence::summary_rows(project, &[kind.as_str()], None)?
        .into_iter()
        .next_back()
        .map(|r| stored_row(project, (r.evidence_id, r.revision, r.summary, r.made_at)))
        .transpose()
}

fn summaries_where(project: &Project, evidence_id: Option<i64>) -> Result<Vec<StoredSummary>> {
    evidence::summary_rows(project, KINDS, evidence_id)?
        .into_iter()
        .map(|r| stored_row(project, (r.evidence_id, r.revision, r.summary, r.made_at)))
        .collect()
}
