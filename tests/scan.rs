//! Test-tool output as evidence (`evidence import-scan`), on real tool output:
//! - nmap (Debian package) scans a TCP port this test opens on 127.0.0.1;
//!   against a business-port list without that port → 不符合 on
//!   GB44495-7.1.1.2 naming it, with it → 符合; both stay unconfirmed
//!   inferences until `assess confirm`, and never overwrite a person's verdict;
//! - CycloneDX SBOMs made by `cyclonedx-py environment` (PyPI cyclonedx-bom)
//!   on a fresh venv, SPDX 2.3 made by `sbom4python` (PyPI) on the installed
//!   `icalendar`; the parsed components are checked against the files as
//!   Python's own json module reads them;
//! - Trivy (schema 2) and Grype reports written to their published JSON
//!   models: an old unfixed critical CVE → 不符合 on GB44495-7.1.1.1 naming
//!   it; an ignored / suppressed one is marked handled and not held against
//!   the project;
//! - malformed files → errors naming the file and the position, zh and en,
//!   and nothing stored.
//!
//! Every tool is installed by scripts/setup.sh; a missing one FAILS the test.

mod common;
use common::{bin, scratch};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn cli(args: &[&str]) -> Out {
    let o = bin()
        .env("IOVAUDIT_USER", "tester")
        .args(args)
        .output()
        .expect("run iovaudit");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn ok_json(args: &[&str]) -> Value {
    let r = cli(args);
    assert_eq!(r.code, 0, "{args:?}\n{}\n{}", r.stdout, r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

/// A tool the test needs: present, or the test fails naming setup.sh.
fn need(tool: &str) {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "`{tool}` is missing: scripts/setup.sh installs it (the test needs the real tool)"
    );
}

/// A GB 44495 project whose scope makes 7.1.1.1, 7.1.1.2 and 7.3.1.2 applicable.
fn project(name: &str) -> (PathBuf, PathBuf) {
    let root = scratch(name);
    let dir = root.join("p.iovaudit");
    let r = cli(&[
        "project",
        "init",
        s(&dir),
        "--name",
        "scan test",
        "--assessee",
        "Example Motors",
        "--packs",
        "GB44495",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = cli(&[
        "scope",
        "set",
        s(&dir),
        "enterprise_type=OEM",
        "has_ota=yes",
        "offline_update_onboard=no",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    (root, dir)
}

fn status(dir: &Path, req: &str) -> Value {
    let v = ok_json(&["assess", "list", s(dir), "--json"]);
    v["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["requirement"] == req)
        .cloned()
        .unwrap_or_else(|| panic!("{req} not listed"))
}

fn import(dir: &Path, file: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["evidence", "import-scan", s(dir), s(file), "--json"];
    args.extend_from_slice(extra);
    ok_json(&args)["import"].clone()
}

fn proposal<'a>(imp: &'a Value, req: &str) -> &'a Value {
    imp["proposals"]
        .as_array()
        .expect("proposals")
        .iter()
        .find(|p| p["requirement"] == req)
        .unwrap_or_else(|| panic!("no proposal for {req}: {imp:#}"))
}

// ------------------------------------------------------------------ nmap

fn nmap_scan(port: u16, out: &Path) {
    need("nmap");
    let o = Command::new("nmap")
        .args([
            "-sT",
            "-Pn",
            "-n",
            "-oX",
            "-",
            "-p",
            &port.to_string(),
            "127.0.0.1",
        ])
        .output()
        .expect("run nmap");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(out, &o.stdout).expect("write nmap xml");
}

#[test]
fn nmap_open_port_against_the_declared_list() {
    let (root, dir) = project("scan_nmap");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("addr").port();
    let xml = root.join("nmap.xml");
    nmap_scan(port, &xml);
    drop(listener);

    // The declared list without the port: stored and parsed, no nmap scan yet.
    let undeclared = root.join("ports-v1.csv");
    std::fs::write(
        &undeclared,
        "port,protocol,purpose\n22,tcp,\"diagnostics, SSH\"\n443,tcp,TSP HTTPS\n30490-30499,udp,SOME/IP\n",
    )
    .expect("write csv");
    let imp = import(
        &dir,
        &undeclared,
        &["--kind", "ports", "--requirement", "GB44495-7.1.1.2"],
    );
    assert_eq!(imp["summary"]["kind"], "ports");
    let dp = imp["summary"]["declared_ports"]
        .as_array()
        .expect("declared");
    assert_eq!(dp.len(), 3);
    assert_eq!(dp[0]["purpose"], "diagnostics, SSH");
    assert_eq!(dp[2]["port_to"], 30499);
    assert_eq!(imp["proposals"].as_array().map(Vec::len), Some(0));

    // The nmap scan: the port is open and undeclared → 不符合 naming it.
    let imp = import(&dir, &xml, &[]);
    let nmap_id = imp["evidence_id"].as_i64().expect("id");
    assert_eq!(imp["summary"]["kind"], "nmap");
    assert!(imp["summary"]["tool"]
        .as_str()
        .unwrap_or("")
        .starts_with("nmap "));
    let hosts = imp["summary"]["hosts"].as_array().expect("hosts");
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0]["address"], "127.0.0.1");
    let p = &hosts[0]["ports"][0];
    assert_eq!(
        (
            p["port"].as_u64(),
            p["protocol"].as_str(),
            p["state"].as_str()
        ),
        (Some(port as u64), Some("tcp"), Some("open"))
    );
    let pr = proposal(&imp, "GB44495-7.1.1.2");
    assert_eq!(pr["verdict"], "nonconform");
    assert_eq!(pr["stored"], true);
    assert_eq!(pr["source"], format!("evidence:{nmap_id}"));
    let named = format!("127.0.0.1 tcp/{port}");
    assert!(
        pr["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i.as_str().is_some_and(|i| i.starts_with(&named))),
        "{pr:#}"
    );
    assert!(pr["note"]["zh"]
        .as_str()
        .unwrap_or("")
        .contains(&format!("tcp/{port}")));
    assert!(pr["note"]["en"]
        .as_str()
        .unwrap_or("")
        .contains(&format!("tcp/{port}")));
    let st = status(&dir, "GB44495-7.1.1.2");
    assert_eq!(st["verdict"], "nonconform");
    assert_eq!(
        st["recorded"]["inferred_from"],
        format!("evidence:{nmap_id}")
    );
    assert_eq!(
        st["recorded"]["confirmed"], false,
        "a proposal needs a person"
    );
    assert!(st["recorded"]["note"]
        .as_str()
        .unwrap_or("")
        .contains(&format!("tcp/{port}")));

    // The text output, in English with --lang en.
    let r = cli(&[
        "--lang",
        "en",
        "evidence",
        "import-scan",
        s(&dir),
        s(&xml),
        "--kind",
        "nmap",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Proposed verdicts"), "{}", r.stdout);
    assert!(r.stdout.contains("not conformant"), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("{port}/tcp")), "{}", r.stdout);
    let r = cli(&[
        "evidence",
        "import-scan",
        s(&dir),
        s(&xml),
        "--kind",
        "nmap",
    ]);
    assert!(
        r.stdout.contains("建议结论") && r.stdout.contains("不符合"),
        "{}",
        r.stdout
    );

    // A list that declares the port → 符合, over the unconfirmed proposal.
    let declared = root.join("ports-v2.csv");
    std::fs::write(&declared, format!("22,tcp,SSH\n{port},tcp,test service\n")).expect("csv");
    let imp = import(&dir, &declared, &["--kind", "ports"]);
    let pr = proposal(&imp, "GB44495-7.1.1.2");
    assert_eq!(pr["verdict"], "conform", "{pr:#}");
    assert_eq!(pr["stored"], true);
    let st = status(&dir, "GB44495-7.1.1.2");
    assert_eq!(st["verdict"], "conform");
    assert_eq!(st["recorded"]["confirmed"], false);

    // A person confirms; a later scan's proposal does not overwrite it.
    let r = cli(&["assess", "confirm", s(&dir), "GB44495-7.1.1.2"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        status(&dir, "GB44495-7.1.1.2")["recorded"]["confirmed"],
        true
    );
    let imp = import(&dir, &undeclared, &["--kind", "ports"]);
    let pr = proposal(&imp, "GB44495-7.1.1.2");
    assert_eq!(pr["verdict"], "nonconform");
    assert_eq!(pr["stored"], false);
    assert!(
        pr["skipped"]["en"]
            .as_str()
            .unwrap_or("")
            .contains("person"),
        "{pr:#}"
    );
    let st = status(&dir, "GB44495-7.1.1.2");
    assert_eq!(
        (
            st["verdict"].as_str(),
            st["recorded"]["confirmed"].as_bool()
        ),
        (Some("conform"), Some(true))
    );

    // The summary is kept with the evidence and the journal records the import.
    let j = cli(&["journal", "list", s(&dir)]);
    assert!(j.stdout.contains("evidence.import_scan"), "{}", j.stdout);
    let jv = cli(&["journal", "verify", s(&dir)]);
    assert_eq!(jv.code, 0, "{}{}", jv.stdout, jv.stderr);
}

// ------------------------------------------------------------------ SBOMs

/// (name, version, purl) of every component, as Python's json module reads
/// the file (nested CycloneDX components included).
fn python_components(file: &Path, kind: &str) -> Vec<(String, String, String)> {
    let script = r#"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
out = []
def walk(cs):
    for c in cs or []:
        out.append([c.get("name", ""), c.get("version", ""), c.get("purl", "")])
        walk(c.get("components"))
if sys.argv[2] == "cyclonedx":
    walk(d.get("components"))
else:
    for p in d.get("packages", []):
        purl = next((r["referenceLocator"] for r in p.get("externalRefs", []) if r.get("referenceType") == "purl"), "")
        out.append([p.get("name", ""), p.get("versionInfo", ""), purl])
print(json.dumps(out))
"#;
    let o = Command::new("python3")
        .args(["-c", script, s(file), kind])
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Vec<(String, String, String)> =
        serde_json::from_slice(&o.stdout).expect("python output");
    v
}

fn ours(imp: &Value) -> Vec<(String, String, String)> {
    imp["summary"]["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or("").to_string(),
                c["version"].as_str().unwrap_or("").to_string(),
                c["purl"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn cyclonedx_sbom_made_by_cyclonedx_py() {
    need("cyclonedx-py");
    let (root, dir) = project("scan_cdx");
    let venv = root.join("venv");
    let o = Command::new("python3")
        .args(["-m", "venv", s(&venv)])
        .output()
        .expect("venv");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for sv in ["1.4", "1.5", "1.6"] {
        let out = root.join(format!("bom-{sv}.json"));
        let o = Command::new("cyclonedx-py")
            .args([
                "environment",
                s(&venv),
                "--of",
                "JSON",
                "--sv",
                sv,
                "-o",
                s(&out),
            ])
            .output()
            .expect("cyclonedx-py");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let imp = import(&dir, &out, &[]);
        assert_eq!(imp["summary"]["kind"], "cyclonedx");
        assert_eq!(imp["summary"]["format_version"], sv);
        assert!(
            imp["summary"]["tool"]
                .as_str()
                .unwrap_or("")
                .contains("cyclonedx"),
            "{:#}",
            imp["summary"]
        );
        let theirs = python_components(&out, "cyclonedx");
        assert!(!theirs.is_empty(), "a venv has pip at least");
        assert_eq!(ours(&imp), theirs, "CycloneDX {sv}");
        assert!(ours(&imp)
            .iter()
            .any(|c| c.0 == "pip" && c.2.starts_with("pkg:pypi/pip@")));
        assert_eq!(imp["summary"]["vulnerability_scan"], false);
        assert_eq!(imp["proposals"].as_array().map(Vec::len), Some(0));
        // Stored as evidence, hashed like any other.
        let want = sha256sum(&out);
        assert_eq!(imp["sha256"], want);
    }
}

fn sha256sum(p: &Path) -> String {
    let o = Command::new("sha256sum")
        .arg(p)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn spdx_sbom_made_by_sbom4python() {
    need("sbom4python");
    let (root, dir) = project("scan_spdx");
    let out = root.join("icalendar.spdx.json");
    let o = Command::new("sbom4python")
        .args([
            "-m",
            "icalendar",
            "--sbom",
            "spdx",
            "--format",
            "json",
            "-o",
            s(&out),
        ])
        .output()
        .expect("sbom4python");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let imp = import(&dir, &out, &["--kind", "auto"]);
    assert_eq!(imp["summary"]["kind"], "spdx");
    assert!(imp["summary"]["format_version"]
        .as_str()
        .unwrap_or("")
        .starts_with("SPDX-2."));
    assert!(imp["summary"]["tool"]
        .as_str()
        .unwrap_or("")
        .contains("sbom4python"));
    let theirs = python_components(&out, "spdx");
    assert_eq!(ours(&imp), theirs);
    assert!(theirs
        .iter()
        .any(|c| c.0 == "icalendar" && c.2.starts_with("pkg:pypi/icalendar@")));
    // Text output names the counts.
    let r = cli(&["--lang", "en", "evidence", "import-scan", s(&dir), s(&out)]);
    assert!(
        r.stdout.contains(&format!("components: {}", theirs.len())),
        "{}",
        r.stdout
    );
}

// ------------------------------------------------------------------ Trivy / Grype

/// A Trivy report (SchemaVersion 2, as `trivy image -f json --show-suppressed` writes it).
fn trivy_report(created: &str, vulns: Value, suppressed: Value) -> Value {
    json!({
        "SchemaVersion": 2,
        "CreatedAt": created,
        "ArtifactName": "registry.example/tbox-fw:3.1",
        "ArtifactType": "container_image",
        "Metadata": {"OS": {"Family": "debian", "Name": "7.11"}},
        "Results": [{
            "Target": "registry.example/tbox-fw:3.1 (debian 7.11)",
            "Class": "os-pkgs",
            "Type": "debian",
            "Vulnerabilities": vulns,
            "ModifiedFindings": suppressed
        }]
    })
}

fn trivy_vuln(
    id: &str,
    pkg: &str,
    installed: &str,
    fixed: &str,
    sev: &str,
    published: &str,
) -> Value {
    json!({
        "VulnerabilityID": id,
        "PkgID": format!("{pkg}@{installed}"),
        "PkgName": pkg,
        "PkgIdentifier": {"PURL": format!("pkg:deb/debian/{pkg}@{installed}")},
        "InstalledVersion": installed,
        "FixedVersion": fixed,
        "Status": "fixed",
        "SeveritySource": "nvd",
        "PrimaryURL": format!("https://avd.aquasec.com/nvd/{}", id.to_lowercase()),
        "Title": "test finding",
        "Severity": sev,
        "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "V3Score": 7.5}},
        "PublishedDate": published,
        "LastModifiedDate": published
    })
}

#[test]
fn trivy_old_critical_cve_is_nonconform_and_a_suppressed_one_is_handled() {
    let (root, dir) = project("scan_trivy");
    let rep = trivy_report(
        "2026-11-20T08:00:00.123456789Z",
        json!([
            trivy_vuln(
                "CVE-2014-0160",
                "openssl",
                "1.0.1e-2",
                "1.0.1e-2+deb7u5",
                "CRITICAL",
                "2014-04-07T22:55:03.893Z"
            ),
            trivy_vuln(
                "CVE-2026-40001",
                "curl",
                "7.26.0",
                "",
                "HIGH",
                "2026-10-01T10:00:00Z"
            ),
            trivy_vuln(
                "CVE-2013-9999",
                "zlib",
                "1.2.7",
                "",
                "MEDIUM",
                "2013-01-01T00:00:00Z"
            ),
        ]),
        json!([{
            "Type": "vulnerability",
            "Status": "ignored",
            "Statement": "not reachable: service disabled",
            "Source": ".trivyignore",
            "Finding": trivy_vuln("CVE-2016-2108", "openssl", "1.0.1e-2", "1.0.1e-2+deb7u20", "CRITICAL", "2016-05-05T01:59:03Z")
        }]),
    );
    let file = root.join("trivy.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&rep).expect("json")).expect("write");

    let imp = import(&dir, &file, &["--requirement", "GB44495-7.1.1.1"]);
    assert_eq!(imp["summary"]["kind"], "trivy");
    assert_eq!(imp["scan_date"], "2026-11-20");
    assert_eq!(imp["scan_date_from"], "file");
    let vs = imp["summary"]["vulnerabilities"].as_array().expect("vulns");
    assert_eq!(vs.len(), 4);
    let heart = vs
        .iter()
        .find(|v| v["id"] == "CVE-2014-0160")
        .expect("heartbleed");
    assert_eq!(heart["severity"], "critical");
    assert_eq!(heart["package"], "openssl");
    assert_eq!(heart["installed_version"], "1.0.1e-2");
    assert_eq!(heart["fixed_version"], "1.0.1e-2+deb7u5");
    assert_eq!(heart["cvss"], 7.5);
    assert_eq!(heart["handled"], false);
    let ign = vs
        .iter()
        .find(|v| v["id"] == "CVE-2016-2108")
        .expect("suppressed");
    assert_eq!(ign["handled"], true);
    assert!(ign["handled_by"]
        .as_str()
        .unwrap_or("")
        .contains(".trivyignore"));
    // Only the requirement asked for.
    assert_eq!(imp["proposals"].as_array().map(Vec::len), Some(1));
    let pr = proposal(&imp, "GB44495-7.1.1.1");
    assert_eq!(pr["verdict"], "nonconform");
    assert_eq!(pr["stored"], true);
    let items: Vec<&str> = pr["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(
        items[0].starts_with("CVE-2014-0160 [critical] openssl"),
        "{items:?}"
    );
    assert!(pr["note"]["zh"]
        .as_str()
        .unwrap_or("")
        .contains("CVE-2014-0160"));
    assert!(!pr["note"]["en"]
        .as_str()
        .unwrap_or("")
        .contains("CVE-2016-2108"));
    assert!(
        pr["note"]["en"].as_str().unwrap_or("").contains("6 months"),
        "age from the pack: {pr:#}"
    );
    let st = status(&dir, "GB44495-7.1.1.1");
    assert_eq!(st["verdict"], "nonconform");
    assert_eq!(st["recorded"]["confirmed"], false);
    assert!(st["evidence"]
        .as_array()
        .expect("links")
        .contains(&imp["evidence_id"]));

    // Without --requirement both requirements of the rule get a proposal;
    // with the scan day moved back before the age limit the old CVE still
    // fails, the 2026-10 one (1.6 months old) does not.
    let imp = import(&dir, &file, &["--date", "2026-12-01"]);
    assert_eq!(imp["scan_date_from"], "option");
    for req in ["GB44495-7.1.1.1", "GB44495-7.3.1.2"] {
        let pr = proposal(&imp, req);
        assert_eq!(pr["verdict"], "nonconform", "{req}");
        assert_eq!(pr["items"].as_array().map(Vec::len), Some(1));
    }
    // A day 7 months after the curl CVE: it is now overdue too.
    let imp = import(&dir, &file, &["--date", "2027-05-02"]);
    assert_eq!(
        proposal(&imp, "GB44495-7.1.1.1")["items"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    // The boundary: six months to the day counts ("已满6个月"), a day less does not.
    for (day, n) in [("2027-04-01", 2), ("2027-03-31", 1)] {
        let imp = import(&dir, &file, &["--date", day]);
        let items = proposal(&imp, "GB44495-7.1.1.1")["items"].clone();
        assert_eq!(items.as_array().map(Vec::len), Some(n), "{day}: {items:#}");
    }

    // A report whose old critical is handled and whose high is recent → 符合.
    let clean = trivy_report(
        "2026-11-20T08:00:00Z",
        json!([trivy_vuln(
            "CVE-2026-40001",
            "curl",
            "7.26.0",
            "",
            "HIGH",
            "2026-10-01T10:00:00Z"
        )]),
        json!([{
            "Type": "vulnerability", "Status": "not_affected", "Source": "openvex.json",
            "Finding": trivy_vuln("CVE-2014-0160", "openssl", "1.0.1e-2", "1.0.1e-2+deb7u5", "CRITICAL", "2014-04-07T22:55:03Z")
        }]),
    );
    let file2 = root.join("trivy-clean.json");
    std::fs::write(&file2, serde_json::to_vec(&clean).expect("json")).expect("write");
    let imp = import(&dir, &file2, &["--kind", "trivy"]);
    let pr = proposal(&imp, "GB44495-7.1.1.1");
    assert_eq!(pr["verdict"], "conform", "{pr:#}");
    assert_eq!(pr["stored"], true);
    assert_eq!(status(&dir, "GB44495-7.1.1.1")["verdict"], "conform");

    // A person's verdict is never overwritten.
    let r = cli(&[
        "assess",
        "set",
        s(&dir),
        "GB44495-7.3.1.2",
        "部分符合",
        "--note",
        "OTA server still on old openssl",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let imp = import(&dir, &file, &[]);
    let pr = proposal(&imp, "GB44495-7.3.1.2");
    assert_eq!(
        (pr["verdict"].as_str(), pr["stored"].as_bool()),
        (Some("nonconform"), Some(false))
    );
    let st = status(&dir, "GB44495-7.3.1.2");
    assert_eq!(st["verdict"], "partial");
    assert!(st["recorded"]["inferred_from"].is_null());

    // The report's evidence register says what the scans found, in the
    // report's language.
    for (lang, label, counts) in [
        ("zh", "工具输出解析", "严重 1（另已处置 1）"),
        ("en", "Parsed tool output", "critical 1 (+1 handled)"),
    ] {
        let pdf = root.join(format!("report-{lang}.pdf"));
        let r = cli(&["--lang", lang, "report", s(&dir), "--out", s(&pdf)]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let out = std::process::Command::new("pdftotext")
            .args([s(&pdf), "-"])
            .output()
            .expect("pdftotext must be installed (poppler-utils)");
        let text: String = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains(label), "{lang}: no tool-output line");
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let want: String = counts.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            squeezed.contains(&want),
            "{lang}: {counts} not in the evidence register"
        );
    }
}

#[test]
fn proposals_only_for_requirements_in_the_project_and_applicable() {
    let root = scratch("scan_scope");
    let dir = root.join("p.iovaudit");
    let r = cli(&[
        "project",
        "init",
        s(&dir),
        "--name",
        "n",
        "--assessee",
        "a",
        "--packs",
        "GB44495",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Scope open: no proposal is written.
    let file = root.join("t.json");
    let rep = trivy_report(
        "2026-11-20T08:00:00Z",
        json!([trivy_vuln(
            "CVE-2014-0160",
            "openssl",
            "1.0.1e-2",
            "1.0.1e-2+deb7u5",
            "CRITICAL",
            "2014-04-07T22:55:03Z"
        )]),
        Value::Null,
    );
    std::fs::write(&file, serde_json::to_vec(&rep).expect("json")).expect("write");
    let imp = import(&dir, &file, &[]);
    for p in imp["proposals"].as_array().expect("proposals") {
        assert_eq!(p["stored"], false, "{p:#}");
        assert!(p["skipped"]["en"].as_str().is_some());
    }
    // Not an OEM: not applicable, nothing written.
    let r = cli(&[
        "scope",
        "set",
        s(&dir),
        "enterprise_type=PLT",
        "has_ota=no",
        "offline_update_onboard=no",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let imp = import(&dir, &file, &[]);
    assert!(imp["proposals"]
        .as_array()
        .expect("p")
        .iter()
        .all(|p| p["stored"] == false));
    assert!(status(&dir, "GB44495-7.1.1.1")["recorded"].is_null());
    // A project without GB 44495: the evidence is stored, no proposal.
    let dir2 = root.join("q.iovaudit");
    let r = cli(&[
        "project",
        "init",
        s(&dir2),
        "--name",
        "n",
        "--assessee",
        "a",
        "--packs",
        "N134",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let imp = import(&dir2, &file, &[]);
    let p = proposal(&imp, "GB44495-7.1.1.1");
    assert_eq!(p["stored"], false);
    assert!(p["skipped"]["en"]
        .as_str()
        .unwrap_or("")
        .contains("not in the project"));
}

/// A Grype report as `grype -o json` writes it (models.Document).
fn grype_doc(matches: Value, ignored: Value) -> Value {
    json!({
        "matches": matches,
        "ignoredMatches": ignored,
        "source": {"type": "image", "target": {"userInput": "registry.example/ota-agent:2.0", "imageID": "sha256:00"}},
        "distro": {"name": "debian", "version": "12", "idLike": []},
        "descriptor": {"name": "grype", "version": "0.87.0", "configuration": {}, "db": {}, "timestamp": "2026-11-20T09:00:00.000000000+08:00"}
    })
}

fn grype_match(
    id: &str,
    sev: &str,
    name: &str,
    version: &str,
    fixed: &[&str],
    state: &str,
) -> Value {
    json!({
        "vulnerability": {
            "id": id, "dataSource": format!("https://security-tracker.debian.org/tracker/{id}"),
            "namespace": "debian:distro:debian:12", "severity": sev, "urls": [],
            "cvss": [], "fix": {"versions": fixed, "state": state}, "advisories": [], "risk": 1.0
        },
        "relatedVulnerabilities": [{
            "id": id, "dataSource": format!("https://nvd.nist.gov/vuln/detail/{id}"), "namespace": "nvd:cpe",
            "severity": sev, "urls": [], "description": "x",
            "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "metrics": {"baseScore": 9.8, "exploitabilityScore": 3.9, "impactScore": 5.9}, "vendorMetadata": {}}]
        }],
        "matchDetails": [],
        "artifact": {"id": "1", "name": name, "version": version, "type": "deb", "locations": [], "language": "", "licenses": [], "cpes": [], "purl": format!("pkg:deb/debian/{name}@{version}"), "upstreams": []}
    })
}

#[test]
fn grype_report_without_publication_dates_is_left_to_a_person() {
    let (root, dir) = project("scan_grype");
    let doc = grype_doc(
        json!([grype_match(
            "CVE-2023-38545",
            "Critical",
            "curl",
            "7.88.1-10",
            &[],
            "not-fixed"
        )]),
        json!([{
            "vulnerability": grype_match("CVE-2023-4911", "High", "libc6", "2.36-9", &["2.36-9+deb12u3"], "fixed")["vulnerability"],
            "relatedVulnerabilities": [], "matchDetails": [],
            "artifact": {"name": "libc6", "version": "2.36-9", "type": "deb", "purl": "pkg:deb/debian/libc6@2.36-9"},
            "appliedIgnoreRules": [{"vulnerability": "CVE-2023-4911", "reason": "mitigated by seccomp"}]
        }]),
    );
    let file = root.join("grype.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    let imp = import(&dir, &file, &["--requirement", "GB44495-7.3.1.2"]);
    assert_eq!(imp["summary"]["kind"], "grype");
    assert_eq!(imp["summary"]["tool"], "grype 0.87.0");
    assert_eq!(imp["scan_date"], "2026-11-20");
    let vs = imp["summary"]["vulnerabilities"].as_array().expect("vulns");
    let curl = vs
        .iter()
        .find(|v| v["id"] == "CVE-2023-38545")
        .expect("curl");
    assert_eq!(
        (
            curl["severity"].as_str(),
            curl["cvss"].as_f64(),
            curl["handled"].as_bool()
        ),
        (Some("critical"), Some(9.8), Some(false))
    );
    let libc = vs
        .iter()
        .find(|v| v["id"] == "CVE-2023-4911")
        .expect("libc");
    assert_eq!(libc["handled"], true);
    assert!(libc["handled_by"]
        .as_str()
        .unwrap_or("")
        .contains("seccomp"));
    assert_eq!(libc["fixed_version"], "2.36-9+deb12u3");
    let pr = proposal(&imp, "GB44495-7.3.1.2");
    assert!(
        pr["verdict"].is_null(),
        "Grype gives no publication date: {pr:#}"
    );
    assert_eq!(pr["stored"], false);
    assert!(pr["skipped"]["en"]
        .as_str()
        .unwrap_or("")
        .contains("CVE-2023-38545"));
    assert!(status(&dir, "GB44495-7.3.1.2")["recorded"].is_null());

    // Only ignored and low findings → the scan supports 符合.
    let doc = grype_doc(
        json!([grype_match(
            "CVE-2024-0001",
            "Low",
            "bash",
            "5.2",
            &[],
            "unknown"
        )]),
        json!([]),
    );
    std::fs::write(&file, serde_json::to_vec(&doc).expect("json")).expect("write");
    let imp = import(
        &dir,
        &file,
        &["--kind", "grype", "--requirement", "GB44495-7.3.1.2"],
    );
    assert_eq!(proposal(&imp, "GB44495-7.3.1.2")["verdict"], "conform");
    assert_eq!(
        status(&dir, "GB44495-7.3.1.2")["recorded"]["inferred_from"],
        format!("evidence:{}", imp["evidence_id"])
    );
}

// ------------------------------------------------------------------ bad input

fn refused(dir: &Path, file: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec!["evidence", "import-scan", s(dir), s(file)];
    args.extend_from_slice(extra);
    let zh = cli(&args);
    assert_ne!(zh.code, 0, "{}", zh.stdout);
    assert!(!zh.stderr.contains("panicked"), "{}", zh.stderr);
    let mut en_args = vec!["--lang", "en"];
    en_args.extend_from_slice(&args);
    let en = cli(&en_args);
    assert_ne!(en.code, 0);
    assert!(zh.stderr.starts_with("错误："), "{}", zh.stderr);
    assert!(en.stderr.starts_with("error: "), "{}", en.stderr);
    (zh.stderr, en.stderr)
}

#[test]
fn malformed_files_are_refused_with_the_position_and_nothing_is_stored() {
    let (root, dir) = project("scan_bad");
    let name = |n: &str| root.join(n);

    // Truncated CycloneDX: line and column of the end.
    let f = name("cut.cdx.json");
    std::fs::write(&f, "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"components\": [\n    {\"name\": \"a\"").expect("w");
    let (zh, en) = refused(&dir, &f, &["--kind", "cyclonedx"]);
    let at = format!("{}:5:", s(&f));
    assert!(zh.contains(&at) && zh.contains("不是有效的 JSON"), "{zh}");
    assert!(en.contains(&at) && en.contains("not valid JSON"), "{en}");

    // A wrong type in Trivy: the position of the value.
    let f = name("type.trivy.json");
    std::fs::write(&f, "{\"SchemaVersion\": 2,\n \"Results\": [{\"Vulnerabilities\": [{\"VulnerabilityID\": 42}]}]}").expect("w");
    let (_, en) = refused(&dir, &f, &["--kind", "trivy"]);
    assert!(
        en.contains(&format!("{}:2:", s(&f))) && en.contains("Trivy"),
        "{en}"
    );

    // Unsupported versions are named.
    let f = name("old.trivy.json");
    std::fs::write(&f, "{\"SchemaVersion\": 1, \"Results\": []}").expect("w");
    let (zh, en) = refused(&dir, &f, &[]);
    assert!(
        zh.contains("SchemaVersion `1`") && en.contains("SchemaVersion `1` is not supported"),
        "{en}"
    );
    let f = name("cdx13.json");
    std::fs::write(
        &f,
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.3\"}",
    )
    .expect("w");
    let (_, en) = refused(&dir, &f, &[]);
    assert!(en.contains("`1.3` is not supported"), "{en}");

    // Deep nesting: serde_json's limit, no stack overflow.
    let f = name("deep.json");
    let mut deep =
        String::from("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": ");
    deep.push_str(&"[".repeat(100_000));
    std::fs::write(&f, deep).expect("w");
    // (serde_json skips unknown values without recursing: the end of the file is reported.)
    let (_, en) = refused(&dir, &f, &[]);
    assert!(
        en.contains(&format!("{}:1:100063: not valid JSON", s(&f))),
        "{en}"
    );
    let f = name("deep-components.json");
    let mut deep =
        String::from("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": ");
    for _ in 0..5000 {
        deep.push_str("[{\"name\": \"x\", \"components\": ");
    }
    std::fs::write(&f, deep).expect("w");
    let (_, en) = refused(&dir, &f, &["--kind", "cyclonedx"]);
    assert!(en.contains("recursion limit"), "{en}");

    // Unrecognised JSON with --kind auto.
    let f = name("other.json");
    std::fs::write(&f, "{\"hello\": 1}").expect("w");
    let (_, en) = refused(&dir, &f, &[]);
    assert!(
        en.contains("unrecognised JSON") && en.contains("--kind"),
        "{en}"
    );

    // Truncated nmap XML: the byte offset.
    let f = name("cut-nmap.xml");
    std::fs::write(&f, "<?xml version=\"1.0\"?>\n<nmaprun scanner=\"nmap\" version=\"7.93\">\n<host><ports><port protocol=\"tcp\" portid=\"22\"><state state=\"open\"/></port>").expect("w");
    let (zh, en) = refused(&dir, &f, &["--kind", "nmap"]);
    assert!(en.contains(&format!("{}: at byte ", s(&f))), "{en}");
    assert!(zh.contains("字节处"), "{zh}");
    let f = name("bad-nmap.xml");
    std::fs::write(
        &f,
        "<nmaprun><host><ports><port protocol=\"tcp\" portid=\"99999\"/></ports></host></nmaprun>",
    )
    .expect("w");
    let (_, en) = refused(&dir, &f, &[]);
    assert!(
        en.contains("at byte") && en.contains("`99999` is not a port number"),
        "{en}"
    );
    let f = name("mismatch.xml");
    std::fs::write(&f, "<nmaprun><host></ports></nmaprun>").expect("w");
    let (_, en) = refused(&dir, &f, &[]);
    assert!(
        en.contains("at byte") && en.contains("not valid XML"),
        "{en}"
    );
    let f = name("notnmap.xml");
    std::fs::write(&f, "<svg></svg>").expect("w");
    let (_, en) = refused(&dir, &f, &[]);
    assert!(en.contains("not nmap's <nmaprun>"), "{en}");

    // Ports CSV: line and column.
    let f = name("ports.csv");
    std::fs::write(&f, "port,protocol,purpose\n22,tcp,ssh\n443,tpc,https\n").expect("w");
    let (zh, en) = refused(&dir, &f, &["--kind", "ports"]);
    assert!(
        en.contains(&format!("{}:3:5: `tpc` is not a protocol", s(&f))),
        "{en}"
    );
    assert!(
        zh.contains(&format!("{}:3:5：协议 `tpc` 无效", s(&f))),
        "{zh}"
    );
    std::fs::write(&f, "80,tcp,\"web\n").expect("w");
    let (_, en) = refused(&dir, &f, &["--kind", "ports"]);
    assert!(en.contains(":1:8: unclosed quote"), "{en}");
    std::fs::write(&f, "70000,tcp,x\n").expect("w");
    let (_, en) = refused(&dir, &f, &["--kind", "ports"]);
    assert!(en.contains(":1:1: `70000` is not a port number"), "{en}");

    // Over the size cap: refused on its size before it is read.
    let f = name("huge.json");
    let h = std::fs::File::create(&f).expect("create");
    h.set_len(64 * 1024 * 1024 + 1).expect("sparse");
    let (_, en) = refused(&dir, &f, &[]);
    assert!(en.contains("too large"), "{en}");

    // Bad options.
    let f = name("ok.csv");
    std::fs::write(&f, "22,tcp,ssh\n").expect("w");
    let (_, en) = refused(&dir, &f, &["--kind", "sarif"]);
    assert!(en.contains("unknown scan kind `sarif`"), "{en}");
    let (_, en) = refused(&dir, &f, &["--date", "2026-13-01"]);
    assert!(en.contains("`2026-13-01` is not a date"), "{en}");

    // None of it was stored.
    let v = ok_json(&["evidence", "list", s(&dir), "--json"]);
    assert_eq!(v["evidence"].as_array().map(Vec::len), Some(0), "{v:#}");
}

#[test]
fn nmap_service_detection_is_read() {
    need("nmap");
    let (root, dir) = project("scan_nmap_sv");
    // A listener that greets like an SSH server, so `nmap -sV` names it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for c in listener.incoming().flatten() {
            let mut c = c;
            let _ =
                std::io::Write::write_all(&mut c, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    });
    let o = Command::new("nmap")
        .args([
            "-sT",
            "-Pn",
            "-n",
            "-sV",
            "--version-intensity",
            "0",
            "-oX",
            "-",
            "-p",
            &port.to_string(),
            "127.0.0.1",
        ])
        .output()
        .expect("run nmap");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let xml = root.join("sv.xml");
    std::fs::write(&xml, &o.stdout).expect("write");
    let imp = import(&dir, &xml, &["--requirement", "GB44495-7.1.1.2"]);
    let p = &imp["summary"]["hosts"][0]["ports"][0];
    assert_eq!(p["port"], port);
    assert_eq!(p["service"], "ssh", "{p:#}");
    assert_eq!(p["product"], "OpenSSH", "{p:#}");
    assert!(
        p["version"].as_str().unwrap_or("").starts_with("9.2p1"),
        "{p:#}"
    );
    // No business-port list yet: nothing to compare with, said so.
    let pr = proposal(&imp, "GB44495-7.1.1.2");
    assert!(pr["verdict"].is_null());
    assert!(
        pr["skipped"]["en"]
            .as_str()
            .unwrap_or("")
            .contains("business-port list"),
        "{pr:#}"
    );
    let r = cli(&["--lang", "en", "evidence", "import-scan", s(&dir), s(&xml)]);
    assert!(r.stdout.contains("OpenSSH"), "{}", r.stdout);
}
