//! SM2 certificate chains made by OpenSSL 3 (`-sm3 -sigopt
//! distid:1234567812345678`, as GM/T 0015 CAs issue them): our chain
//! verification agrees with `openssl verify -vfyopt distid:…` on SM2 roots,
//! intermediates and leaves; SM2 roots anchor RSA signing certificates; and
//! SM2 identities (key + chain) made elsewhere import and sign, checked by
//! `openssl dgst -sm3`. A missing openssl fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::SystemTime;

use iovaudit::sign;

const ID: &str = "distid:1234567812345678";
const PW: &str = "import-pass-123";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Runs openssl in `dir`; returns (success, stdout + stderr).
fn openssl_try(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("openssl must be installed (apt-get install -y openssl): {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn openssl(dir: &Path, args: &[&str]) -> String {
    let (ok, text) = openssl_try(dir, args);
    assert!(ok, "openssl {} failed: {text}", args.join(" "));
    text
}

fn der_of(dir: &Path, pem: &str) -> Vec<u8> {
    sign::pem_to_der_certs(&std::fs::read_to_string(dir.join(pem)).expect("read pem"))
        .expect("pem")
        .remove(0)
}

struct Pki {
    dir: PathBuf,
}

const CA_EXT: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";
const LEAF_EXT: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";

/// Issues `name` (key `name.key`, certificate `name.pem`) by `ca` with SM3
/// and the given user ID; `rsa` makes an RSA-2048 subject key instead of SM2.
fn issue(dir: &Path, name: &str, subject: &str, ca: &str, ext: &str, distid: &str, rsa: bool) {
    let (key, csr, pem, extf) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
        format!("{name}.ext"),
    );
    let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
    if rsa {
        openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                &key,
            ],
        );
    } else {
        openssl(dir, &["genpkey", "-algorithm", "SM2", "-out", &key]);
    }
    let mut req = vec!["req", "-new", "-key", &key, "-subj", subject, "-out", &csr];
    if !rsa {
        req.extend(["-sm3", "-sigopt", ID]);
    }
    openssl(dir, &req);
    std::fs::write(dir.join(&extf), ext).expect("ext");
    let mut x = vec![
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca_pem,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-days",
        "30",
        "-sm3",
        "-sigopt",
        distid,
        "-extfile",
        &extf,
        "-out",
        &pem,
    ];
    if !rsa {
        x.extend(["-vfyopt", ID]);
    }
    openssl(dir, &x);
}

/// An SM2 root CA, an SM2 intermediate CA under it, an SM2 leaf under the
/// intermediate, an SM2 leaf directly under the root, a leaf signed with
/// another user ID, and an RSA signer under the SM2 root.
fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        let dir = common::scratch("sm2_chain");
        let d = &dir;
        openssl(d, &["genpkey", "-algorithm", "SM2", "-out", "root.key"]);
        std::fs::write(d.join("root.ext"), CA_EXT).expect("ext");
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "root.key",
                "-sm3",
                "-sigopt",
                ID,
                "-subj",
                "/C=CN/O=SM2 Test CA Org/CN=SM2 Test Root CA",
                "-days",
                "60",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
                "-out",
                "root.pem",
            ],
        );
        issue(
            d,
            "inter",
            "/C=CN/O=SM2 Test CA Org/CN=SM2 Test Issuing CA",
            "root",
            CA_EXT,
            ID,
            false,
        );
        issue(
            d,
            "leaf",
            "/C=CN/O=示例测评中心/CN=SM2 签名人",
            "inter",
            LEAF_EXT,
            ID,
            false,
        );
        issue(
            d,
            "direct",
            "/C=CN/O=示例测评中心/CN=SM2 Direct",
            "root",
            LEAF_EXT,
            ID,
            false,
        );
        issue(
            d,
            "otherid",
            "/C=CN/O=示例测评中心/CN=SM2 Other ID",
            "root",
            LEAF_EXT,
            "distid:31323334",
            false,
        );
        issue(
            d,
            "rsaleaf",
            "/C=CN/O=示例测评中心/CN=RSA under SM2 root",
            "root",
            LEAF_EXT,
            ID,
            true,
        );
        Pki { dir }
    })
}

#[test]
fn sm2_chains_made_by_openssl_verify_as_openssl_says() {
    let p = pki();
    let d = &p.dir;
    let now = SystemTime::now();
    let root = der_of(d, "root.pem");
    let inter = der_of(d, "inter.pem");

    // root → intermediate → leaf: every link is SM2-with-SM3.
    let r = sign::verify_certificate_chain(
        &der_of(d, "leaf.pem"),
        std::slice::from_ref(&inter),
        std::slice::from_ref(&root),
        now,
    )
    .expect("chain");
    assert!(r.trusted, "{r:?}");
    assert_eq!(r.path.len(), 3, "{r:?}");
    assert!(r.path[2].contains("SM2 Test Root CA"), "{r:?}");
    // OpenSSL's CLI applies -vfyopt to the certificate checked only, so it
    // checks an SM2 chain one link at a time.
    let out = openssl(
        d,
        &["verify", "-CAfile", "root.pem", "-vfyopt", ID, "inter.pem"],
    );
    assert!(out.contains("inter.pem: OK"), "{out}");
    let out = openssl(
        d,
        &[
            "verify",
            "-partial_chain",
            "-CAfile",
            "inter.pem",
            "-vfyopt",
            ID,
            "leaf.pem",
        ],
    );
    assert!(out.contains("leaf.pem: OK"), "{out}");

    // CA → leaf, the root as the trust anchor.
    let r = sign::verify_certificate_chain(
        &der_of(d, "direct.pem"),
        &[],
        std::slice::from_ref(&root),
        now,
    )
    .expect("chain");
    assert!(r.trusted, "{r:?}");
    let out = openssl(
        d,
        &["verify", "-CAfile", "root.pem", "-vfyopt", ID, "direct.pem"],
    );
    assert!(out.contains("direct.pem: OK"), "{out}");

    // The intermediate as the anchor.
    let r = sign::verify_certificate_chain(
        &der_of(d, "leaf.pem"),
        &[],
        std::slice::from_ref(&inter),
        now,
    )
    .expect("chain");
    assert!(r.trusted, "{r:?}");

    // A self-signed SM2 root is its own anchor.
    let r = sign::verify_certificate_chain(&root, &[], std::slice::from_ref(&root), now)
        .expect("chain");
    assert!(r.trusted, "{r:?}");

    // Without the intermediate, no chain.
    let r = sign::verify_certificate_chain(
        &der_of(d, "leaf.pem"),
        &[],
        std::slice::from_ref(&root),
        now,
    )
    .expect("chain");
    assert!(!r.trusted);
    assert!(
        r.problems
            .iter()
            .any(|t| t.en.contains("SM2 Test Issuing CA")),
        "{r:?}"
    );
    let (ok, _) = openssl_try(
        d,
        &["verify", "-CAfile", "root.pem", "-vfyopt", ID, "leaf.pem"],
    );
    assert!(!ok);
}

#[test]
fn the_default_user_id_is_the_one_checked_and_tampering_is_caught() {
    let p = pki();
    let d = &p.dir;
    let now = SystemTime::now();
    let root = der_of(d, "root.pem");
    // Signed with user ID "1234": both openssl (default ID) and we refuse it.
    let r = sign::verify_certificate_chain(
        &der_of(d, "otherid.pem"),
        &[],
        std::slice::from_ref(&root),
        now,
    )
    .expect("chain");
    assert!(!r.trusted, "{r:?}");
    let (ok, out) = openssl_try(
        d,
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-vfyopt",
            ID,
            "otherid.pem",
        ],
    );
    assert!(!ok, "{out}");
    let out = openssl(
        d,
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-vfyopt",
            "distid:31323334",
            "otherid.pem",
        ],
    );
    assert!(out.contains("OK"), "{out}");

    // One bit of the leaf's signature flipped.
    let mut leaf = der_of(d, "direct.pem");
    let last = leaf.len() - 5;
    leaf[last] ^= 0x01;
    let r = sign::verify_certificate_chain(&leaf, &[], std::slice::from_ref(&root), now)
        .expect("chain");
    assert!(!r.trusted, "{r:?}");
    // A certificate that is not DER is an error, not a panic.
    assert!(sign::verify_certificate_chain(b"not a cert", &[], &[root], now).is_err());
}

#[test]
fn an_sm2_root_anchors_an_rsa_signer_imported_with_its_chain() {
    let p = pki();
    let d = &p.dir;
    let chain = format!(
        "{}{}",
        std::fs::read_to_string(d.join("root.pem")).expect("root"),
        std::fs::read_to_string(d.join("rsaleaf.pem")).expect("leaf")
    );
    std::fs::write(d.join("rsaleaf-chain.pem"), chain).expect("write");
    let p12 = d.join("rsa-under-sm2.p12");
    let _ = std::fs::remove_file(&p12);
    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "import",
        "--key",
        s(&d.join("rsaleaf.key")),
        "--cert",
        s(&d.join("rsaleaf-chain.pem")),
        "--out",
        s(&p12),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("every link checked): 1"), "{}", r.stdout);
    // OpenSSL reads the PKCS#12 we wrote: key and both certificates.
    let (ok, out) = openssl_try(
        d,
        &[
            "pkcs12",
            "-in",
            s(&p12),
            "-passin",
            &format!("pass:{PW}"),
            "-nodes",
            "-info",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("RSA under SM2 root") && out.contains("SM2 Test Root CA"),
        "{out}"
    );

    let id = sign::load_identity(&p12, PW).expect("load");
    assert_eq!(id.chain_len(), 1);
    let data = b"manifest bytes";
    let p7s = sign::sign_detached(data, &id).expect("sign");
    let root = der_of(d, "root.pem");
    let rep = sign::verify_detached(data, &p7s, &[root]).expect("verify");
    assert!(rep.is_valid(), "{rep:?}");
    assert_eq!(rep.trusted, Some(true), "{rep:?}");
    // And the CMS itself is standard: OpenSSL verifies the signature (not the SM2 chain).
    std::fs::write(d.join("m.bin"), data).expect("write");
    std::fs::write(d.join("m.p7s"), &p7s).expect("write");
    let out = openssl(
        d,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "m.p7s",
            "-content",
            "m.bin",
            "-noverify",
            "-out",
            "/dev/null",
        ],
    );
    assert!(out.contains("Verification successful"), "{out}");
}

fn run_pw(args: &[&str]) -> common::Run {
    let out = common::bin()
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

#[test]
fn an_sm2_identity_from_elsewhere_imports_beside_the_p12_and_signs() {
    let p = pki();
    let d = &p.dir;
    let idir = d.join("identity");
    let _ = std::fs::remove_dir_all(&idir);
    let r = run_pw(&[
        "identity",
        "new",
        "--name",
        "张工",
        "--org",
        "示例测评中心",
        "--out",
        s(&idir),
        "--algo",
        "p256",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // The key encrypted by OpenSSL with the identity's password; the chain out of order.
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            "leaf.key",
            "-passout",
            &format!("pass:{PW}"),
            "-out",
            "leaf-enc.key",
        ],
    );
    let chain = ["root.pem", "leaf.pem", "inter.pem"]
        .iter()
        .map(|f| std::fs::read_to_string(d.join(f)).expect("pem"))
        .collect::<String>();
    std::fs::write(d.join("sm2-chain.pem"), chain).expect("write");
    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "import",
        "--key",
        s(&d.join("leaf-enc.key")),
        "--cert",
        s(&d.join("sm2-chain.pem")),
        "--out",
        s(&idir),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("key: SM2") && r.stdout.contains("checked): 2"),
        "{}",
        r.stdout
    );

    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "show",
        s(&idir.join("signer.p12")),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("SM2: yes (chain of 2"), "{}", r.stdout);

    // Signed with the imported key; OpenSSL checks the signature with the
    // written certificate, and the certificate against the root.
    let id = sign::load_identity(&idir.join("signer.p12"), PW).expect("load");
    let data = b"{\"manifest\": true}";
    let sig = sign::sm2_sign(data, &id).expect("sm2 sign");
    std::fs::write(d.join("manifest.json"), data).expect("write");
    std::fs::write(d.join("manifest.sig"), &sig).expect("write");
    let written = idir.join("signer-sm2.pem");
    openssl(
        d,
        &[
            "x509",
            "-in",
            s(&written),
            "-pubkey",
            "-noout",
            "-out",
            "sm2pub.pem",
        ],
    );
    let out = openssl(
        d,
        &[
            "dgst",
            "-sm3",
            "-sigopt",
            ID,
            "-verify",
            "sm2pub.pem",
            "-signature",
            "manifest.sig",
            "manifest.json",
        ],
    );
    assert!(out.contains("Verified OK"), "{out}");
    let out = openssl(
        d,
        &[
            "verify",
            "-partial_chain",
            "-CAfile",
            "inter.pem",
            "-vfyopt",
            ID,
            s(&written),
        ],
    );
    assert!(out.contains(": OK"), "{out}");
    assert!(sign::sm2_verify(data, &sig, &id.sm2_cert_pem().expect("pem")).expect("verify"));
    // The key file is encrypted with the password (OpenSSL opens it).
    let key_text = std::fs::read_to_string(idir.join("signer-sm2.key.pem")).expect("key");
    assert!(key_text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    openssl(
        d,
        &[
            "pkey",
            "-in",
            s(&idir.join("signer-sm2.key.pem")),
            "-passin",
            &format!("pass:{PW}"),
            "-noout",
        ],
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(idir.join("signer-sm2.key.pem"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Importing again never overwrites.
    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "import",
        "--key",
        s(&d.join("leaf.key")),
        "--cert",
        s(&d.join("sm2-chain.pem")),
        "--out",
        s(&idir),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
}

#[test]
fn bad_imports_are_refused_naming_the_file() {
    let p = pki();
    let d = &p.dir;
    // An impostor issuing CA: the same name as the real one, another key.
    openssl(d, &["genpkey", "-algorithm", "SM2", "-out", "fake.key"]);
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "fake.key",
            "-sm3",
            "-sigopt",
            ID,
            "-subj",
            "/C=CN/O=SM2 Test CA Org/CN=SM2 Test Issuing CA",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-out",
            "fake.pem",
        ],
    );
    let chain = ["leaf.pem", "fake.pem"]
        .iter()
        .map(|f| std::fs::read_to_string(d.join(f)).expect("pem"))
        .collect::<String>();
    std::fs::write(d.join("bad-chain.pem"), chain).expect("write");
    let out_dir = d.join("bad-import");
    let _ = std::fs::remove_dir_all(&out_dir);
    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "import",
        "--key",
        s(&d.join("leaf.key")),
        "--cert",
        s(&d.join("bad-chain.pem")),
        "--out",
        s(&out_dir),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("bad-chain.pem") && r.stderr.contains("does not verify"),
        "{}",
        r.stderr
    );
    let r = run_pw(&[
        "identity",
        "import",
        "--key",
        s(&d.join("leaf.key")),
        "--cert",
        s(&d.join("bad-chain.pem")),
        "--out",
        s(&out_dir),
    ]);
    assert!(
        r.stderr.contains("bad-chain.pem") && r.stderr.contains("错误"),
        "{}",
        r.stderr
    );
    assert!(!out_dir.join("signer-sm2.key.pem").exists());

    // The key and the certificate do not belong together.
    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "import",
        "--key",
        s(&d.join("direct.key")),
        "--cert",
        s(&d.join("leaf.pem")),
        "--out",
        s(&out_dir),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("leaf.pem") && r.stderr.contains("direct.key"),
        "{}",
        r.stderr
    );
    // An SM2 key cannot become a PKCS#12 that signs PDFs.
    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "import",
        "--key",
        s(&d.join("leaf.key")),
        "--cert",
        s(&d.join("leaf.pem")),
        "--out",
        s(&d.join("sm2.p12")),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("SM2 key cannot go into"), "{}", r.stderr);
    assert!(!d.join("sm2.p12").exists());
    // Not a key at all.
    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "import",
        "--key",
        s(&d.join("leaf.pem")),
        "--cert",
        s(&d.join("leaf.pem")),
        "--out",
        s(&out_dir),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("leaf.pem") && r.stderr.contains("not a private key"),
        "{}",
        r.stderr
    );
}

#[test]
fn keys_in_the_formats_openssl_writes_import_and_sign() {
    let p = pki();
    let d = &p.dir.join("formats");
    let _ = std::fs::remove_dir_all(d);
    std::fs::create_dir_all(d).expect("mkdir");
    // SEC 1 P-256 ("EC PRIVATE KEY") and PKCS#1 RSA ("RSA PRIVATE KEY"), self-signed by OpenSSL.
    openssl(
        d,
        &[
            "ecparam",
            "-genkey",
            "-name",
            "prime256v1",
            "-noout",
            "-out",
            "ec.key",
        ],
    );
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "rsa8.key",
        ],
    );
    openssl(
        d,
        &["pkey", "-in", "rsa8.key", "-traditional", "-out", "rsa.key"],
    );
    // SM2 as SEC 1 too (OpenSSL labels it "SM2 PRIVATE KEY").
    openssl(
        d,
        &["ec", "-in", s(&p.dir.join("direct.key")), "-out", "sm2.key"],
    );
    for k in ["ec", "rsa"] {
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-key",
                &format!("{k}.key"),
                "-subj",
                &format!("/CN=Imported {k}"),
                "-days",
                "30",
                "-out",
                &format!("{k}.pem"),
            ],
        );
    }
    for (k, head) in [
        ("ec", "BEGIN EC PRIVATE KEY"),
        ("rsa", "BEGIN RSA PRIVATE KEY"),
        ("sm2", "BEGIN SM2 PRIVATE KEY"),
    ] {
        let text = std::fs::read_to_string(d.join(format!("{k}.key"))).expect("key");
        assert!(text.contains(head), "{k}: {text}");
    }

    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "import",
        "--key",
        s(&d.join("ec.key")),
        "--cert",
        s(&d.join("ec.pem")),
        "--out",
        s(&d.join("ec.p12")),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("key: ECDSA P-256"), "{}", r.stdout);
    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "import",
        "--key",
        s(&d.join("rsa.key")),
        "--cert",
        s(&d.join("rsa.pem")),
        "--out",
        s(&d.join("rsa-id")),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("key: RSA-2048"), "{}", r.stdout);
    // A self-signed certificate is its own trust anchor: ca.pem.
    assert!(d.join("rsa-id/ca.pem").is_file());
    let r = run_pw(&[
        "--lang",
        "en",
        "identity",
        "import",
        "--key",
        s(&d.join("sm2.key")),
        "--cert",
        s(&p.dir.join("direct.pem")),
        "--out",
        s(&d.join("rsa-id")),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("key: SM2"), "{}", r.stdout);

    for (p12, cert) in [
        (d.join("ec.p12"), "ec.pem"),
        (d.join("rsa-id/signer.p12"), "rsa.pem"),
    ] {
        let id = sign::load_identity(&p12, PW).expect("load");
        let p7s = sign::sign_detached(b"payload", &id).expect("sign");
        std::fs::write(d.join("payload"), b"payload").expect("write");
        std::fs::write(d.join("payload.p7s"), &p7s).expect("write");
        let out = openssl(
            d,
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "payload.p7s",
                "-content",
                "payload",
                "-CAfile",
                cert,
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
        );
        assert!(out.contains("Verification successful"), "{out}");
    }
    let id = sign::load_identity(&d.join("rsa-id/signer.p12"), PW).expect("load");
    assert!(id.has_sm2());
    let sig = sign::sm2_sign(b"payload", &id).expect("sm2");
    std::fs::write(d.join("payload.sm2"), &sig).expect("write");
    openssl(
        d,
        &[
            "x509",
            "-in",
            s(&p.dir.join("direct.pem")),
            "-pubkey",
            "-noout",
            "-out",
            "direct-pub.pem",
        ],
    );
    let out = openssl(
        d,
        &[
            "dgst",
            "-sm3",
            "-sigopt",
            ID,
            "-verify",
            "direct-pub.pem",
            "-signature",
            "payload.sm2",
            "payload",
        ],
    );
    assert!(out.contains("Verified OK"), "{out}");
}
