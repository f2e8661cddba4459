//! The JSON formats: CycloneDX 1.4–1.6, SPDX 2.2/2.3, Trivy (schema 2), Grype.
//!
//! Each is read with serde into the few fields the summary needs (unknown
//! fields are skipped, so newer tool versions still read); serde_json's
//! nesting limit (128) bounds the recursion, and its line/column names the
//! place of any error.

use super::{Component, Kind, Severity, Summary, Vulnerability};
use crate::i18n::Text;
use crate::t;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use std::collections::BTreeMap;

type R<T> = std::result::Result<T, Text>;

/// `FILE:LINE:COL: …` for a serde_json error.
fn json_err(name: &str, what: &str, e: &serde_json::Error) -> Text {
    let (line, col) = (e.line(), e.column());
    let mut msg = e.to_string();
    if let Some(i) = msg.rfind(" at line ") {
        msg.truncate(i);
    }
    let kind = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            Text::new("不是有效的 JSON", "not valid JSON")
        }
        _ => Text::new(
            format!("不符合 {what} 的 JSON 格式"),
            format!("does not match the {what} JSON format"),
        ),
    };
    Text::new(
        format!("{name}:{line}:{col}：{}（{msg}）", kind.zh),
        format!("{name}:{line}:{col}: {} ({msg})", kind.en),
    )
}

fn read<T: DeserializeOwned>(name: &str, what: &str, bytes: &[u8]) -> R<T> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| json_err(name, what, &e))
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

// ------------------------------------------------------------------ sniffing

#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: Option<String>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<String>,
    #[serde(rename = "SchemaVersion")]
    schema_version: Option<IgnoredAny>,
    #[serde(rename = "Results")]
    results: Option<IgnoredAny>,
    #[serde(rename = "ArtifactName")]
    artifact_name: Option<IgnoredAny>,
    matches: Option<IgnoredAny>,
    descriptor: Option<IgnoredAny>,
}

pub(super) fn sniff(name: &str, bytes: &[u8]) -> R<Kind> {
    let p: Probe = read(name, "JSON", bytes)?;
    if p.bom_format
        .is_some_and(|f| f.eq_ignore_ascii_case("CycloneDX"))
    {
        Ok(Kind::Cyclonedx)
    } else if p.spdx_version.is_some() {
        Ok(Kind::Spdx)
    } else if p.schema_version.is_some() && (p.results.is_some() || p.artifact_name.is_some()) {
        Ok(Kind::Trivy)
    } else if p.matches.is_some() && p.descriptor.is_some() {
        Ok(Kind::Grype)
    } else {
        Err(t!(
            "{name}：无法识别的 JSON 格式（不是 CycloneDX、SPDX、Trivy 或 Grype 的输出）；请用 --kind 指定",
            "{name}: unrecognised JSON (not CycloneDX, SPDX, Trivy or Grype output); name the format with --kind"
        ))
    }
}

// ------------------------------------------------------------------ CycloneDX

#[derive(Deserialize)]
struct CdxBom {
    #[serde(rename = "bomFormat")]
    bom_format: Option<String>,
    #[serde(rename = "specVersion")]
    spec_version: Option<String>,
    metadata: Option<CdxMetadata>,
    components: Option<Vec<CdxComponent>>,
    vulnerabilities: Option<Vec<CdxVuln>>,
}

#[derive(Deserialize)]
struct CdxMetadata {
    timestamp: Option<String>,
    /// 1.4: an array of tools; 1.5+: `{components: [...], services: [...]}`
    /// (read loosely: a tool list of another shape is only left out).
    tools: Option<serde_json::Value>,
    component: Option<CdxComponent>,
}

#[derive(Deserialize)]
struct CdxComponent {
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    components: Option<Vec<CdxComponent>>,
}

#[derive(Deserialize)]
struct CdxVuln {
    id: Option<String>,
    ratings: Option<Vec<CdxRating>>,
    published: Option<String>,
    analysis: Option<CdxAnalysis>,
    affects: Option<Vec<CdxAffects>>,
}

#[derive(Deserialize)]
struct CdxRating {
    severity: Option<String>,
    score: Option<f64>,
    vector: Option<String>,
}

#[derive(Deserialize)]
struct CdxAnalysis {
    state: Option<String>,
    justification: Option<String>,
}

#[derive(Deserialize)]
struct CdxAffects {
    #[serde(rename = "ref")]
    reference: Option<String>,
}

fn tool_names(tools: Option<serde_json::Value>) -> Option<String> {
    use serde_json::Value;
    let list: Vec<Value> = match tools? {
        Value::Array(v) => v,
        Value::Object(o) => ["components", "services"]
            .iter()
            .filter_map(|k| o.get(*k).and_then(Value::as_array))
            .flatten()
            .cloned()
            .collect(),
        _ => vec![],
    };
    let text = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let names: Vec<String> = list
        .iter()
        .filter_map(|t| {
            let n = text(t, "name")?;
            Some(match text(t, "version") {
                Some(v) => format!("{n} {v}"),
                None => n,
            })
        })
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

fn flatten_cdx(
    list: Vec<CdxComponent>,
    out: &mut Vec<Component>,
    refs: &mut BTreeMap<String, (String, Option<String>)>,
) {
    for c in list {
        let name = nonempty(c.name).unwrap_or_default();
        if let Some(r) = c.bom_ref {
            refs.insert(r, (name.clone(), c.version.clone()));
        }
        if !name.is_empty() {
            out.push(Component {
                name,
                version: nonempty(c.version),
                purl: nonempty(c.purl),
            });
        }
        if let Some(sub) = c.components {
            flatten_cdx(sub, out, refs);
        }
    }
}

/// VEX analysis states that say the vulnerability is dealt with.
fn cdx_handled(state: &str) -> bool {
    matches!(
        state,
        "resolved" | "resolved_with_pedigree" | "false_positive" | "not_affected"
    )
}

pub(super) fn cyclonedx(name: &str, bytes: &[u8]) -> R<Summary> {
    let bom: CdxBom = read(name, "CycloneDX", bytes)?;
    if !bom
        .bom_format
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case("CycloneDX"))
    {
        return Err(t!(
            "{name}：不是 CycloneDX 文件（缺少 \"bomFormat\": \"CycloneDX\"）",
            "{name}: not a CycloneDX file (no \"bomFormat\": \"CycloneDX\")"
        ));
    }
    let spec = bom.spec_version.unwrap_or_default();
    if !matches!(spec.as_str(), "1.4" | "1.5" | "1.6") {
        return Err(t!(
            "{name}：CycloneDX 版本 `{spec}` 不受支持（支持 1.4、1.5、1.6）",
            "{name}: CycloneDX specVersion `{spec}` is not supported (1.4, 1.5 and 1.6 are)"
        ));
    }
    let mut s = Summary::new(Kind::Cyclonedx);
    s.format_version = Some(spec);
    let mut refs = BTreeMap::new();
    if let Some(m) = bom.metadata {
        s.scanned_at = nonempty(m.timestamp);
        s.tool = tool_names(m.tools);
        if let Some(c) = m.component {
            s.target = nonempty(c.name);
            if let Some(r) = c.bom_ref {
                refs.insert(r, (s.target.clone().unwrap_or_default(), c.version));
            }
        }
    }
    flatten_cdx(
        bom.components.unwrap_or_default(),
        &mut s.components,
        &mut refs,
    );
    if let Some(vulns) = bom.vulnerabilities {
        s.vulnerability_scan = true;
        for v in vulns {
            let Some(id) = nonempty(v.id) else { continue };
            let ratings = v.ratings.unwrap_or_default();
            let severity = ratings
                .iter()
                .filter_map(|r| r.severity.as_deref().map(Severity::parse))
                .min()
                .unwrap_or(Severity::Unknown);
            let best = ratings.iter().filter(|r| r.score.is_some()).max_by(|a, b| {
                a.score
                    .partial_cmp(&b.score)
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            let state = v.analysis.as_ref().and_then(|a| a.state.clone());
            let handled = state.as_deref().is_some_and(cdx_handled);
            let handled_by = handled.then(|| {
                let j = v
                    .analysis
                    .as_ref()
                    .and_then(|a| a.justification.clone())
                    .map(|j| format!(", {j}"))
                    .unwrap_or_default();
                format!("VEX: {}{j}", state.clone().unwrap_or_default())
            });
            let affects: Vec<String> = v
                .affects
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| a.reference)
                .collect();
            let targets: Vec<(String, Option<String>)> = if affects.is_empty() {
                vec![(String::new(), None)]
            } else {
                affects
                    .iter()
                    .map(|r| refs.get(r).cloned().unwrap_or_else(|| (r.clone(), None)))
                    .collect()
            };
            for (package, installed) in targets {
                s.vulnerabilities.push(Vulnerability {
                    id: id.clone(),
                    severity,
                    package,
                    installed_version: installed,
                    fixed_version: None,
                    published: nonempty(v.published.clone()),
                    cvss: best.and_then(|r| r.score),
                    cvss_vector: best.and_then(|r| nonempty(r.vector.clone())),
                    handled,
                    handled_by: handled_by.clone(),
                });
            }
        }
    }
    Ok(s)
}

// ------------------------------------------------------------------ SPDX

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxDoc {
    spdx_version: Option<String>,
    name: Option<String>,
    creation_info: Option<SpdxCreation>,
    packages: Option<Vec<SpdxPackage>>,
}

#[derive(Deserialize)]
struct SpdxCreation {
    created: Option<String>,
    creators: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    name: Option<String>,
    version_info: Option<String>,
    external_refs: Option<Vec<SpdxRef>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxRef {
    reference_type: Option<String>,
    reference_locator: Option<String>,
}

pub(super) fn spdx(name: &str, bytes: &[u8]) -> R<Summary> {
    let doc: SpdxDoc = read(name, "SPDX", bytes)?;
    let Some(version) = doc.spdx_version else {
        return Err(t!(
            "{name}：不是 SPDX JSON 文件（缺少 \"spdxVersion\"）",
            "{name}: not an SPDX JSON file (no \"spdxVersion\")"
        ));
    };
    if !matches!(version.as_str(), "SPDX-2.2" | "SPDX-2.3") {
        return Err(t!(
            "{name}：SPDX 版本 `{version}` 不受支持（支持 SPDX-2.2、SPDX-2.3）",
            "{name}: SPDX version `{version}` is not supported (SPDX-2.2 and SPDX-2.3 are)"
        ));
    }
    let mut s = Summary::new(Kind::Spdx);
    s.format_version = Some(version);
    s.target = nonempty(doc.name);
    if let Some(c) = doc.creation_info {
        s.scanned_at = nonempty(c.created);
        let tools: Vec<String> = c
            .creators
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| c.strip_prefix("Tool:").map(|t| t.trim().to_string()))
            .collect();
        if !tools.is_empty() {
            s.tool = Some(tools.join(", "));
        }
    }
    for p in doc.packages.unwrap_or_default() {
        let Some(name) = nonempty(p.name) else {
            continue;
        };
        let purl = p
            .external_refs
            .unwrap_or_default()
            .into_iter()
            .find_map(|r| {
                r.reference_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("purl"))
                    .then_some(r.reference_locator)
                    .flatten()
            });
        s.components.push(Component {
            name,
            version: nonempty(p.version_info),
            purl: nonempty(purl),
        });
    }
    Ok(s)
}

// ------------------------------------------------------------------ Trivy

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyReport {
    schema_version: Option<serde_json::Number>,
    created_at: Option<String>,
    artifact_name: Option<String>,
    results: Option<Vec<TrivyResult>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyResult {
    target: Option<String>,
    packages: Option<Vec<TrivyPackage>>,
    vulnerabilities: Option<Vec<TrivyVuln>>,
    /// Present with `--show-suppressed`: findings ignored or marked not
    /// affected (`.trivyignore`, VEX).
    modified_findings: Option<Vec<TrivyModified>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyPackage {
    name: Option<String>,
    version: Option<String>,
    identifier: Option<TrivyIdentifier>,
}

#[derive(Deserialize)]
struct TrivyIdentifier {
    #[serde(rename = "PURL")]
    purl: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyVuln {
    #[serde(rename = "VulnerabilityID")]
    vulnerability_id: Option<String>,
    pkg_name: Option<String>,
    pkg_identifier: Option<TrivyIdentifier>,
    installed_version: Option<String>,
    fixed_version: Option<String>,
    status: Option<String>,
    severity: Option<String>,
    published_date: Option<String>,
    #[serde(rename = "CVSS")]
    cvss: Option<BTreeMap<String, TrivyCvss>>,
}

#[derive(Deserialize)]
struct TrivyCvss {
    #[serde(rename = "V40Score")]
    v40_score: Option<f64>,
    #[serde(rename = "V40Vector")]
    v40_vector: Option<String>,
    #[serde(rename = "V3Score")]
    v3_score: Option<f64>,
    #[serde(rename = "V3Vector")]
    v3_vector: Option<String>,
    #[serde(rename = "V2Score")]
    v2_score: Option<f64>,
    #[serde(rename = "V2Vector")]
    v2_vector: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyModified {
    #[serde(rename = "Type")]
    kind: Option<String>,
    status: Option<String>,
    statement: Option<String>,
    source: Option<String>,
    finding: Option<TrivyVuln>,
}

/// The CVSS of a Trivy finding: the NVD entry first, else any source; the
/// newest CVSS version the entry has.
fn trivy_cvss(m: &Option<BTreeMap<String, TrivyCvss>>) -> (Option<f64>, Option<String>) {
    let Some(m) = m else { return (None, None) };
    let pick = |c: &TrivyCvss| {
        if c.v40_score.is_some() {
            Some((c.v40_score, c.v40_vector.clone()))
        } else if c.v3_score.is_some() {
            Some((c.v3_score, c.v3_vector.clone()))
        } else if c.v2_score.is_some() {
            Some((c.v2_score, c.v2_vector.clone()))
        } else {
            None
        }
    };
    m.get("nvd")
        .and_then(pick)
        .or_else(|| m.values().find_map(pick))
        .unwrap_or((None, None))
}

fn trivy_vuln(v: TrivyVuln, handled_by: Option<String>) -> Option<Vulnerability> {
    let id = nonempty(v.vulnerability_id)?;
    let (cvss, cvss_vector) = trivy_cvss(&v.cvss);
    let not_affected = v.status.as_deref() == Some("not_affected");
    let handled_by =
        handled_by.or_else(|| not_affected.then(|| "trivy: status not_affected".to_string()));
    let package = nonempty(v.pkg_name)
        .or_else(|| v.pkg_identifier.and_then(|i| nonempty(i.purl)))
        .unwrap_or_default();
    Some(Vulnerability {
        id,
        severity: v
            .severity
            .as_deref()
            .map_or(Severity::Unknown, Severity::parse),
        package,
        installed_version: nonempty(v.installed_version),
        fixed_version: nonempty(v.fixed_version),
        published: nonempty(v.published_date),
        cvss,
        cvss_vector: nonempty(cvss_vector),
        handled: handled_by.is_some(),
        handled_by,
    })
}

pub(super) fn trivy(name: &str, bytes: &[u8]) -> R<Summary> {
    let rep: TrivyReport = read(name, "Trivy", bytes)?;
    let version = rep
        .schema_version
        .map(|n| n.to_string())
        .unwrap_or_default();
    if version != "2" {
        return Err(t!(
            "{name}：Trivy 报告的 SchemaVersion `{version}` 不受支持（支持 2）",
            "{name}: Trivy SchemaVersion `{version}` is not supported (2 is)"
        ));
    }
    let mut s = Summary::new(Kind::Trivy);
    s.format_version = Some(version);
    s.tool = Some("trivy".to_string());
    s.scanned_at = nonempty(rep.created_at);
    s.target = nonempty(rep.artifact_name);
    for r in rep.results.unwrap_or_default() {
        let _ = &r.target;
        for p in r.packages.unwrap_or_default() {
            let Some(n) = nonempty(p.name) else { continue };
            s.components.push(Component {
                name: n,
                version: nonempty(p.version),
                purl: p.identifier.and_then(|i| nonempty(i.purl)),
            });
        }
        for v in r.vulnerabilities.unwrap_or_default() {
            if let Some(v) = trivy_vuln(v, None) {
                s.vulnerabilities.push(v);
            }
        }
        for m in r.modified_findings.unwrap_or_default() {
            if m.kind
                .as_deref()
                .is_some_and(|k| !k.eq_ignore_ascii_case("vulnerability"))
            {
                continue;
            }
            let Some(f) = m.finding else { continue };
            let mut why = format!("trivy: {}", m.status.as_deref().unwrap_or("suppressed"));
            let extra: Vec<&str> = [m.source.as_deref(), m.statement.as_deref()]
                .into_iter()
                .flatten()
                .filter(|x| !x.trim().is_empty())
                .collect();
            if !extra.is_empty() {
                why.push_str(&format!(" ({})", extra.join("; ")));
            }
            if let Some(v) = trivy_vuln(f, Some(why)) {
                s.vulnerabilities.push(v);
            }
        }
    }
    Ok(s)
}

// ------------------------------------------------------------------ Grype

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrypeDoc {
    matches: Option<Vec<GrypeMatch>>,
    ignored_matches: Option<Vec<GrypeMatch>>,
    source: Option<GrypeSource>,
    descriptor: Option<GrypeDescriptor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrypeMatch {
    vulnerability: Option<GrypeVuln>,
    related_vulnerabilities: Option<Vec<GrypeVuln>>,
    artifact: Option<GrypeArtifact>,
    /// Only in `ignoredMatches`.
    applied_ignore_rules: Option<Vec<GrypeIgnoreRule>>,
}

#[derive(Deserialize)]
struct GrypeVuln {
    id: Option<String>,
    severity: Option<String>,
    cvss: Option<Vec<GrypeCvss>>,
    fix: Option<GrypeFix>,
}

#[derive(Deserialize)]
struct GrypeCvss {
    version: Option<String>,
    vector: Option<String>,
    metrics: Option<GrypeMetrics>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrypeMetrics {
    base_score: Option<f64>,
}

#[derive(Deserialize)]
struct GrypeFix {
    versions: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct GrypeArtifact {
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct GrypeIgnoreRule {
    vulnerability: Option<String>,
    reason: Option<String>,
    namespace: Option<String>,
    vex_status: Option<String>,
    fix_state: Option<String>,
}

#[derive(Deserialize)]
struct GrypeSource {
    #[serde(rename = "type")]
    kind: Option<String>,
    target: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct GrypeDescriptor {
    name: Option<String>,
    version: Option<String>,
    timestamp: Option<String>,
}

fn grype_cvss(list: &Option<Vec<GrypeCvss>>) -> Option<(f64, Option<String>)> {
    let list = list.as_ref()?;
    list.iter()
        .filter_map(|c| {
            let score = c.metrics.as_ref()?.base_score?;
            Some((
                c.version.clone().unwrap_or_default(),
                score,
                c.vector.clone(),
            ))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, s, v)| (s, v))
}

fn grype_match(m: GrypeMatch, ignored: bool) -> Option<Vulnerability> {
    let v = m.vulnerability?;
    let id = nonempty(v.id)?;
    let related = m.related_vulnerabilities.unwrap_or_default();
    let cvss = grype_cvss(&v.cvss).or_else(|| related.iter().find_map(|r| grype_cvss(&r.cvss)));
    let art = m.artifact;
    let handled_by = ignored.then(|| {
        let rules: Vec<String> = m
            .applied_ignore_rules
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                [
                    r.vex_status.map(|x| format!("VEX {x}")),
                    r.fix_state.map(|x| format!("fix-state {x}")),
                    r.namespace.map(|x| format!("namespace {x}")),
                    r.vulnerability,
                    r.reason,
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
            })
            .filter(|s| !s.is_empty())
            .collect();
        if rules.is_empty() {
            "grype: ignored".to_string()
        } else {
            format!("grype: ignored ({})", rules.join("; "))
        }
    });
    Some(Vulnerability {
        id,
        severity: v
            .severity
            .as_deref()
            .map_or(Severity::Unknown, Severity::parse),
        package: art
            .as_ref()
            .and_then(|a| nonempty(a.name.clone()))
            .unwrap_or_default(),
        installed_version: art.as_ref().and_then(|a| nonempty(a.version.clone())),
        fixed_version: v
            .fix
            .and_then(|f| f.versions)
            .filter(|v| !v.is_empty())
            .map(|v| v.join(", ")),
        // Grype's JSON has no publication date.
        published: None,
        cvss: cvss.as_ref().map(|c| c.0),
        cvss_vector: cvss.and_then(|c| nonempty(c.1)),
        handled: ignored,
        handled_by,
    })
}

pub(super) fn grype(name: &str, bytes: &[u8]) -> R<Summary> {
    let doc: GrypeDoc = read(name, "Grype", bytes)?;
    let (Some(matches), Some(desc)) = (doc.matches, doc.descriptor) else {
        return Err(t!(
            "{name}：不是 Grype JSON 报告（缺少 \"matches\" 或 \"descriptor\"）",
            "{name}: not a Grype JSON report (no \"matches\" or \"descriptor\")"
        ));
    };
    let mut s = Summary::new(Kind::Grype);
    s.tool = Some(
        [nonempty(desc.name), nonempty(desc.version)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    )
    .filter(|t| !t.is_empty());
    s.format_version = None;
    s.scanned_at = nonempty(desc.timestamp);
    if let Some(src) = doc.source {
        s.target = match src.target {
            Some(serde_json::Value::String(t)) => nonempty(Some(t)),
            Some(serde_json::Value::Object(o)) => o
                .get("userInput")
                .or_else(|| o.get("name"))
                .and_then(|v| v.as_str())
                .map(str::to_string),
            _ => None,
        }
        .or(src.kind);
    }
    let mut seen = std::collections::BTreeSet::new();
    for (list, ignored) in [
        (matches, false),
        (doc.ignored_matches.unwrap_or_default(), true),
    ] {
        for m in list {
            if let Some(a) = &m.artifact {
                if let Some(n) = nonempty(a.name.clone()) {
                    let c = Component {
                        name: n,
                        version: nonempty(a.version.clone()),
                        purl: nonempty(a.purl.clone()),
                    };
                    if seen.insert((c.name.clone(), c.version.clone())) {
                        s.components.push(c);
                    }
                }
            }
            if let Some(v) = grype_match(m, ignored) {
                s.vulnerabilities.push(v);
            }
        }
    }
    Ok(s)
}
