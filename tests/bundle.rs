//! Bundles (`bundle export|import|show`): round trip with AES-256-GCM and
//! SM4-GCM, refusal of a wrong password, truncation and a flipped byte with
//! nothing written, the SM4-GCM vector of RFC 8998, and Python's
//! `cryptography` (Argon2id + AES-GCM / SM4-GCM) decrypting a whole bundle
//! written by us — the format is standard STREAM, nothing home-made.

mod common;

use common::{bin, repo, scratch, Run};
use std::path::{Path, PathBuf};

const PW: &str = "correct horse 电池 staple";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read fixture") {
        let e = e.expect("entry");
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).expect("copy");
        }
    }
}

fn run_pw(pw: &str, args: &[&str]) -> Run {
    let out = bin()
        .args(args)
        .env("IOVAUDIT_PASSWORD", pw)
        .env("IOVAUDIT_USER", "甲")
        .output()
        .expect("run iovaudit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A project (the committed fixture) with one more evidence file of 300 KiB,
/// so the bundle spans several 64 KiB chunks.
fn project(root: &Path) -> PathBuf {
    let dir = root.join("p.iovaudit");
    copy_dir(
        &repo().join("tests/fixtures/projects/gb44495-2026.1.iovaudit"),
        &dir,
    );
    let big = root.join("big-scan.bin");
    let data: Vec<u8> = (0..300 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&big, data).expect("write");
    let r = run_pw(
        PW,
        &[
            "evidence",
            "add",
            s(&dir),
            s(&big),
            "--requirement",
            "N103-01",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    dir
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn export_show_import_round_trip_both_ciphers() {
    let root = scratch("bundle_round_trip");
    let dir = project(&root);
    for (name, extra) in [("aes", vec![]), ("sm4", vec!["--sm4"])] {
        let file = root.join(format!("{name}.iovbundle"));
        let mut args = vec![
            "bundle",
            "export",
            s(&dir),
            "--out",
            s(&file),
            "--with-evidence",
        ];
        args.extend(extra.iter().copied());
        let r = run_pw(PW, &args);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let r = run_pw(PW, &["bundle", "show", s(&file), "--json"]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        let b = &v["bundle"];
        assert_eq!(
            b["algorithm"],
            if name == "sm4" {
                "sm4-gcm"
            } else {
                "aes256-gcm"
            },
            "{b}"
        );
        let files = b["manifest"]["files"].as_array().expect("files");
        // project.db + three evidence files.
        assert_eq!(files.len(), 4, "{b}");
        let out = root.join(format!("{name}-import.iovaudit"));
        let r = run_pw(PW, &["bundle", "import", s(&file), "--out", s(&out)]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        // Every vault file arrived with the content its name says.
        for f in files {
            let n = f["name"].as_str().expect("name");
            if let Some(rest) = n.strip_prefix("vault/") {
                let got = std::fs::read(out.join("vault").join(rest)).expect("vault file");
                assert_eq!(got.len() as u64, f["size"].as_u64().expect("size"));
                let sha = std::process::Command::new("sha256sum")
                    .arg(out.join("vault").join(rest))
                    .output()
                    .expect("sha256sum");
                let sha = String::from_utf8_lossy(&sha.stdout);
                assert!(sha.starts_with(f["sha256"].as_str().expect("sha")), "{sha}");
            }
        }
        // The imported copy is a working project: its verdicts, and a journal that verifies.
        let st = run_pw(PW, &["status", s(&out), "--json"]);
        assert_eq!(st.code, 0, "{}", st.stderr);
        let st: serde_json::Value = serde_json::from_str(&st.stdout).expect("json");
        assert_eq!(st["journal"]["intact"], true, "{st}");
        let r = run_pw(PW, &["evidence", "verify", s(&out)]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        // Same project uuid on both sides (the merge relies on it).
        let uuid = |d: &Path| -> String {
            rusqlite::Connection::open(d.join("project.db"))
                .expect("db")
                .query_row("SELECT uuid FROM project", [], |r| r.get(0))
                .expect("uuid")
        };
        assert_eq!(uuid(&dir), uuid(&out));
        // The output exists now: a second import is refused.
        let r = run_pw(PW, &["bundle", "import", s(&file), "--out", s(&out)]);
        assert_ne!(r.code, 0);
    }
}

#[test]
fn wrong_password_truncation_and_flipped_bytes_are_refused_with_nothing_written() {
    let root = scratch("bundle_tamper");
    let dir = project(&root);
    let file = root.join("b.iovbundle");
    let r = run_pw(
        PW,
        &[
            "bundle",
            "export",
            s(&dir),
            "--out",
            s(&file),
            "--with-evidence",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let good = std::fs::read(&file).expect("read");
    assert!(good.len() > 4 * 65_552, "several chunks: {}", good.len());
    let work = root.join("work");
    std::fs::create_dir_all(&work).expect("work");
    let before = listing(&work);
    let out = work.join("imported.iovaudit");
    let attempt = |bytes: &[u8], pw: &str, expect: &str| {
        let bad = root.join("bad.iovbundle");
        std::fs::write(&bad, bytes).expect("write");
        let r = run_pw(
            pw,
            &[
                "--lang",
                "en",
                "bundle",
                "import",
                s(&bad),
                "--out",
                s(&out),
            ],
        );
        assert_ne!(r.code, 0, "accepted: {expect}");
        assert!(
            r.stderr.contains(expect) && r.stderr.contains("bad.iovbundle"),
            "{expect}: {}",
            r.stderr
        );
        assert!(!out.exists(), "{expect}: output written");
        assert_eq!(listing(&work), before, "{expect}: something left behind");
        let r = run_pw(pw, &["bundle", "show", s(&bad)]);
        assert_ne!(r.code, 0);
        assert!(r.stderr.contains("错误"), "{}", r.stderr);
    };
    attempt(&good, "wrong password", "wrong password");
    // Truncation: inside the header, inside a chunk, at a chunk boundary, one byte short.
    let first = 49 + 32;
    let ct = 65_536 + 16;
    for cut in [20, first + 100, first + 2 * ct, good.len() - 1] {
        attempt(&good[..cut], PW, if cut == 20 { "truncated" } else { "" });
    }
    attempt(&good[..first + 2 * ct], PW, "truncated");
    // One flipped bit anywhere: header, MAC, first, middle and last chunk.
    for pos in [
        9,
        12,
        30,
        60,
        first + 5,
        first + ct + 100,
        good.len() / 2,
        good.len() - 1,
    ] {
        let mut b = good.clone();
        b[pos] ^= 0x01;
        attempt(&b, PW, "");
    }
    // Appended garbage.
    let mut b = good.clone();
    b.extend_from_slice(b"extra");
    attempt(&b, PW, "");
    // Two chunks swapped.
    let mut b = good.clone();
    let (c1, c2) = (first..first + ct, first + ct..first + 2 * ct);
    let tmp = b[c1.clone()].to_vec();
    b.copy_within(c2.clone(), c1.start);
    b[c2].copy_from_slice(&tmp);
    attempt(&b, PW, "damaged");
    // And the good one still imports.
    let r = run_pw(PW, &["bundle", "import", s(&file), "--out", s(&out)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// RFC 8998, Appendix A.1 (SM4-GCM).
#[test]
fn sm4_gcm_matches_the_rfc_8998_vector() {
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    };
    let key: [u8; 16] = hex("0123456789ABCDEFFEDCBA9876543210")
        .try_into()
        .expect("key");
    let iv: [u8; 12] = hex("00001234567800000000ABCD").try_into().expect("iv");
    let aad = hex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
    let pt = hex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA");
    let want = hex("17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D83DE3541E4C2B58177E065A9BF7B62EC");
    assert_eq!(
        iovaudit::bundle::crypto::sm4_gcm_seal(&key, &iv, &aad, &pt),
        want
    );
}

/// Python's `cryptography` (OpenSSL) derives the key with Argon2id, checks
/// the header MAC, decrypts every chunk with AES-256-GCM (and SM4-GCM) using
/// the STREAM nonces, parses the entries and checks project.db's SHA-256
/// against the manifest.
#[test]
fn python_cryptography_decrypts_our_bundles() {
    let root = scratch("bundle_python");
    let dir = project(&root);
    let script = r#"
import sys, json, hashlib, hmac, struct
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
path, pw = sys.argv[1], sys.argv[2].encode()
data = open(path, 'rb').read()
h = data[:49]; mac = data[49:81]
assert h[:8] == b'IOVBNDL\x01'
cipher, kdf = h[8], h[9]
m, t, p = struct.unpack('>III', h[10:22])
salt, prefix = h[22:38], h[38:45]
chunk = struct.unpack('>I', h[45:49])[0]
okm = Argon2id(salt=salt, length=64, iterations=t, lanes=p, memory_cost=m).derive(pw)
key, mkey = okm[:32], okm[32:]
assert hmac.compare_digest(hmac.new(mkey, h, hashlib.sha256).digest(), mac), 'header MAC'
aad = h + mac
body = data[81:]
size = chunk + 16
chunks = [body[i:i+size] for i in range(0, len(body), size)]
plain = b''
for i, c in enumerate(chunks):
    nonce = prefix + struct.pack('>I', i) + bytes([1 if i == len(chunks) - 1 else 0])
    if cipher == 1:
        plain += AESGCM(key).decrypt(nonce, c, aad)
    else:
        d = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, c[-16:])).decryptor()
        d.authenticate_additional_data(aad)
        plain += d.update(c[:-16]) + d.finalize()
pos = 0; files = {}
while True:
    tag = plain[pos:pos+1]; pos += 1
    if tag == b'F':
        n = struct.unpack('>H', plain[pos:pos+2])[0]; pos += 2
        name = plain[pos:pos+n].decode(); pos += n
        sz = struct.unpack('>Q', plain[pos:pos+8])[0]; pos += 8
        files[name] = hashlib.sha256(plain[pos:pos+sz]).hexdigest(); pos += sz
    elif tag == b'M':
        n = struct.unpack('>I', plain[pos:pos+4])[0]; pos += 4
        man = json.loads(plain[pos:pos+n]); pos += n
        assert plain[pos:] == b'Z'
        break
    else:
        raise SystemExit('bad tag')
for f in man['files']:
    assert files[f['name']] == f['sha256'], f['name']
print(json.dumps({'chunks': len(chunks), 'files': len(files), 'db': files['project.db']}))
"#;
    for (name, extra) in [("aes", None), ("sm4", Some("--sm4"))] {
        let file = root.join(format!("{name}.iovbundle"));
        let mut args = vec![
            "bundle",
            "export",
            s(&dir),
            "--out",
            s(&file),
            "--with-evidence",
        ];
        args.extend(extra);
        let r = run_pw(PW, &args);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let out = std::process::Command::new("python3")
            .args(["-c", script, s(&file), PW])
            .output()
            .expect("python3 (installed by scripts/setup.sh)");
        assert!(
            out.status.success(),
            "{name}: python could not decrypt: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert!(v["chunks"].as_u64().expect("chunks") >= 5, "{v}");
        assert_eq!(v["files"], 4, "{v}");
    }
}

#[test]
fn password_from_stdin_and_a_partial_bundle_for_an_assessor() {
    let root = scratch("bundle_partial");
    let dir = project(&root);
    let r = run_pw(PW, &["assign", s(&dir), "乙", "N103-01", "N103-02"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let file = root.join("for-yi.iovbundle");
    let mut child = bin()
        .args([
            "bundle",
            "export",
            s(&dir),
            "--out",
            s(&file),
            "--for",
            "乙",
            "--with-evidence",
            "--password-stdin",
            "--by",
            "甲",
        ])
        .env_remove("IOVAUDIT_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"pipe-pw\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = run_pw("pipe-pw", &["bundle", "show", s(&file), "--json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let m = &v["bundle"]["manifest"];
    assert_eq!(m["part"]["assignee"], "乙");
    assert_eq!(
        m["part"]["requirements"],
        serde_json::json!(["N103-01", "N103-02"])
    );
    // Only the evidence linked to the part: the big file (N103-01) and what the fixture links there.
    let names: Vec<&str> = m["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(names.contains(&"project.db"));
    assert!(names.len() < 4, "{names:?}");
    // Nothing assigned to 丙: refused, in English with --lang en.
    let r = run_pw(
        PW,
        &[
            "--lang",
            "en",
            "bundle",
            "export",
            s(&dir),
            "--out",
            s(&root.join("x.iovbundle")),
            "--for",
            "丙",
        ],
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("nothing is assigned to 丙"),
        "{}",
        r.stderr
    );
    assert!(!root.join("x.iovbundle").exists());
}
