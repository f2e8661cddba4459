//! PKCS#12 files as other tools write them, made in the test by those tools:
//! `openssl pkcs12 -export` (OpenSSL 3: `-legacy` with 3DES/RC2 and a SHA-1
//! MAC, the empty password, `-keypbe NONE -certpbe NONE -nomac`) and Python
//! `cryptography` + `asn1crypto` (one file holding two keys; no maintained
//! tool writes one directly). Each imports, and signs a report that pdfsig and
//! pyHanko accept; the chain comes in any order; errors name the file in zh and
//! en.
//!
//! Needs: openssl, poppler-utils (pdfsig), pyHanko, python3 with cryptography
//! and asn1crypto (`scripts/setup.sh` installs them). A missing tool fails.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use common::scratch;

const INSTALL: &str =
    "run scripts/setup.sh (openssl, poppler-utils, pyHanko, python3 cryptography + asn1crypto)";

struct Out {
    ok: bool,
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

fn tool(program: &str, args: &[&str]) -> Out {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{program}` ({e}); {INSTALL}"));
    Out {
        ok: out.status.success(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs iovaudit with the password on standard input (`--password-stdin`
/// style: an empty line is the empty password).
fn iov(password: &str, args: &[&str]) -> Out {
    let mut child = common::bin()
        .env_remove("IOVAUDIT_PASSWORD")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run iovaudit");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = writeln!(stdin, "{password}");
    }
    let out = child.wait_with_output().expect("iovaudit output");
    Out {
        ok: out.status.success(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// A root CA, an intermediate, and a leaf issued by the intermediate, made
/// with `openssl`; plus the demo project to sign reports of.
struct Pki {
    dir: PathBuf,
    root: PathBuf,
    int: PathBuf,
    leaf: PathBuf,
    leaf_key: PathBuf,
    leaf_sha256: String,
    project: PathBuf,
}

fn openssl(args: &[&str]) {
    let o = tool("openssl", args);
    assert!(o.ok, "openssl {args:?}: {}", o.text());
}

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        let dir = scratch("p12-interop");
        let f = |n: &str| dir.join(n);
        fs::write(
            f("ca.ext"),
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
        )
        .unwrap();
        fs::write(
            f("leaf.ext"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
        )
        .unwrap();
        openssl(&[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            "-subj", "/CN=Interop Root CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", p(&f("root.key")), "-out", p(&f("root.pem")),
        ]);
        for (name, subj, ca, cakey, ext, serial) in [
            ("int", "/CN=Interop Intermediate CA", "root", "root", "ca.ext", "2"),
            ("leaf", "/O=互通实验室 Interop Lab/CN=互通签名人 Interop Signer", "int", "int", "leaf.ext", "3"),
        ] {
            openssl(&[
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", subj, "-utf8",
                "-keyout", p(&f(&format!("{name}.key"))), "-out", p(&f(&format!("{name}.csr"))),
            ]);
            openssl(&[
                "x509", "-req", "-days", "30", "-set_serial", serial,
                "-in", p(&f(&format!("{name}.csr"))),
                "-CA", p(&f(&format!("{ca}.pem"))), "-CAkey", p(&f(&format!("{cakey}.key"))),
                "-extfile", p(&f(ext)), "-out", p(&f(&format!("{name}.pem"))),
            ]);
        }
        let fp = tool(
            "openssl",
            &["x509", "-in", p(&f("leaf.pem")), "-noout", "-fingerprint", "-sha256"],
        );
        assert!(fp.ok, "{}", fp.text());
        let leaf_sha256 = fp
            .stdout
            .trim()
            .rsplit('=')
            .next()
            .unwrap()
            .replace(':', "")
            .to_lowercase();
        // The chain as a file, root first (the "wrong" order).
        let chain = [fs::read(f("root.pem")).unwrap(), fs::read(f("int.pem")).unwrap()].concat();
        fs::write(f("chain-root-first.pem"), chain).unwrap();

        let project = dir.join("demo");
        let r = common::run(&["demo", p(&project)]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        Pki {
            root: f("root.pem"),
            int: f("int.pem"),
            leaf: f("leaf.pem"),
            leaf_key: f("leaf.key"),
            leaf_sha256,
            project,
            dir,
        }
    })
}

/// `openssl pkcs12 -export` of the leaf, its key and the chain (root first),
/// with `extra` options; returns the file and what `openssl pkcs12 -info`
/// says about it (the oracle that the fixture is of the intended kind).
fn export(name: &str, password: &str, extra: &[&str]) -> (PathBuf, String) {
    let k = pki();
    let out = k.dir.join(format!("{name}.p12"));
    let _ = fs::remove_file(&out);
    let pass_out = format!("pass:{password}");
    let chain = k.dir.join("chain-root-first.pem");
    let mut args = vec![
        "pkcs12",
        "-export",
        "-inkey",
        p(&k.leaf_key),
        "-in",
        p(&k.leaf),
        "-certfile",
        p(&chain),
        "-name",
        "interop-signer",
        "-out",
        p(&out),
        "-passout",
        &pass_out,
    ];
    args.extend_from_slice(extra);
    openssl(&args);
    let pass_in = format!("pass:{password}");
    let mut info = vec![
        "pkcs12",
        "-info",
        "-nokeys",
        "-in",
        p(&out),
        "-passin",
        &pass_in,
    ];
    if extra.contains(&"-legacy") {
        info.push("-legacy");
    }
    let o = tool("openssl", &info);
    assert!(o.ok, "openssl pkcs12 -info {name}: {}", o.text());
    (out, o.text())
}

/// Checks a signed PDF with pdfsig and pyHanko (trusting the root CA only:
/// the intermediate must travel in the signature).
fn assert_signature_accepted(pdf: &Path, signer_sha256: &str) {
    let k = pki();
    let o = tool("pdfsig", &[p(pdf)]);
    assert!(
        o.text().contains("Signature is Valid.") && o.text().contains("Total document signed"),
        "pdfsig {}: {}",
        pdf.display(),
        o.text()
    );
    let o = tool(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust-replace",
            "--trust",
            p(&k.root),
            p(pdf),
        ],
    );
    assert!(o.ok, "pyhanko {}: {}", pdf.display(), o.text());
    let want = format!(":{signer_sha256}:INTACT:TRUSTED,UNTOUCHED");
    assert!(
        o.text().contains(&want),
        "pyhanko {}: {} (want {want})",
        pdf.display(),
        o.text()
    );
    // Ours agrees.
    let r = common::run(&["--lang", "en", "verify", p(pdf), "--trust", p(&k.root)]);
    assert_eq!(
        r.code,
        0,
        "iovaudit verify {}: {}{}",
        pdf.display(),
        r.stdout,
        r.stderr
    );
}

/// Signs the demo project's report with `p12` via the CLI and checks it.
fn sign_report(p12: &Path, password: &str, name: &str) -> PathBuf {
    let k = pki();
    let out = k.dir.join(format!("{name}.pdf"));
    let r = iov(
        password,
        &[
            "report",
            p(&k.project),
            "--out",
            p(&out),
            "--identity",
            p(p12),
            "--password-stdin",
        ],
    );
    assert!(r.ok, "report signed with {}: {}", p12.display(), r.text());
    assert_signature_accepted(&out, &k.leaf_sha256);
    out
}

#[test]
fn legacy_3des_rc2_sha1_mac_imports_and_signs() {
    let k = pki();
    let (file, info) = export(
        "legacy",
        "旧口令 old-pass",
        &[
            "-legacy",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-certpbe",
            "PBE-SHA1-RC2-40",
            "-macalg",
            "sha1",
        ],
    );
    assert!(info.contains("MAC: sha1"), "{info}");
    assert!(info.contains("pbeWithSHA1And40BitRC2-CBC"), "{info}");
    let o = tool(
        "openssl",
        &[
            "pkcs12",
            "-info",
            "-nocerts",
            "-nodes",
            "-legacy",
            "-in",
            p(&file),
            "-passin",
            "pass:旧口令 old-pass",
        ],
    );
    assert!(
        o.text().contains("pbeWithSHA1And3-KeyTripleDES-CBC"),
        "{}",
        o.text()
    );

    // The identity, its chain put in order (intermediate, then root).
    let r = iov(
        "旧口令 old-pass",
        &[
            "--lang",
            "en",
            "identity",
            "show",
            p(&file),
            "--password-stdin",
        ],
    );
    assert!(r.ok, "{}", r.text());
    assert!(
        r.stdout.contains("CN: 互通签名人 Interop Signer"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("SHA-256: {}", k.leaf_sha256)),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("alias: interop-signer"), "{}", r.stdout);
    assert!(
        r.stdout.contains("chain (besides the signer's): 2"),
        "{}",
        r.stdout
    );
    let id = iovaudit::sign::load_identity(&file, "旧口令 old-pass").expect("legacy p12");
    let chain = id.chain_pem();
    let pem = |f: &Path| fs::read_to_string(f).unwrap().replace("\r\n", "\n");
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0].trim(), pem(&k.int).trim(), "issuer first");
    assert_eq!(chain[1].trim(), pem(&k.root).trim());

    sign_report(&file, "旧口令 old-pass", "legacy");

    // The other legacy ciphers: 2-key 3DES and RC2-128.
    let (other, info) = export(
        "legacy-2des-rc2-128",
        "pw-2",
        &[
            "-legacy",
            "-keypbe",
            "PBE-SHA1-2DES",
            "-certpbe",
            "PBE-SHA1-RC2-128",
            "-macalg",
            "sha1",
        ],
    );
    assert!(info.contains("pbeWithSHA1And128BitRC2-CBC"), "{info}");
    let id = iovaudit::sign::load_identity(&other, "pw-2").expect("2-key 3DES / RC2-128 p12");
    assert_eq!(id.fingerprint_sha256(), k.leaf_sha256);

    // A wrong password names the file, in both languages.
    for (lang, words) in [("en", "wrong password"), ("zh", "密码错误")] {
        let r = iov(
            "nope",
            &[
                "--lang",
                lang,
                "identity",
                "show",
                p(&file),
                "--password-stdin",
            ],
        );
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(
            r.stderr.contains(p(&file)) && r.stderr.contains(words),
            "{lang}: {}",
            r.stderr
        );
    }
}

#[test]
fn empty_password_imports_and_signs() {
    let k = pki();
    // OpenSSL 3 defaults (PBES2/AES, SHA-256 MAC) with an empty password.
    let (file, info) = export("empty-pw", "", &[]);
    assert!(
        info.contains("MAC: sha256") && info.contains("PBES2"),
        "{info}"
    );
    sign_report(&file, "", "empty-pw");
    // The same, legacy.
    let (legacy, info) = export("empty-pw-legacy", "", &["-legacy"]);
    assert!(info.contains("MAC: sha1"), "{info}");
    let id = iovaudit::sign::load_identity(&legacy, "").expect("legacy p12, empty password");
    assert_eq!(id.fingerprint_sha256(), k.leaf_sha256);
    // A non-empty password on an empty-password file is wrong.
    let r = iov(
        "x",
        &[
            "--lang",
            "en",
            "identity",
            "show",
            p(&file),
            "--password-stdin",
        ],
    );
    assert!(
        !r.ok && r.stderr.contains("wrong password") && r.stderr.contains(p(&file)),
        "{}",
        r.text()
    );
}

#[test]
fn unencrypted_key_bag_without_mac_imports_and_signs() {
    let k = pki();
    let (file, info) = export(
        "plain",
        "",
        &["-keypbe", "NONE", "-certpbe", "NONE", "-nomac"],
    );
    assert!(
        !info.contains("MAC:") && !info.contains("Encrypted data"),
        "{info}"
    );
    let o = tool(
        "openssl",
        &[
            "pkcs12",
            "-info",
            "-nocerts",
            "-nodes",
            "-in",
            p(&file),
            "-passin",
            "pass:",
        ],
    );
    assert!(
        o.text().contains("Key bag") && !o.text().contains("Shrouded"),
        "{}",
        o.text()
    );
    sign_report(&file, "", "plain");
    // Unencrypted bags with a password-keyed MAC: the MAC still decides.
    let (with_mac, _) = export(
        "plain-mac",
        "mac-only",
        &["-keypbe", "NONE", "-certpbe", "NONE"],
    );
    let id = iovaudit::sign::load_identity(&with_mac, "mac-only").expect("plain bags + MAC");
    assert_eq!(id.fingerprint_sha256(), k.leaf_sha256);
    assert!(matches!(
        iovaudit::sign::load_identity(&with_mac, "wrong"),
        Err(iovaudit::sign::SignError::BadPassword { .. })
    ));
}

#[test]
fn unsupported_cipher_and_no_key_name_the_file() {
    let (rc4, _) = export(
        "rc4",
        "pw",
        &[
            "-legacy",
            "-keypbe",
            "PBE-SHA1-RC4-128",
            "-certpbe",
            "PBE-SHA1-RC4-128",
        ],
    );
    for (lang, words) in [("en", "unsupported scheme"), ("zh", "加密方式不受支持")] {
        let r = iov(
            "pw",
            &[
                "--lang",
                lang,
                "identity",
                "show",
                p(&rc4),
                "--password-stdin",
            ],
        );
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(
            r.stderr.contains(p(&rc4)) && r.stderr.contains(words) && r.stderr.contains("RC4"),
            "{lang}: {}",
            r.stderr
        );
    }
    let (certs_only, _) = export("certs-only", "pw", &["-nokeys"]);
    for (lang, words) in [("en", "holds no private key"), ("zh", "没有私钥")] {
        let r = iov(
            "pw",
            &[
                "--lang",
                lang,
                "identity",
                "show",
                p(&certs_only),
                "--password-stdin",
            ],
        );
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(
            r.stderr.contains(p(&certs_only)) && r.stderr.contains(words),
            "{lang}: {}",
            r.stderr
        );
    }
}

/// Builds a PKCS#12 holding two keys: Python `cryptography` writes one
/// PKCS#12 per key (PBES2/AES, as it does by default); `asn1crypto` joins
/// their SafeContents (the CA's certificate first, so the chain is out of
/// order) into one authenticated safe with a new HMAC-SHA256 MAC (PKCS#12
/// KDF, RFC 7292 B.2).
const TWO_KEYS_PY: &str = r#"
import sys, hashlib, hmac, os, datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa, ec
from cryptography.hazmat.primitives.serialization import pkcs12
from asn1crypto import pkcs12 as a12, cms as acms, core

out_dir, password = sys.argv[1], sys.argv[2].encode()
now = datetime.datetime.now(datetime.timezone.utc)

def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Two Keys Lab"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])

def cert(subject, key, issuer, issuer_key, ca, serial):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        b = b.add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
    return b.sign(issuer_key, hashes.SHA256())

ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ca = cert(name("Two Keys CA"), ca_key, name("Two Keys CA"), ca_key, True, 1)
alice_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
alice = cert(name("Alice"), alice_key, ca.subject, ca_key, False, 2)
bob_key = ec.generate_private_key(ec.SECP256R1())
bob = cert(name("Bob"), bob_key, ca.subject, ca_key, False, 3)

enc = serialization.BestAvailableEncryption(password)
parts = [
    pkcs12.serialize_key_and_certificates(None, None, None, [ca], enc),
    pkcs12.serialize_key_and_certificates(b"alice", alice_key, alice, None, enc),
    pkcs12.serialize_key_and_certificates(b"bob", bob_key, bob, None, enc),
]
infos = []
for der in parts:
    pfx = a12.Pfx.load(der)
    infos.extend(pfx.authenticated_safe)
auth_safe = a12.AuthenticatedSafe(infos).dump(force=True)

def kdf(pw, salt, ident, iterations, n, h=hashlib.sha256, u=32, v=64):
    def stretch(b):
        return (b * (v * ((len(b) + v - 1) // v) // max(len(b), 1) + 1))[: v * ((len(b) + v - 1) // v)] if b else b""
    D = bytes([ident]) * v
    I = stretch(salt) + stretch(pw)
    out = b""
    while len(out) < n:
        A = h(D + I).digest()
        for _ in range(iterations - 1):
            A = h(A).digest()
        out += A
        B = int.from_bytes((A * (v // u + 1))[:v], "big")
        I = b"".join(((int.from_bytes(I[j:j + v], "big") + B + 1) % (1 << (8 * v))).to_bytes(v, "big")
                     for j in range(0, len(I), v))
    return out[:n]

salt = os.urandom(16)
iterations = 2048
bmp = password.decode().encode("utf-16-be") + b"\x00\x00"
mac_key = kdf(bmp, salt, 3, iterations, 32)
digest = hmac.new(mac_key, auth_safe, hashlib.sha256).digest()
pfx = a12.Pfx({
    "version": 3,
    "auth_safe": {"content_type": "data", "content": core.OctetString(auth_safe)},
    "mac_data": {
        "mac": {"digest_algorithm": {"algorithm": "sha256"}, "digest": digest},
        "mac_salt": salt,
        "iterations": iterations,
    },
})
open(os.path.join(out_dir, "two-keys.p12"), "wb").write(pfx.dump(force=True))
for n, c in (("two-ca.pem", ca), ("alice.pem", alice), ("bob.pem", bob)):
    open(os.path.join(out_dir, n), "wb").write(c.public_bytes(serialization.Encoding.PEM))
for n, c in (("alice", alice), ("bob", bob)):
    print(n, c.fingerprint(hashes.SHA256()).hex(), c.fingerprint(hashes.SHA1()).hex())
"#;

#[test]
fn two_keys_chosen_by_alias_or_fingerprint() {
    let k = pki();
    let dir = scratch("p12-two-keys");
    let script = dir.join("two_keys.py");
    fs::write(&script, TWO_KEYS_PY).unwrap();
    let o = tool("python3", &[p(&script), p(&dir), "两把钥匙 two-keys"]);
    assert!(
        o.ok,
        "python3 (cryptography, asn1crypto): {}; {INSTALL}",
        o.text()
    );
    let fps: Vec<(String, String, String)> = o
        .stdout
        .lines()
        .map(|l| {
            let v: Vec<&str> = l.split_whitespace().collect();
            (v[0].to_string(), v[1].to_string(), v[2].to_string())
        })
        .collect();
    assert_eq!(fps.len(), 2, "{}", o.stdout);
    let (alice_fp, bob_fp, bob_sha1) = (&fps[0].1, &fps[1].1, &fps[1].2);
    let file = dir.join("two-keys.p12");

    // OpenSSL, the oracle, reads it: MAC good, two keys, three certificates.
    let o = tool(
        "openssl",
        &[
            "pkcs12",
            "-info",
            "-nodes",
            "-in",
            p(&file),
            "-passin",
            "pass:两把钥匙 two-keys",
        ],
    );
    assert!(o.ok, "openssl pkcs12 -info: {}", o.text());
    assert_eq!(
        o.text().matches("BEGIN PRIVATE KEY").count(),
        2,
        "{}",
        o.text()
    );
    assert_eq!(
        o.text().matches("BEGIN CERTIFICATE").count(),
        3,
        "{}",
        o.text()
    );

    // `identity show` lists both.
    let pw = "两把钥匙 two-keys";
    let r = iov(
        pw,
        &[
            "--lang",
            "en",
            "identity",
            "show",
            p(&file),
            "--password-stdin",
        ],
    );
    assert!(r.ok, "{}", r.text());
    for want in [
        "2 keys",
        "alias: alice",
        "alias: bob",
        "CN: Alice",
        "CN: Bob",
        "RSA-2048",
        "ECDSA P-256",
    ] {
        assert!(r.stdout.contains(want), "lacks {want:?}: {}", r.stdout);
    }
    assert!(
        r.stdout.contains(alice_fp.as_str()) && r.stdout.contains(bob_fp.as_str()),
        "{}",
        r.stdout
    );
    let r = iov(pw, &["identity", "show", p(&file), "--password-stdin"]);
    assert!(
        r.ok && r.stdout.contains("2 个密钥") && r.stdout.contains("别名：bob"),
        "{}",
        r.stdout
    );

    // By alias, by SHA-256 prefix with colons, by SHA-1.
    let colon_prefix: String = bob_fp.as_bytes()[..12]
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).to_uppercase())
        .collect::<Vec<_>>()
        .join(":");
    for sel in ["bob", colon_prefix.as_str(), bob_sha1.as_str()] {
        let r = iov(
            pw,
            &[
                "--lang",
                "en",
                "identity",
                "show",
                p(&file),
                "--key-alias",
                sel,
                "--password-stdin",
            ],
        );
        assert!(r.ok, "{sel}: {}", r.text());
        assert!(
            r.stdout.contains("CN: Bob") && r.stdout.contains(bob_fp.as_str()),
            "{sel}: {}",
            r.stdout
        );
        assert!(
            r.stdout.contains("chain (besides the signer's): 1"),
            "{sel}: {}",
            r.stdout
        );
    }
    let alice = iovaudit::sign::load_identity_with(&file, pw, Some("alice")).expect("alice");
    assert_eq!(&alice.fingerprint_sha256(), alice_fp);
    assert_eq!(
        alice.chain_pem().len(),
        1,
        "the CA only, not Bob's certificate"
    );
    let keys = iovaudit::sign::list_keys(&file, pw).expect("list");
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|k| k.problem.is_none()), "{keys:#?}");

    // Without a choice, or a wrong one: an error naming the file and the keys, zh and en.
    let out = dir.join("ambiguous.pdf");
    for (lang, words) in [("en", "holds 2 keys"), ("zh", "文件中有 2 个密钥")] {
        let r = iov(
            pw,
            &[
                "--lang",
                lang,
                "report",
                p(&k.project),
                "--out",
                p(&out),
                "--identity",
                p(&file),
                "--password-stdin",
            ],
        );
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(
            r.stderr.contains(p(&file)) && r.stderr.contains(words),
            "{lang}: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains("\"alice\"") && r.stderr.contains("\"bob\""),
            "{lang}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("--key-alias"), "{lang}: {}", r.stderr);
        assert!(!out.exists());
    }
    for (lang, words) in [("en", "no key named"), ("zh", "没有别名或证书指纹为")] {
        let r = iov(
            pw,
            &[
                "--lang",
                lang,
                "identity",
                "show",
                p(&file),
                "--key-alias",
                "carol",
                "--password-stdin",
            ],
        );
        assert_eq!(r.code, 1, "{}", r.text());
        assert!(
            r.stderr.contains(p(&file)) && r.stderr.contains(words) && r.stderr.contains("carol"),
            "{lang}: {}",
            r.stderr
        );
    }

    // Bob (P-256) signs the filing package's report; pdfsig and pyHanko accept it.
    let zip_path = dir.join("filing.zip");
    let r = iov(
        pw,
        &[
            "package",
            "export",
            p(&k.project),
            "--out",
            p(&zip_path),
            "--identity",
            p(&file),
            "--key-alias",
            "bob",
            "--password-stdin",
        ],
    );
    assert!(r.ok, "{}", r.text());
    let mut zip = zip::ZipArchive::new(fs::File::open(&zip_path).unwrap()).unwrap();
    let mut pdf = Vec::new();
    zip.by_name("report.pdf")
        .expect("report.pdf in the package")
        .read_to_end(&mut pdf)
        .unwrap();
    let report = dir.join("bob-report.pdf");
    fs::write(&report, &pdf).unwrap();
    let o = tool("pdfsig", &[p(&report)]);
    assert!(
        o.text().contains("Signature is Valid.") && o.text().contains("CN=Bob"),
        "pdfsig: {}",
        o.text()
    );
    let o = tool(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust-replace",
            "--trust",
            p(&dir.join("two-ca.pem")),
            p(&report),
        ],
    );
    assert!(
        o.ok && o
            .text()
            .contains(&format!(":{bob_fp}:INTACT:TRUSTED,UNTOUCHED")),
        "pyhanko: {}",
        o.text()
    );
}

/// Python `cryptography` as .NET/Windows-era tools write PKCS#12:
/// pbeWithSHAAnd3-KeyTripleDES-CBC for key and certificates, HMAC-SHA1 MAC.
const CRYPTOGRAPHY_3DES_PY: &str = r#"
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12, PrivateFormat
from cryptography import x509
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
cert = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
cas = [x509.load_pem_x509_certificate(open(p, "rb").read()) for p in sys.argv[3:5]]
enc = (PrivateFormat.PKCS12.encryption_builder().kdf_rounds(50000)
       .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
       .hmac_hash(hashes.SHA1()).build(sys.argv[6].encode()))
open(sys.argv[5], "wb").write(pkcs12.serialize_key_and_certificates(b"py-3des", key, cert, cas, enc))
"#;

#[test]
fn python_cryptography_3des_sha1_imports() {
    let k = pki();
    let script = k.dir.join("crypto_3des.py");
    fs::write(&script, CRYPTOGRAPHY_3DES_PY).unwrap();
    let out = k.dir.join("py-3des.p12");
    let o = tool(
        "python3",
        &[
            p(&script),
            p(&k.leaf_key),
            p(&k.leaf),
            p(&k.root),
            p(&k.int),
            p(&out),
            "py-pass",
        ],
    );
    assert!(o.ok, "python3 cryptography: {}; {INSTALL}", o.text());
    let o = tool(
        "openssl",
        &[
            "pkcs12",
            "-info",
            "-nokeys",
            "-legacy",
            "-in",
            p(&out),
            "-passin",
            "pass:py-pass",
        ],
    );
    assert!(
        o.ok && o.text().contains("MAC: sha1")
            && o.text().contains("pbeWithSHA1And3-KeyTripleDES-CBC"),
        "{}",
        o.text()
    );
    let r = iov(
        "py-pass",
        &[
            "--lang",
            "en",
            "identity",
            "show",
            p(&out),
            "--password-stdin",
        ],
    );
    assert!(r.ok, "{}", r.text());
    assert!(r.stdout.contains("alias: py-3des"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("SHA-256: {}", k.leaf_sha256)),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("chain (besides the signer's): 2"),
        "{}",
        r.stdout
    );
}
