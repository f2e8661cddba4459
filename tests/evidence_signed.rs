//! Signed PDFs as evidence: a PDF signed by another tool (pyHanko) gets its
//! signature status at ingest, shown by `evidence show` / `evidence list`,
//! and `evidence verify` checks it again. Oracles: openssl (key and
//! certificate), pyhanko (signing) — installed by scripts/setup.sh.

mod common;
use common::{pdf, run, scratch, stream};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn must(cmd: &str, args: &[&str], dir: &Path) {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} must be installed (scripts/setup.sh): {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn json(args: &[&str]) -> Value {
    let r = run(args);
    assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
    serde_json::from_str(&r.stdout).expect("json")
}

#[test]
fn a_signed_pdf_added_as_evidence_carries_its_signature_status() {
    let root = scratch("evidence_signed");
    // A one-page PDF, signed by pyHanko with a certificate made by openssl.
    let plain = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>".to_vec(),
        stream("", b"BT ET"),
    ]);
    std::fs::write(root.join("report.pdf"), &plain).expect("write");
    must(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-days",
            "30",
            "-subj",
            "/CN=Test Lab Signer/O=Example Lab",
        ],
        &root,
    );
    must(
        "pyhanko",
        &[
            "sign",
            "addsig",
            "--field",
            "Sig1",
            "pemder",
            "--key",
            "k.pem",
            "--cert",
            "c.pem",
            "--no-pass",
            "report.pdf",
            "signed.pdf",
        ],
        &root,
    );
    // The same signed file with one byte inside the signed range changed.
    let mut bad = std::fs::read(root.join("signed.pdf")).expect("read");
    let at = bad
        .windows(5)
        .position(|w| w == b"BT ET")
        .expect("content stream");
    bad[at] = b'X';
    std::fs::write(root.join("tampered.pdf"), &bad).expect("write");

    let dir = root.join("p.iovaudit");
    let r = run(&[
        "project",
        "init",
        s(&dir),
        "--name",
        "签名证据",
        "--assessee",
        "示例公司",
        "--packs",
        "N134",
        "--by",
        "张工",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for f in ["signed.pdf", "tampered.pdf", "report.pdf"] {
        let r = run(&["evidence", "add", s(&dir), s(&root.join(f)), "--by", "张工"]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
    let list = json(&["evidence", "list", s(&dir), "--json"]);
    let items = list["evidence"].as_array().expect("items");
    let id_of = |name: &str| {
        items
            .iter()
            .find(|i| i["original_name"] == name)
            .and_then(|i| i["id"].as_i64())
            .expect("item")
    };

    let signed = json(&[
        "evidence",
        "show",
        s(&dir),
        &id_of("signed.pdf").to_string(),
        "--json",
    ]);
    let st = &signed["signature_status"];
    assert_eq!(st["status"], "valid", "{st:#}");
    assert_eq!(st["signatures"][0]["field"], "Sig1");
    assert!(
        st["signatures"][0]["signer"]
            .as_str()
            .is_some_and(|x| x.contains("Test Lab Signer")),
        "{st:#}"
    );
    let tampered = json(&[
        "evidence",
        "show",
        s(&dir),
        &id_of("tampered.pdf").to_string(),
        "--json",
    ]);
    assert_eq!(
        tampered["signature_status"]["status"], "invalid",
        "{tampered:#}"
    );
    let plain = json(&[
        "evidence",
        "show",
        s(&dir),
        &id_of("report.pdf").to_string(),
        "--json",
    ]);
    assert!(
        plain["signature_status"].is_null(),
        "an unsigned PDF has no status"
    );

    // The list says it too, in the language asked for.
    let zh = run(&["evidence", "list", s(&dir)]);
    assert!(
        zh.stdout.contains("签名：签名有效") || zh.stdout.contains("签名："),
        "{}",
        zh.stdout
    );
    let en = run(&[
        "--lang",
        "en",
        "evidence",
        "show",
        s(&dir),
        &id_of("tampered.pdf").to_string(),
    ]);
    assert!(en.stdout.contains("signatures: "), "{}", en.stdout);
    assert!(!en.stdout.contains("签名"), "{}", en.stdout);

    // `evidence verify` checks the status again: unchanged → OK; a recorded
    // status that no longer matches what the bytes say → reported, exit ≠ 0.
    let r = run(&["evidence", "verify", s(&dir)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    {
        let c = rusqlite::Connection::open(dir.join("project.db")).expect("db");
        let n = c
            .execute(
                "UPDATE evidence_summary SET summary = replace(summary, '\"status\":\"valid\"', '\"status\":\"invalid\"') WHERE kind = 'pdf-signature' AND evidence_id = ?1",
                [id_of("signed.pdf")],
            )
            .expect("update");
        assert_eq!(n, 1);
    }
    let r = run(&["--lang", "en", "evidence", "verify", s(&dir)]);
    assert_ne!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "signature status changed #{} r1",
            id_of("signed.pdf")
        )),
        "{}",
        r.stdout
    );
}
