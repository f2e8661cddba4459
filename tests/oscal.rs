//! OSCAL 1.1.2: every document iovaudit writes (the assessment results of
//! `report --json` and of the filing package, a catalog per built-in pack)
//! is validated against NIST's complete JSON schema
//! (`../shared/schemas/oscal_complete_schema-1-1-2.json`, or `OSCAL_SCHEMA`);
//! evidence hashes are checked against `sha256sum` and `openssl dgst -sm3`;
//! a catalog exported from a pack imports back into an equal pack; a catalog
//! written here in NIST's own style (groups, parameters, enhancements, a
//! withdrawn control) imports into a pack that validates.

mod common;

use common::{bin, repo, run, scratch};
use iovaudit::i18n::Lang;
use iovaudit::oscal::{export_catalog, import_catalog, CatalogImportOptions};
use iovaudit::pack::{self, SourceFile};
use iovaudit::project::Project;
use iovaudit::report::{self, ReportOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const AT: &str = "2026-11-22T10:00:00Z";

fn schema_path() -> PathBuf {
    std::env::var_os("OSCAL_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/schemas/oscal_complete_schema-1-1-2.json"))
}

/// NIST's schema, compiled once. A missing schema fails the test.
fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let p = schema_path();
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| {
            panic!(
                "the OSCAL schema {} is missing ({e}); it is the oracle of these tests",
                p.display()
            )
        });
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles (\\p{L} patterns included)")
    })
}

/// Asserts `doc` is valid OSCAL, listing every error with its place.
fn assert_oscal(doc: &Value, what: &str) {
    let errors: Vec<String> = validator()
        .iter_errors(doc)
        .take(20)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not valid OSCAL 1.1.2:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_validator_rejects_the_old_oscal_like_shape() {
    // The oracle works: the shape `--json` had before is refused at its first key.
    let old = json!({ "schema": 1, "kind": "iovaudit.assessment_results", "metadata": {} });
    assert!(!validator().is_valid(&old));
    // A bad token (a space in a control id) is refused: the \p{L} patterns are applied.
    let bad = json!({ "catalog": { "uuid": "8a0c6bb2-5bb4-5e2b-8e5c-1d5b0c1f1a11",
        "metadata": { "title": "t", "last-modified": AT, "version": "1", "oscal-version": "1.1.2" },
        "controls": [{ "id": "a b", "title": "x" }] } });
    assert!(!validator().is_valid(&bad));
    let good = json!({ "catalog": { "uuid": "8a0c6bb2-5bb4-5e2b-8e5c-1d5b0c1f1a11",
        "metadata": { "title": "t", "last-modified": AT, "version": "1", "oscal-version": "1.1.2" },
        "controls": [{ "id": "数据-1", "title": "x" }] } });
    assert!(validator().is_valid(&good));
}

fn demo_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("oscal-demo").join("demo.iovaudit");
        let lib = pack::builtin().expect("builtin library");
        drop(iovaudit::demo::create(&dir, lib).expect("demo"));
        dir
    })
}

fn results(dir: &Path) -> (report::ReportModel, Value) {
    static OPEN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    let p = Project::open_read_only(dir).expect("open");
    let o = ReportOptions {
        lang: Lang::Zh,
        generated_at: Some(AT.into()),
        signer_name: Some("李审核".into()),
        ..Default::default()
    };
    let m = report::build_model(&p, &o).expect("model");
    let j = report::render_json(&m);
    (m, j)
}

fn tool_hash(args: &[&str], file: &Path) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{} is needed as the oracle: {e}", args[0]));
    assert!(out.status.success(), "{:?} failed", args);
    let s = String::from_utf8_lossy(&out.stdout).to_string();
    // `sha256sum`: "HASH  FILE"; `openssl dgst`: "SM3(FILE)= HASH".
    s.split_whitespace()
        .find(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn demo_results_are_valid_oscal_with_findings_observations_risks_and_hashes() {
    let (m, j) = results(demo_dir());
    assert_oscal(&j, "the demo's assessment results");
    let ar = &j["assessment-results"];
    // Deterministic: the same state gives the same document, UUIDs are version 5.
    let (_, j2) = results(demo_dir());
    assert_eq!(j, j2);
    let uuid = ar["uuid"].as_str().expect("uuid");
    assert_eq!(&uuid[14..15], "5", "version-5 UUID: {uuid}");
    // Parties and roles.
    let parties = ar["metadata"]["parties"].as_array().expect("parties");
    assert!(parties.iter().any(|p| p["type"] == "organization"));
    assert!(parties.iter().any(|p| p["name"] == "李审核"), "signer");
    let roles: Vec<&str> = ar["metadata"]["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(roles.contains(&"assessor") && roles.contains(&"assessee"));
    let result = &ar["results"][0];
    // Reviewed controls: every pack, every requirement of the report.
    let sel = result["reviewed-controls"]["control-selections"]
        .as_array()
        .expect("selections");
    assert_eq!(sel.len(), m.packs.len());
    let n_rows: usize = m
        .packs
        .iter()
        .flat_map(|p| p.sections.iter())
        .map(|s| s.requirements.len())
        .sum();
    let n_sel: usize = sel
        .iter()
        .map(|s| s["include-controls"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(n_sel, n_rows);
    // One finding per judged requirement.
    let findings = result["findings"].as_array().expect("findings");
    let judged = m
        .packs
        .iter()
        .flat_map(|p| p.sections.iter())
        .flat_map(|s| s.requirements.iter())
        .filter(|r| r.verdict != iovaudit::assess::Verdict::Unassessed)
        .count();
    assert_eq!(findings.len(), judged);
    let f17 = findings
        .iter()
        .find(|f| f["target"]["target-id"] == "N134-17_obj")
        .expect("finding of N134-17");
    assert_eq!(f17["target"]["status"]["state"], "satisfied");
    let verdict = f17["props"]
        .as_array()
        .expect("props")
        .iter()
        .find(|p| p["name"] == "verdict")
        .expect("verdict prop");
    assert_eq!(verdict["ns"], iovaudit::oscal::NS);
    assert_eq!(verdict["value"], "conform");
    // Partial and not applicable keep our verdict in props, both languages.
    for (code, state, label_en) in [
        ("partial", "not-satisfied", "partially conformant"),
        ("na", "satisfied", "not applicable"),
    ] {
        if let Some(f) = findings.iter().find(|f| {
            f["props"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["name"] == "verdict" && p["value"] == code)
            })
        }) {
            assert_eq!(f["target"]["status"]["state"], state);
            assert!(f["props"].as_array().is_some_and(|ps| ps
                .iter()
                .any(|p| p["name"] == "verdict-label" && p["value"] == label_en)));
        }
    }
    // Observations carry the evidence; resources carry SHA-256 and SM3, checked by other tools.
    let obs_uuid = f17["related-observations"][0]["observation-uuid"]
        .as_str()
        .expect("observation");
    let obs = result["observations"]
        .as_array()
        .expect("observations")
        .iter()
        .find(|o| o["uuid"] == obs_uuid)
        .expect("the observation");
    let href = obs["relevant-evidence"][0]["href"].as_str().expect("href");
    let res = ar["back-matter"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| format!("#{}", r["uuid"].as_str().unwrap_or("")) == href)
        .expect("the resource the evidence points at");
    let hashes = res["rlinks"][0]["hashes"].as_array().expect("hashes");
    let sha = hashes
        .iter()
        .find(|h| h["algorithm"] == "SHA-256")
        .and_then(|h| h["value"].as_str())
        .expect("SHA-256");
    let sm3 = hashes
        .iter()
        .find(|h| h["algorithm"] == "SM3")
        .and_then(|h| h["value"].as_str())
        .expect("SM3");
    let stored = demo_dir().join("vault").join(&sha[..2]).join(sha);
    assert!(stored.is_file(), "vault file {}", stored.display());
    assert_eq!(tool_hash(&["sha256sum"], &stored), sha);
    assert_eq!(tool_hash(&["openssl", "dgst", "-sm3"], &stored), sm3);
    // Risks from the remediation items (整改项), linked from their requirement's finding.
    let risks = result["risks"].as_array().expect("risks");
    assert_eq!(risks.len(), m.findings.len());
    for f in &m.findings {
        let fnd = findings
            .iter()
            .find(|x| x["target"]["target-id"] == format!("{}_obj", f.requirement));
        if let Some(fnd) = fnd {
            assert!(fnd["related-risks"]
                .as_array()
                .is_some_and(|r| !r.is_empty()));
        }
    }
    // Both languages are kept.
    let text = j.to_string();
    assert!(text.contains("符合") && text.contains("conformant"));
}

#[test]
fn report_json_and_filing_package_write_valid_oscal() {
    let root = scratch("oscal-cli");
    let project = root.join("demo.iovaudit");
    assert_eq!(run(&["demo", project.to_str().expect("utf-8")]).code, 0);
    let pdf = root.join("r.pdf");
    let js = root.join("r.json");
    let r = run(&[
        "report",
        project.to_str().expect("utf-8"),
        "--out",
        pdf.to_str().expect("utf-8"),
        "--json",
        js.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_slice(&std::fs::read(&js).expect("json")).expect("parse");
    assert_oscal(&v, "report --json");

    // The filing package: approve, make an identity, export, unzip with Python's zipfile.
    let list = run(&[
        "assess",
        "list",
        project.to_str().expect("utf-8"),
        "--filter",
        "inferred",
        "--json",
    ]);
    let l: Value = serde_json::from_str(&list.stdout).expect("list json");
    for r in l["requirements"].as_array().expect("list") {
        let id = r["requirement"].as_str().expect("id");
        assert_eq!(
            run(&[
                "assess",
                "confirm",
                project.to_str().expect("utf-8"),
                id,
                "--by",
                "审核员"
            ])
            .code,
            0
        );
    }
    assert_eq!(
        run(&[
            "review",
            "submit",
            project.to_str().expect("utf-8"),
            "--by",
            "张工"
        ])
        .code,
        0
    );
    let a = run(&[
        "review",
        "approve",
        project.to_str().expect("utf-8"),
        "--by",
        "李主任",
    ]);
    assert_eq!(a.code, 0, "{}{}", a.stdout, a.stderr);
    let idir = root.join("identity");
    let pw = |args: &[&str]| {
        let out = bin()
            .args(args)
            .env("IOVAUDIT_PASSWORD", "oscal-test-pw")
            .stdin(Stdio::null())
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    pw(&[
        "identity",
        "new",
        "--name",
        "张工",
        "--org",
        "示例测评中心",
        "--out",
        idir.to_str().expect("utf-8"),
        "--algo",
        "p256",
    ]);
    let zip = root.join("filing.zip");
    pw(&[
        "package",
        "export",
        project.to_str().expect("utf-8"),
        "--out",
        zip.to_str().expect("utf-8"),
        "--identity",
        idir.join("signer.p12").to_str().expect("utf-8"),
        "--with-evidence",
    ]);
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys,zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read('results.json'))",
        ])
        .arg(&zip)
        .output()
        .expect("python3 reads the zip");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("results.json is JSON");
    assert_oscal(&v, "the filing package's results.json");
    let ar = &v["assessment-results"];
    assert!(ar["metadata"]["props"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["name"] == "snapshot-hash")));
    // Every evidence resource's rlink names a file the package holds, with that SHA-256.
    let names = Command::new("python3")
        .args([
            "-c",
            "import sys,zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))",
        ])
        .arg(&zip)
        .output()
        .expect("namelist");
    let names = String::from_utf8_lossy(&names.stdout).to_string();
    for r in ar["back-matter"]["resources"]
        .as_array()
        .expect("resources")
    {
        if let Some(href) = r.pointer("/rlinks/0/href").and_then(Value::as_str) {
            assert!(names.lines().any(|n| n == href), "{href} in the package");
        }
    }
}

fn builtin_questions() -> Vec<SourceFile> {
    pack::builtin_sources()
        .into_iter()
        .filter(|s| s.text.contains("[[questions]]"))
        .collect()
}

/// A pack's model as JSON without the file it was read from.
fn pack_json(p: &pack::Pack) -> Value {
    let mut v = serde_json::to_value(p).expect("pack json");
    if let Some(o) = v.as_object_mut() {
        o.remove("file");
    }
    v
}

#[test]
fn every_builtin_pack_exports_as_a_valid_catalog_and_imports_back_equal() {
    let lib = pack::builtin().expect("builtin");
    let qs = builtin_questions();
    for p in &lib.packs {
        let cat = export_catalog(p, Some(AT));
        assert_oscal(&cat, &format!("the catalog of {}", p.id));
        assert_eq!(cat, export_catalog(p, Some(AT)), "deterministic");
        let bytes = serde_json::to_vec_pretty(&cat).expect("bytes");
        let imp = import_catalog(
            &format!("{}.json", p.id),
            &bytes,
            &CatalogImportOptions::default(),
            &qs,
        )
        .expect("import");
        assert!(imp.iovaudit);
        assert!(imp.problems.is_empty(), "{}: {:?}", p.id, imp.problems);
        let toml = imp.toml.expect("toml");
        let mut set = vec![SourceFile::new(format!("{}.toml", p.id), toml.clone())];
        set.extend(qs.iter().cloned());
        let (back, diags) = pack::check(&set);
        assert!(diags.is_empty(), "{}: {diags:?}", p.id);
        let q = back.pack(&p.id).expect("the pack");
        assert_eq!(pack_json(q), pack_json(p), "{} round trip", p.id);
    }
}

/// A small catalog in NIST's own style, written here (not copied from NIST).
fn foreign_catalog() -> Value {
    json!({ "catalog": {
        "uuid": "0b7a3c52-7f0d-4d3c-9f0a-0c2d6f7e1a21",
        "metadata": { "title": "Example Vehicle Security Controls", "last-modified": AT,
                      "version": "2.0", "oscal-version": "1.1.2",
                      "roles": [{ "id": "creator", "title": "Author" }],
                      "parties": [{ "uuid": "5b8e7a1e-3c0b-4e8e-9a6f-7a3b2c1d0e9f", "type": "organization", "name": "Example Standards Body" }],
                      "responsible-parties": [{ "role-id": "creator", "party-uuids": ["5b8e7a1e-3c0b-4e8e-9a6f-7a3b2c1d0e9f"] }] },
        "groups": [
          { "id": "lg", "class": "family", "title": "Logging",
            "controls": [
              { "id": "lg-1", "title": "Log Retention",
                "params": [{ "id": "lg-1_prm_1", "label": "retention period", "values": ["six months"] }],
                "props": [{ "name": "label", "value": "LG-1" }],
                "parts": [
                  { "id": "lg-1_smt", "name": "statement", "prose": "The operator:",
                    "parts": [
                      { "id": "lg-1_smt.a", "name": "item", "props": [{ "name": "label", "value": "a." }],
                        "prose": "Keeps network logs for {{ insert: param, lg-1_prm_1 }};" },
                      { "id": "lg-1_smt.b", "name": "item", "props": [{ "name": "label", "value": "b." }],
                        "prose": "Protects logs from tampering." } ] },
                  { "name": "assessment-method", "props": [{ "name": "method", "ns": "http://csrc.nist.gov/ns/rmf", "value": "EXAMINE" }],
                    "parts": [{ "name": "assessment-objects", "prose": "log retention policy\nsample of archived logs" }] },
                  { "name": "assessment-method", "props": [{ "name": "method", "ns": "http://csrc.nist.gov/ns/rmf", "value": "TEST" }] } ],
                "controls": [
                  { "id": "lg-1.1", "title": "Central Log Store",
                    "props": [{ "name": "label", "value": "LG-1(1)" }],
                    "parts": [{ "id": "lg-1.1_smt", "name": "statement", "prose": "Logs are sent to a central store." }] } ] },
              { "id": "lg-2", "title": "Old Logging Rule",
                "props": [{ "name": "label", "value": "LG-2" }, { "name": "status", "value": "withdrawn" }] } ] },
          { "id": "up", "title": "Updates",
            "groups": [
              { "id": "up-ota", "title": "Over the air",
                "controls": [{ "id": "up-1", "title": "数据安全 更新签名",
                  "parts": [{ "id": "up-1_smt", "name": "statement", "prose": "更新包应经签名验证。" }] }] } ] } ] } })
}

#[test]
fn a_foreign_catalog_imports_into_a_pack_that_validates() {
    let cat = foreign_catalog();
    assert_oscal(&cat, "the hand-written foreign catalog");
    let qs = builtin_questions();
    let bytes = serde_json::to_vec(&cat).expect("bytes");
    let imp = import_catalog(
        "vehicle-controls.json",
        &bytes,
        &CatalogImportOptions {
            id: Some("EXVSC".into()),
        },
        &qs,
    )
    .expect("import");
    assert!(!imp.iovaudit);
    assert!(imp.problems.is_empty(), "{:?}", imp.problems);
    assert_eq!(
        imp.requirements, 3,
        "lg-1, its enhancement lg-1.1, up-1; lg-2 withdrawn"
    );
    assert_eq!(imp.sections, 2);
    assert!(imp.skipped.iter().any(|(at, _)| at.contains("controls[1]")));
    let toml = imp.toml.expect("toml");
    let mut set = vec![SourceFile::new("EXVSC.toml", toml.clone())];
    set.extend(qs.iter().cloned());
    let (lib, diags) = pack::check(&set);
    assert!(diags.is_empty(), "{diags:?}");
    let p = lib.pack("EXVSC").expect("pack");
    let (_, _, r) = lib.requirement("EXVSC-lg-1").expect("lg-1");
    assert_eq!(r.clause, "LG-1");
    assert!(
        r.text
            .en
            .contains("a. Keeps network logs for [six months];"),
        "{}",
        r.text.en
    );
    assert!(r.text.en.contains("b. Protects logs"));
    assert!(r.text.zh.starts_with("（待译）"));
    assert_eq!(
        r.evidence.en,
        vec!["log retention policy", "sample of archived logs"]
    );
    assert_eq!(r.methods.len(), 2);
    let (_, s, up) = lib.requirement("EXVSC-up-1").expect("up-1");
    assert_eq!(up.text.zh, "更新包应经签名验证。");
    assert!(s.title.en.contains("Updates / Over the air"));
    assert!(p.title.en.contains("Example Vehicle Security Controls"));
    assert_eq!(p.issuer.en, "Example Standards Body");
    // The generated file says which values are defaults.
    assert!(toml.contains("# 默认 / default"));
}

#[test]
fn bad_oscal_input_is_refused_with_file_and_place() {
    let qs = builtin_questions();
    let o = CatalogImportOptions::default();
    let e = import_catalog("x.json", b"{ \"catalog\": ", &o, &qs).expect_err("broken JSON");
    assert!(
        e.en.starts_with("x.json: 1:") && e.zh.contains("不是有效的 JSON"),
        "{e:?}"
    );
    let e =
        import_catalog("p.json", br#"{"profile": {"uuid": "x"}}"#, &o, &qs).expect_err("profile");
    assert!(
        e.en.contains("unresolved OSCAL profile") && e.zh.contains("未解析"),
        "{e:?}"
    );
    let e = import_catalog("a.json", br#"{"assessment-results": {}}"#, &o, &qs)
        .expect_err("not a catalog");
    assert!(
        e.en.contains("not an OSCAL catalog (root keys: assessment-results)"),
        "{e:?}"
    );
    let e = import_catalog(
        "e.json",
        br#"{"catalog": {"uuid": "x", "metadata": {"title": "Empty"}}}"#,
        &CatalogImportOptions {
            id: Some("EMPTY".into()),
        },
        &qs,
    )
    .expect_err("no controls");
    assert!(e.en.contains("no control"), "{e:?}");
    let e = import_catalog(
        "数据.json",
        r#"{"catalog": {"metadata": {"title": "数据"}}}"#.as_bytes(),
        &o,
        &qs,
    )
    .expect_err("no id");
    assert!(e.en.contains("pack id"), "{e:?}");
}

#[test]
fn cli_exports_and_imports_catalogs_and_speaks_english() {
    let dir = scratch("oscal-cli-pack");
    let cat = dir.join("n134.json");
    let r = run(&[
        "pack",
        "export-oscal",
        "N134",
        "--out",
        cat.to_str().expect("utf-8"),
        "--time",
        AT,
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_slice(&std::fs::read(&cat).expect("read")).expect("json");
    assert_oscal(&v, "pack export-oscal N134");
    let out = dir.join("N134.toml");
    let r = run(&[
        "pack",
        "import-oscal",
        cat.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&[
        "pack",
        "validate",
        out.to_str().expect("utf-8"),
        repo()
            .join("checklists/questions.toml")
            .to_str()
            .expect("utf-8"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // --json: the import summary, and the file written.
    let out2 = dir.join("N134-2.toml");
    let r = run(&[
        "pack",
        "import-oscal",
        cat.to_str().expect("utf-8"),
        "--out",
        out2.to_str().expect("utf-8"),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let j: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(j["schema"], 1);
    assert_eq!(j["import"]["ok"], true);
    assert_eq!(j["import"]["iovaudit"], true);
    assert_eq!(j["import"]["pack_id"], "N134");
    assert!(j["import"].get("toml").is_none());
    assert_eq!(
        std::fs::read_to_string(&out2).expect("out2"),
        std::fs::read_to_string(&out).expect("out")
    );
    // An existing output is kept; English when asked.
    let r = run(&[
        "--lang",
        "en",
        "pack",
        "import-oscal",
        cat.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("the file exists"), "{}", r.stderr);
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"profile\": {}}").expect("write");
    let r = run(&[
        "--lang",
        "en",
        "pack",
        "import-oscal",
        bad.to_str().expect("utf-8"),
        "--out",
        dir.join("b.toml").to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("bad.json") && r.stderr.contains("unresolved OSCAL profile"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "English only: {}",
        r.stderr
    );
    let r = run(&[
        "pack",
        "export-oscal",
        "NOPE",
        "--out",
        dir.join("x.json").to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 2);
}

/// A second, independent validator: Python's `jsonschema` (Draft 7). Python's
/// `re` has no `\p{L}`/`\p{N}`, so the schema's patterns are rewritten to the
/// equivalent Unicode classes `[^\W\d_]` and `\d` first.
#[test]
fn python_jsonschema_agrees() {
    let dir = scratch("oscal-python");
    let (_, ar) = results(demo_dir());
    let lib = pack::builtin().expect("builtin");
    let mut files = vec![dir.join("ar.json")];
    std::fs::write(&files[0], serde_json::to_vec(&ar).expect("json")).expect("write");
    for p in &lib.packs {
        let f = dir.join(format!("{}.json", p.id));
        std::fs::write(
            &f,
            serde_json::to_vec(&export_catalog(p, Some(AT))).expect("json"),
        )
        .expect("write");
        files.push(f);
    }
    let script = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
def fix(o):
    if isinstance(o, dict):
        return {k: (v.replace("\\p{L}", "[^\\W\\d_]").replace("\\p{N}", "\\d") if k == "pattern" and isinstance(v, str) else fix(v)) for k, v in o.items()}
    if isinstance(o, list):
        return [fix(x) for x in o]
    return o
v = jsonschema.Draft7Validator(fix(schema), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
bad = 0
for f in sys.argv[2:]:
    for e in v.iter_errors(json.load(open(f, encoding="utf-8"))):
        bad += 1
        print(f, "/".join(map(str, e.absolute_path)), e.message[:200])
print("errors", bad)
sys.exit(1 if bad else 0)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(schema_path())
        .args(&files)
        .output()
        .expect("python3 with jsonschema (scripts/setup.sh installs it)");
    assert!(
        out.status.success(),
        "python jsonschema: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("errors 0"));
}
