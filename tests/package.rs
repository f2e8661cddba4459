//! The filing package end to end: demo → approve → identity → report →
//! package export → verify, checked by our verifier and by the standard
//! tools (openssl cms, openssl dgst -sm3, pdfsig, pyHanko); tampering of any
//! kind is caught; export is byte-identical; hostile zips are refused safely.

mod common;
use common::{bin, run, scratch};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const PW: &str = "correct horse 1";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn run_pw(args: &[&str]) -> common::Run {
    let out = bin()
        .args(args)
        .env("IOVAUDIT_PASSWORD", PW)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

struct Fixture {
    root: PathBuf,
    project: PathBuf,
    idir: PathBuf,
    package: PathBuf,
}

/// One approved demo project, one identity (P-256 + SM2) and one package, shared by the tests.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let root = scratch("package_fixture");
        let project = root.join("demo.iovaudit");
        assert_eq!(run(&["demo", s(&project)]).code, 0);
        // Confirm every inferred verdict, then submit and approve.
        let list = run(&[
            "assess",
            "list",
            s(&project),
            "--filter",
            "inferred",
            "--json",
        ]);
        let v: serde_json::Value = serde_json::from_str(&list.stdout).expect("json");
        for r in v["requirements"].as_array().expect("list") {
            let id = r["requirement"].as_str().expect("id");
            assert_eq!(
                run(&["assess", "confirm", s(&project), id, "--by", "审核员"]).code,
                0
            );
        }
        assert_eq!(
            run(&["review", "submit", s(&project), "--by", "张工"]).code,
            0
        );
        let r = run(&["review", "approve", s(&project), "--by", "李主任"]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let idir = root.join("identity");
        let r = run_pw(&[
            "identity",
            "new",
            "--name",
            "张工",
            "--org",
            "示例测评技术服务中心",
            "--out",
            s(&idir),
            "--algo",
            "p256",
            "--sm2",
        ]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let package = root.join("filing.zip");
        let r = run_pw(&[
            "package",
            "export",
            s(&project),
            "--out",
            s(&package),
            "--identity",
            s(&idir.join("signer.p12")),
            "--with-evidence",
        ]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        Fixture {
            root,
            project,
            idir,
            package,
        }
    })
}

fn unzip(zip: &Path, dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("mkdir");
    let st = Command::new("python3")
        .args([
            "-c",
            "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
            s(zip),
            s(dir),
        ])
        .status()
        .expect("python3");
    assert!(st.success());
}

fn tool(cmd: &str, args: &[&str], cwd: &Path) -> (bool, String) {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| {
            panic!("`{cmd}` must be installed (scripts/setup.sh installs it): {e}")
        });
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn our_verifier_accepts_the_package_and_trusts_the_given_ca() {
    let f = fixture();
    let ca = f.idir.join("ca.pem");
    let r = run(&["verify", s(&f.package), "--trust", s(&ca)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("通过：所有签名有效"), "{}", r.stdout);
    let r = run(&["--lang", "en", "verify", s(&f.package)]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("no trust anchor given"), "{}", r.stdout);
    // Another CA is not trusted.
    let other = f.root.join("other-id");
    assert_eq!(
        run_pw(&[
            "identity",
            "new",
            "--name",
            "X",
            "--org",
            "Y",
            "--out",
            s(&other),
            "--algo",
            "p256"
        ])
        .code,
        0
    );
    let r = run(&["verify", s(&f.package), "--trust", s(&other.join("ca.pem"))]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn standard_tools_accept_the_package() {
    let f = fixture();
    let dir = f.root.join("unzipped");
    unzip(&f.package, &dir);
    let (ok, out) = tool(
        "openssl",
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "manifest.json.p7s",
            "-content",
            "manifest.json",
            "-CAfile",
            "certs/ca.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
        &dir,
    );
    assert!(ok && out.contains("Verification successful"), "{out}");
    let (ok, out) = tool("sha256sum", &["-c", "SHA256SUMS"], &dir);
    assert!(ok, "{out}");
    let (ok, out) = tool("sh", &["-c", "openssl x509 -in certs/signer-sm2.pem -pubkey -noout > /tmp/iovaudit-sm2pub.pem && openssl dgst -sm3 -sigopt distid:1234567812345678 -verify /tmp/iovaudit-sm2pub.pem -signature manifest.json.sm2.sig manifest.json"], &dir);
    assert!(ok && out.contains("Verified OK"), "{out}");
    let (_, out) = tool("pdfsig", &["report.pdf"], &dir);
    assert!(out.contains("Signature is Valid"), "{out}");
    let (ok, out) = tool(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--pretty-print",
            "--trust-replace",
            "--trust",
            "certs/ca.pem",
            "report.pdf",
        ],
        &dir,
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("judged VALID") && out.contains("certificate is trusted"),
        "{out}"
    );
    // The manifest lists the evidence and carries the snapshot hash.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest"))
            .expect("json");
    assert!(m["project"]["snapshot_hash"]
        .as_str()
        .is_some_and(|h| h.len() == 64));
    assert!(m["evidence"].as_array().is_some_and(|e| e.len() >= 10));
    let first = &m["evidence"][0];
    let stored =
        std::fs::read(dir.join(first["path"].as_str().expect("path"))).expect("evidence file");
    let (_, out) = tool("sha256sum", &[first["path"].as_str().expect("path")], &dir);
    assert!(
        out.starts_with(first["sha256"].as_str().expect("sha")),
        "{out}"
    );
    assert_eq!(stored.len() as u64, first["size"].as_u64().expect("size"));
}

#[test]
fn export_is_byte_identical() {
    let f = fixture();
    let again = f.root.join("again.zip");
    let r = run_pw(&[
        "package",
        "export",
        s(&f.project),
        "--out",
        s(&again),
        "--identity",
        s(&f.idir.join("signer.p12")),
        "--with-evidence",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::read(&again).expect("a") == std::fs::read(&f.package).expect("b"),
        "two exports of the same state differ"
    );
}

fn rezip(entries: &[(String, Vec<u8>)], out: &Path) {
    use std::io::Write;
    let file = std::fs::File::create(out).expect("create");
    let mut w = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default();
    for (n, b) in entries {
        w.start_file(n.as_str(), opts).expect("start");
        w.write_all(b).expect("write");
    }
    w.finish().expect("finish");
}

fn entries(zip_path: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip_path).expect("open")).expect("zip");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).expect("entry");
            let mut b = Vec::new();
            f.read_to_end(&mut b).expect("read");
            (f.name().expect("utf-8 name").to_string(), b)
        })
        .collect()
}

#[test]
fn every_kind_of_tampering_is_caught() {
    let f = fixture();
    let ca = f.idir.join("ca.pem");
    let orig = entries(&f.package);
    type Mutation = Box<dyn Fn(&mut Vec<(String, Vec<u8>)>)>;
    let cases: Vec<(&str, Mutation, &str)> = vec![
        (
            "pdf-byte",
            Box::new(|e| {
                let pdf = e.iter_mut().find(|(n, _)| n == "report.pdf").expect("pdf");
                let i = pdf.1.len() / 3;
                pdf.1[i] ^= 1;
            }),
            "report.pdf",
        ),
        (
            "manifest",
            Box::new(|e| {
                let m = e
                    .iter_mut()
                    .find(|(n, _)| n == "manifest.json")
                    .expect("manifest");
                m.1 = String::from_utf8_lossy(&m.1)
                    .replace("示例", "样例")
                    .into_bytes();
            }),
            "manifest",
        ),
        (
            "extra",
            Box::new(|e| e.push(("extra.txt".into(), b"hello".to_vec()))),
            "extra.txt",
        ),
        (
            "missing",
            Box::new(|e| e.retain(|(n, _)| n != "self-check.xlsx")),
            "self-check.xlsx",
        ),
        (
            "evidence",
            Box::new(|e| {
                let ev = e
                    .iter_mut()
                    .find(|(n, _)| n.starts_with("evidence/"))
                    .expect("evidence");
                ev.1.push(b'!');
            }),
            "evidence/",
        ),
    ];
    for (name, mutate, needle) in cases {
        let mut e = orig.clone();
        mutate(&mut e);
        let out = f.root.join(format!("tampered-{name}.zip"));
        rezip(&e, &out);
        let r = run(&["--lang", "en", "verify", s(&out), "--trust", s(&ca)]);
        assert_eq!(r.code, 1, "{name}: {}", r.stdout);
        assert!(r.stdout.contains("FAILED"), "{name}: {}", r.stdout);
        assert!(
            r.stdout.contains(needle),
            "{name}: expected `{needle}` in\n{}",
            r.stdout
        );
    }
}

/// A stored (uncompressed) zip written byte by byte, to make archives the zip crate refuses to write.
fn raw_zip(
    entries: &[(
        &[u8],
        &[u8],
        u32, /* external attrs */
        u16, /* flags */
    )],
) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in data {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, ext, flags) in entries {
        let off = out.len() as u32;
        let crc = crc32(data);
        let hdr = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(0x031Eu16.to_le_bytes()); // made by: unix
            }
            h.extend(20u16.to_le_bytes());
            h.extend(flags.to_le_bytes());
            h.extend(0u16.to_le_bytes()); // stored
            h.extend(0u32.to_le_bytes()); // time/date
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend(0u16.to_le_bytes());
                h.extend(0u16.to_le_bytes());
                h.extend(0u16.to_le_bytes());
                h.extend(ext.to_le_bytes());
                h.extend(off.to_le_bytes());
            }
            h.extend(*name);
            h
        };
        out.extend(hdr(0x0403_4b50, false));
        out.extend(*data);
        central.extend(hdr(0x0201_4b50, true));
    }
    let cd_off = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_off.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[test]
fn hostile_packages_are_refused_with_the_reason() {
    let dir = scratch("hostile");
    let file = 0o100644u32 << 16;
    let link = 0o120777u32 << 16;
    let mut bomb = Vec::new();
    {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut bomb));
        w.start_file(
            "manifest.json",
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated),
        )
        .expect("start");
        w.write_all(&vec![b'0'; 64 * 1024 * 1024]).expect("write");
        w.finish().expect("finish");
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "traversal",
            raw_zip(&[(b"../../evil.txt", b"x", file, 0)]),
            "escape",
        ),
        (
            "absolute",
            raw_zip(&[(b"/etc/cron.d/x", b"x", file, 0)]),
            "absolute",
        ),
        (
            "symlink",
            raw_zip(&[(b"certs/ca.pem", b"/etc/passwd", link, 0)]),
            "symbolic link",
        ),
        (
            "duplicate",
            raw_zip(&[
                (b"manifest.json", b"{}", file, 0),
                (b"manifest.json", b"{}", file, 0),
            ]),
            "duplicate",
        ),
        (
            "encrypted",
            raw_zip(&[(b"manifest.json", b"{}", file, 1)]),
            "encrypted",
        ),
        ("bomb", bomb, "zip bomb"),
        (
            "notzip",
            b"this is not a zip file".to_vec(),
            "not a valid zip",
        ),
        (
            "backslash",
            raw_zip(&[(b"..\\evil.txt", b"x", file, 0)]),
            "bad separator",
        ),
    ];
    for (name, bytes, needle) in cases {
        let p = dir.join(format!("{name}.zip"));
        std::fs::write(&p, &bytes).expect("write");
        let r = run(&["--lang", "en", "verify", s(&p)]);
        assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains(needle),
            "{name}: expected `{needle}` in\n{}",
            r.stdout
        );
        // Nothing was written anywhere near the archive.
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(
            !names.iter().any(|n| n.to_string_lossy().contains("evil")),
            "{names:?}"
        );
    }
}

#[test]
fn a_signed_report_on_its_own_verifies_and_fails_after_one_byte() {
    let f = fixture();
    let pdf = f.root.join("report-signed.pdf");
    let r = run_pw(&[
        "report",
        s(&f.project),
        "--out",
        s(&pdf),
        "--identity",
        s(&f.idir.join("signer.p12")),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let ca = f.idir.join("ca.pem");
    assert_eq!(run(&["verify", s(&pdf), "--trust", s(&ca)]).code, 0);
    let mut b = std::fs::read(&pdf).expect("read");
    let i = b.len() / 2;
    b[i] ^= 0x20;
    let bad = f.root.join("report-tampered.pdf");
    std::fs::write(&bad, b).expect("write");
    let r = run(&["--lang", "en", "verify", s(&bad), "--trust", s(&ca)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let (_, out) = tool("pdfsig", &[s(&bad)], &f.root);
    assert!(!out.contains("Signature is Valid"), "{out}");
}

#[test]
fn wrong_password_is_a_clear_error() {
    let f = fixture();
    let out = bin()
        .args([
            "package",
            "export",
            s(&f.project),
            "--out",
            s(&f.root.join("x.zip")),
            "--identity",
            s(&f.idir.join("signer.p12")),
        ])
        .env("IOVAUDIT_PASSWORD", "wrong password")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("signer.p12"), "{err}");
    let leftovers: Vec<_> = std::fs::read_dir(&f.root)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("x.zip") || n.contains(".x.zip."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_re_hashed_manifest_without_a_valid_signature_is_caught() {
    // Change a file, put its new hashes into manifest.json and SHA256SUMS, drop the SM2
    // signature: the CMS signature no longer matches the manifest and must fail.
    let f = fixture();
    let ca = f.idir.join("ca.pem");
    let mut e = entries(&f.package);
    let new_json = b"{\"forged\": true}\n".to_vec();
    let (old_sha, new_sha) = {
        let r = e
            .iter_mut()
            .find(|(n, _)| n == "results.json")
            .expect("results.json");
        let old = sha256(&r.1);
        r.1 = new_json.clone();
        (old, sha256(&new_json))
    };
    let old_sm3 = {
        let m = e
            .iter()
            .find(|(n, _)| n == "manifest.json")
            .expect("manifest");
        let v: serde_json::Value = serde_json::from_slice(&m.1).expect("json");
        v["files"]
            .as_array()
            .expect("files")
            .iter()
            .find(|x| x["path"] == "results.json")
            .expect("listed")["sm3"]
            .as_str()
            .expect("sm3")
            .to_string()
    };
    for (n, b) in e.iter_mut() {
        if n == "manifest.json" || n == "SHA256SUMS" {
            let t = String::from_utf8_lossy(b)
                .replace(&old_sha, &new_sha)
                .replace(&old_sm3, &sm3(&new_json));
            let t = regex_size(&t, new_json.len());
            *b = t.into_bytes();
        }
    }
    e.retain(|(n, _)| n != "manifest.json.sm2.sig");
    let out = f.root.join("forged.zip");
    rezip(&e, &out);
    let r = run(&["--lang", "en", "verify", s(&out), "--trust", s(&ca)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("manifest.json was changed after signing"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("manifest.json.sm2.sig is missing"),
        "{}",
        r.stdout
    );
}

fn sha256(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn sm3(b: &[u8]) -> String {
    use sha2::Digest;
    sm3::Sm3::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// Sets the size of results.json in a manifest text (after its path line).
fn regex_size(t: &str, size: usize) -> String {
    let mut out = String::new();
    let mut after = false;
    for line in t.lines() {
        if line.contains("\"path\": \"results.json\"") {
            after = true;
        } else if after && line.trim_start().starts_with("\"size\"") {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}\"size\": {size},\n"));
            after = false;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !t.ends_with('\n') {
        out.pop();
    }
    out
}

#[test]
fn directory_entries_with_data_and_many_small_bombs_are_refused() {
    let dir = scratch("hostile2");
    let dir_with_data = raw_zip(&[(b"payload/", b"hidden bytes", 0o040755u32 << 16, 0)]);
    let p = dir.join("dirdata.zip");
    std::fs::write(&p, dir_with_data).expect("write");
    let r = run(&["--lang", "en", "verify", s(&p)]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("carries data"), "{}", r.stdout);

    let mut bomb = Vec::new();
    {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut bomb));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for i in 0..200 {
            w.start_file(format!("evidence/{i:064x}"), o)
                .expect("start");
            w.write_all(&vec![0u8; 1024 * 1024]).expect("write");
        }
        w.finish().expect("finish");
    }
    let p = dir.join("many.zip");
    std::fs::write(&p, &bomb).expect("write");
    let r = run(&["--lang", "en", "verify", s(&p)]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("zip bomb"), "{}", r.stdout);
}

#[test]
fn template_names_and_folders() {
    let f = fixture();
    let out = f.root.join("named.pdf");
    let r = run(&[
        "report",
        s(&f.project),
        "--out",
        s(&out),
        "--template",
        "default",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&[
        "report",
        s(&f.project),
        "--out",
        s(&out),
        "--template",
        "no-such-template",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("找不到报告模板 `no-such-template`"),
        "{}",
        r.stderr
    );
}

/// An approved project keeps the checklists it was assessed against: with a
/// library whose packs have changed, its package is byte-identical, and
/// `status` names the difference.
#[test]
fn an_approved_project_exports_the_same_after_the_library_changes() {
    let f = fixture();
    let lib = f.root.join("changed-library");
    let _ = std::fs::remove_dir_all(&lib);
    copy_tree(&common::repo().join("checklists"), &lib);
    let mut changed = 0;
    for name in ["gb44495.toml", "n134.toml"] {
        let p = lib.join(name);
        let text = std::fs::read_to_string(&p).expect("pack");
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("version"))
            .expect("version line")
            .to_string();
        let new = text.replacen(&line, "version = \"2099.1\"", 1).replacen(
            "text = { zh = \"",
            "text = { zh = \"（已修订）",
            1,
        );
        assert_ne!(new, text);
        std::fs::write(&p, new).expect("write");
        changed += 1;
    }
    assert_eq!(changed, 2);
    let again = f.root.join("other-library.zip");
    let r = run_pw(&[
        "--checklists",
        s(&lib),
        "package",
        "export",
        s(&f.project),
        "--out",
        s(&again),
        "--identity",
        s(&f.idir.join("signer.p12")),
        "--with-evidence",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::read(&again).expect("a") == std::fs::read(&f.package).expect("b"),
        "a changed library changed the approved project's package"
    );
    let st = run(&[
        "--checklists",
        s(&lib),
        "--lang",
        "en",
        "status",
        s(&f.project),
    ]);
    assert_eq!(st.code, 0, "{}", st.stderr);
    assert!(
        st.stdout.contains("2099.1") && st.stdout.contains("differs"),
        "{}",
        st.stdout
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read") {
        let e = e.expect("entry");
        let t = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).expect("copy");
        }
    }
}
