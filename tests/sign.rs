//! The `sign` module against independent oracles: pdfsig (poppler + NSS),
//! pyHanko, qpdf, and OpenSSL 3 (`cms -verify`, `dgst -sm3`, `pkcs12`).
//! A missing tool fails the test with what to install.
//!
//! Needs: `apt-get install -y poppler-utils qpdf libnss3-tools openssl` and
//! `pip install 'pyHanko==0.38.0' 'pyhanko-cli==0.6.0'`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use iovaudit::sign::{
    self, Identity, IdentityFiles, KeyAlgo, NewIdentity, PdfSignOptions, SignError, Stamp,
};

const PASSWORD: &str = "test-pass-123";

struct Fixture {
    files: IdentityFiles,
    id: Identity,
    ca_der: Vec<u8>,
}

fn make_fixture(name: &str, algo: KeyAlgo, sm2: bool) -> Fixture {
    let dir = common::scratch(name);
    let req = NewIdentity {
        name: "张三 Zhang San".into(),
        org: "某某检测中心 Test Lab".into(),
        algo,
        sm2,
    };
    let files = sign::new_identity(&req, &dir, PASSWORD).expect("new identity");
    let id = sign::load_identity(&files.p12, PASSWORD).expect("load our own p12");
    let ca_der = sign::pem_to_der_certs(&fs::read_to_string(&files.ca_pem).unwrap())
        .unwrap()
        .remove(0);
    Fixture { files, id, ca_der }
}

/// One RSA-3072 identity per test binary (key generation is slow).
fn rsa() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| make_fixture("sign-id-rsa", KeyAlgo::Rsa3072, false))
}

/// One P-256 identity with an SM2 pair.
fn p256() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| make_fixture("sign-id-p256", KeyAlgo::P256, true))
}

struct Out {
    ok: bool,
    text: String,
}

const INSTALL: &str =
    "install the signature oracles: apt-get install -y poppler-utils qpdf libnss3-tools openssl; \
pip install 'pyHanko==0.38.0' 'pyhanko-cli==0.6.0'";

fn run(program: &str, args: &[&str]) -> Out {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{program}` ({e}); {INSTALL}"));
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Out {
        ok: out.status.success(),
        text,
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A two-page report-like PDF made with printpdf (what the report module uses).
fn sample_pdf() -> Vec<u8> {
    use printpdf::*;
    let page = |title: &str| {
        let ops = vec![
            Op::StartTextSection,
            Op::SetTextCursor {
                pos: Point::new(Mm(20.0), Mm(270.0)),
            },
            Op::SetFont {
                font: PdfFontHandle::Builtin(BuiltinFont::Helvetica),
                size: Pt(18.0),
            },
            Op::ShowText {
                items: vec![TextItem::Text(title.to_string())],
            },
            Op::EndTextSection,
        ];
        PdfPage::new(Mm(210.0), Mm(297.0), ops)
    };
    PdfDocument::new("iovaudit sign test")
        .with_pages(vec![
            page("Assessment report - page one"),
            page("Findings - page two"),
        ])
        .save(&PdfSaveOptions::default(), &mut Vec::new())
}

fn stamp_lines() -> Vec<String> {
    vec![
        "数字签名 Digitally signed".into(),
        "张三 Zhang San".into(),
        "2025-06-01 10:00 +08:00".into(),
    ]
}

fn opts(stamp: Option<Stamp>) -> PdfSignOptions {
    PdfSignOptions {
        reason: "评估报告签发 Report approval".into(),
        location: "北京 Beijing".into(),
        signing_time: "2025-06-01T10:00:00+08:00".into(),
        stamp,
    }
}

/// An NSS database trusting `ca.pem`, for `pdfsig -nssdir`.
fn nss_db(dir: &Path, ca_pem: &Path) -> String {
    let db = dir.join("nssdb");
    let _ = fs::remove_dir_all(&db);
    fs::create_dir_all(&db).unwrap();
    let spec = format!("sql:{}", db.display());
    let o = run("certutil", &["-N", "-d", &spec, "--empty-password"]);
    assert!(o.ok, "certutil -N: {}", o.text);
    let o = run(
        "certutil",
        &[
            "-A",
            "-d",
            &spec,
            "-n",
            "ca",
            "-t",
            "CT,C,C",
            "-i",
            p(ca_pem),
        ],
    );
    assert!(o.ok, "certutil -A: {}", o.text);
    spec
}

/// Flips one byte of the first page's content stream (inside the first
/// signed range), or of `%PDF` if no such stream is found.
fn tamper(pdf: &[u8]) -> Vec<u8> {
    let mut bad = pdf.to_vec();
    let at = pdf
        .windows(7)
        .position(|w| w == b"stream\n")
        .map(|i| i + 9)
        .unwrap_or(2);
    bad[at] ^= 0x01;
    bad
}

fn check_pdf_with_oracles(
    f: &Fixture,
    dir: &Path,
    name: &str,
    signed: &[u8],
    expected_signatures: usize,
) {
    let file = dir.join(name);
    fs::write(&file, signed).unwrap();

    // Ours.
    let reports = sign::verify_pdf(signed, std::slice::from_ref(&f.ca_der)).expect("verify_pdf");
    assert_eq!(reports.len(), expected_signatures, "{reports:#?}");
    let last = reports.last().unwrap();
    assert!(
        last.is_valid() && last.covers_whole_file && last.trusted == Some(true),
        "{last:#?}"
    );
    assert_eq!(last.signer_cn, "张三 Zhang San");
    assert_eq!(last.subfilter, "ETSI.CAdES.detached");
    assert_eq!(
        last.signing_time.as_deref(),
        Some("2025-06-01T10:00:00+08:00")
    );

    // qpdf: structure.
    let o = run("qpdf", &["--check", p(&file)]);
    assert!(
        o.ok && o.text.contains("No syntax or stream encoding errors"),
        "qpdf --check: {}",
        o.text
    );

    // pdfsig without trust, then with the CA in an NSS database.
    let o = run("pdfsig", &[p(&file)]);
    assert_eq!(
        o.text.matches("Signature is Valid").count(),
        expected_signatures,
        "pdfsig: {}",
        o.text
    );
    let nss = nss_db(dir, &f.files.ca_pem);
    let o = run("pdfsig", &["-nssdir", &nss, p(&file)]);
    assert!(
        o.text.contains("Certificate is Trusted"),
        "pdfsig -nssdir: {}",
        o.text
    );
    assert!(
        !o.text.contains("Digest Mismatch"),
        "pdfsig -nssdir: {}",
        o.text
    );

    // pyHanko 0.38: the one-line form says `Signature1:<sha256>:INTACT:TRUSTED,UNTOUCHED`,
    // the pretty form spells it out.
    let trust = [
        "sign",
        "validate",
        "--trust-replace",
        "--trust",
        p(&f.files.ca_pem),
        p(&file),
    ];
    let o = run("pyhanko", &trust);
    assert!(o.ok, "pyhanko validate failed: {}", o.text);
    let line = format!(":{}:INTACT:TRUSTED,UNTOUCHED", f.id.fingerprint_sha256());
    assert_eq!(
        o.text.matches(&line).count(),
        expected_signatures,
        "pyhanko: {}",
        o.text
    );
    let o = run(
        "pyhanko",
        &[&trust[..2], &["--pretty-print"], &trust[2..]].concat(),
    );
    assert!(o.ok, "pyhanko validate --pretty-print failed: {}", o.text);
    for words in [
        "The signer's certificate is trusted.",
        "The signature is cryptographically sound.",
        "The signature is judged VALID.",
    ] {
        assert!(
            o.text.contains(words),
            "pyhanko --pretty-print lacks {words:?}: {}",
            o.text
        );
    }

    // One flipped byte inside the signed range: everyone refuses.
    let bad = tamper(signed);
    let bad_file = dir.join(format!("tampered-{name}"));
    fs::write(&bad_file, &bad).unwrap();
    match sign::verify_pdf(&bad, std::slice::from_ref(&f.ca_der)) {
        Ok(reports) => assert!(
            reports.iter().all(|r| !r.is_valid() && !r.digest_ok),
            "{reports:#?}"
        ),
        Err(SignError::Malformed { .. }) => {}
        Err(e) => panic!("unexpected error on a tampered PDF: {e}"),
    }
    let o = run("pdfsig", &[p(&bad_file)]);
    assert!(
        !o.text.contains("Signature is Valid"),
        "pdfsig accepted a tampered file: {}",
        o.text
    );
    let o = run(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust-replace",
            "--trust",
            p(&f.files.ca_pem),
            p(&bad_file),
        ],
    );
    assert!(
        !o.ok && !o.text.contains("INTACT"),
        "pyhanko accepted a tampered file: {}",
        o.text
    );
    let o = run(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--pretty-print",
            "--trust-replace",
            "--trust",
            p(&f.files.ca_pem),
            p(&bad_file),
        ],
    );
    assert!(
        !o.ok && !o.text.contains("judged VALID"),
        "pyhanko accepted a tampered file: {}",
        o.text
    );
}

#[test]
fn pdf_rsa3072_invisible_passes_pdfsig_pyhanko_qpdf() {
    let f = rsa();
    let dir = common::scratch("sign-pdf-rsa");
    let signed = sign::sign_pdf(&sample_pdf(), &f.id, &opts(None)).expect("sign");
    check_pdf_with_oracles(f, &dir, "rsa.pdf", &signed, 1);
}

#[test]
fn pdf_p256_visible_stamp_passes_pdfsig_pyhanko_qpdf() {
    let f = p256();
    let dir = common::scratch("sign-pdf-p256");
    let original = sample_pdf();
    let stamp = Stamp {
        page: 1,
        rect_pt: [360.0, 60.0, 560.0, 140.0],
        lines: stamp_lines(),
    };
    let signed = sign::sign_pdf(&original, &f.id, &opts(Some(stamp))).expect("sign");
    assert_eq!(
        &signed[..original.len()],
        &original[..],
        "the original bytes must be kept"
    );
    check_pdf_with_oracles(f, &dir, "p256.pdf", &signed, 1);
    // The stamp is on page 2; pdftoppm renders it (looked at by eye during development).
    let png = dir.join("page2");
    let o = run(
        "pdftoppm",
        &[
            "-f",
            "2",
            "-l",
            "2",
            "-png",
            "-r",
            "60",
            "-singlefile",
            p(&dir.join("p256.pdf")),
            p(&png),
        ],
    );
    assert!(
        o.ok && dir.join("page2.png").is_file(),
        "pdftoppm: {}",
        o.text
    );
}

#[test]
fn pdf_with_xref_stream_and_second_signature() {
    let f = p256();
    let dir = common::scratch("sign-pdf-xrefstream");
    let plain = dir.join("plain.pdf");
    let packed = dir.join("packed.pdf");
    fs::write(&plain, sample_pdf()).unwrap();
    let o = run(
        "qpdf",
        &["--object-streams=generate", p(&plain), p(&packed)],
    );
    assert!(o.ok, "qpdf: {}", o.text);
    let packed = fs::read(&packed).unwrap();
    let once = sign::sign_pdf(&packed, &f.id, &opts(None)).expect("sign an xref-stream PDF");
    check_pdf_with_oracles(f, &dir, "packed-signed.pdf", &once, 1);

    // A second signature (visible, page 1) over the first.
    let stamp = Stamp {
        page: 0,
        rect_pt: [40.0, 40.0, 240.0, 110.0],
        lines: stamp_lines(),
    };
    let twice = sign::sign_pdf(&once, &rsa().id, &opts(Some(stamp))).expect("second signature");
    let reports = sign::verify_pdf(&twice, &[f.ca_der.clone(), rsa().ca_der.clone()]).unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|r| r.is_valid()), "{reports:#?}");
    assert!(!reports[0].covers_whole_file && reports[1].covers_whole_file);
    assert_ne!(reports[0].field, reports[1].field);
    let file = dir.join("twice.pdf");
    fs::write(&file, &twice).unwrap();
    let o = run("pdfsig", &[p(&file)]);
    assert_eq!(
        o.text.matches("Signature is Valid").count(),
        2,
        "pdfsig: {}",
        o.text
    );
    let o = run("qpdf", &["--check", p(&file)]);
    assert!(o.ok, "qpdf --check: {}", o.text);
}

#[test]
fn malformed_pdfs_are_errors_not_panics() {
    let f = p256();
    let good = sign::sign_pdf(&sample_pdf(), &f.id, &opts(None)).unwrap();
    let no_trailer = {
        let cut = good
            .windows(7)
            .rposition(|w| w == b"trailer")
            .unwrap_or(good.len() / 2);
        good[..cut].to_vec()
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("garbage", b"hello, not a pdf".to_vec()),
        ("header only", b"%PDF-1.7\n".to_vec()),
        ("truncated", good[..good.len() / 3].to_vec()),
        ("no trailer", no_trailer),
        ("startxref past the end", {
            let mut v = sample_pdf();
            v.extend_from_slice(b"\nstartxref\n99999999\n%%EOF\n");
            v
        }),
    ];
    for (what, bytes) in cases {
        let signed = sign::sign_pdf(&bytes, &f.id, &opts(None));
        assert!(signed.is_err(), "{what}: signing should fail");
        if let Ok(reports) = sign::verify_pdf(&bytes, &[]) {
            assert!(
                reports.iter().all(|r| !r.is_valid()),
                "{what}: {reports:#?}"
            );
        }
    }
    // Single flipped bytes all over a signed file: never a panic, never valid.
    // (The /Contents value is outside the signed ranges by design; flips there
    // may hit unsigned parts of the CMS, such as the CA certificate.)
    let gap_start = good.windows(11).position(|w| w == b"/Contents <").unwrap();
    let gap_end = gap_start + good[gap_start..].iter().position(|&b| b == b'>').unwrap();
    for at in (0..good.len()).step_by(good.len() / 151 + 1) {
        if (gap_start..=gap_end).contains(&at) {
            continue;
        }
        let mut bad = good.clone();
        bad[at] ^= 0x5a;
        if let Ok(reports) = sign::verify_pdf(&bad, &[]) {
            assert!(
                reports.iter().all(|r| !r.is_valid()) || bad == good,
                "flip at {at} still valid"
            );
        }
    }
    // Every byte position cut: never a panic.
    for cut in (0..good.len()).step_by(good.len() / 97 + 1) {
        let _ = sign::verify_pdf(&good[..cut], &[]);
    }
    // A bad page index and a bad time are request errors.
    let stamp = Stamp {
        page: 9,
        rect_pt: [0.0, 0.0, 100.0, 50.0],
        lines: vec![],
    };
    assert!(matches!(
        sign::sign_pdf(&sample_pdf(), &f.id, &opts(Some(stamp))),
        Err(SignError::Invalid { .. })
    ));
    let mut o = opts(None);
    o.signing_time = "yesterday".into();
    assert!(matches!(
        sign::sign_pdf(&sample_pdf(), &f.id, &o),
        Err(SignError::Invalid { .. })
    ));
}

#[test]
fn detached_cms_verified_by_openssl() {
    for f in [p256(), rsa()] {
        let dir = common::scratch(&format!(
            "sign-cms-{}",
            f.id.key_description().replace(' ', "-")
        ));
        let data = "{\"manifest\": \"清单\", \"files\": []}\n".as_bytes();
        let p7s = sign::sign_detached(data, &f.id).unwrap();
        let (data_path, sig_path) = (dir.join("manifest.json"), dir.join("manifest.json.p7s"));
        fs::write(&data_path, data).unwrap();
        fs::write(&sig_path, &p7s).unwrap();
        let args = [
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            p(&sig_path),
            "-content",
            p(&data_path),
            "-CAfile",
            p(&f.files.ca_pem),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ];
        let o = run("openssl", &args);
        assert!(
            o.ok && o.text.contains("Verification successful"),
            "openssl cms -verify: {}",
            o.text
        );

        let r = sign::verify_detached(data, &p7s, std::slice::from_ref(&f.ca_der)).unwrap();
        assert!(
            r.is_valid() && r.trusted == Some(true) && r.signing_time.is_some(),
            "{r:#?}"
        );
        assert!(r.problems.is_empty(), "{r:#?}");

        let mut bad = data.to_vec();
        bad[3] ^= 0x20;
        fs::write(&data_path, &bad).unwrap();
        let o = run("openssl", &args);
        assert!(!o.ok, "openssl accepted changed data: {}", o.text);
        let r = sign::verify_detached(&bad, &p7s, &[]).unwrap();
        assert!(
            !r.digest_ok && !r.is_valid() && r.trusted.is_none(),
            "{r:#?}"
        );

        // A stranger's CA is not trusted.
        let other = if f.id.key_description().starts_with("RSA") {
            p256()
        } else {
            rsa()
        };
        let r = sign::verify_detached(data, &p7s, std::slice::from_ref(&other.ca_der)).unwrap();
        assert_eq!(r.trusted, Some(false), "{r:#?}");
        assert!(sign::verify_detached(data, b"not a cms", &[]).is_err());
    }
}

#[test]
fn sm2_signature_verified_by_openssl() {
    let f = p256();
    assert!(f.id.has_sm2());
    let dir = common::scratch("sign-sm2");
    let data = "manifest 清单 bytes\n".as_bytes();
    let sig = sign::sm2_sign(data, &f.id).unwrap();
    let (data_path, sig_path, pub_path) = (
        dir.join("data"),
        dir.join("data.sm2.sig"),
        dir.join("pub.pem"),
    );
    fs::write(&data_path, data).unwrap();
    fs::write(&sig_path, &sig).unwrap();
    let cert_path = f.files.sm2_cert.as_ref().unwrap();
    let o = run(
        "openssl",
        &[
            "x509",
            "-in",
            p(cert_path),
            "-pubkey",
            "-noout",
            "-out",
            p(&pub_path),
        ],
    );
    assert!(o.ok, "openssl x509 -pubkey: {}", o.text);
    let args = [
        "dgst",
        "-sm3",
        "-sigopt",
        "distid:1234567812345678",
        "-verify",
        p(&pub_path),
        "-signature",
        p(&sig_path),
        p(&data_path),
    ];
    let o = run("openssl", &args);
    assert!(
        o.ok && o.text.contains("Verified OK"),
        "openssl dgst -sm3 -verify: {}",
        o.text
    );
    // The self-signed SM2 certificate is SM2-with-SM3 and verifies itself.
    let o = run("openssl", &["x509", "-in", p(cert_path), "-noout", "-text"]);
    assert!(o.text.contains("SM2-with-SM3"), "{}", o.text);
    let o = run(
        "openssl",
        &[
            "verify",
            "-partial_chain",
            "-CAfile",
            p(cert_path),
            p(cert_path),
        ],
    );
    assert!(o.ok, "openssl verify of the SM2 self-signature: {}", o.text);
    // OpenSSL reads our encrypted SM2 key with the same password.
    let o = run(
        "openssl",
        &[
            "pkey",
            "-in",
            p(f.files.sm2_key.as_ref().unwrap()),
            "-passin",
            &format!("pass:{PASSWORD}"),
            "-noout",
        ],
    );
    assert!(o.ok, "openssl pkey: {}", o.text);

    let pem = f.id.sm2_cert_pem().unwrap();
    assert!(sign::sm2_verify(data, &sig, &pem).unwrap());
    assert!(sign::sm2_verify(data, &sig, &fs::read_to_string(&pub_path).unwrap()).unwrap());

    let mut bad = data.to_vec();
    bad[0] ^= 1;
    fs::write(&data_path, &bad).unwrap();
    let o = run("openssl", &args);
    assert!(
        !o.ok && !o.text.contains("Verified OK"),
        "openssl accepted changed data: {}",
        o.text
    );
    assert!(!sign::sm2_verify(&bad, &sig, &pem).unwrap());
    assert!(sign::sm2_verify(data, b"junk", &pem).is_err());
    assert!(matches!(
        sign::sm2_sign(data, &rsa().id),
        Err(SignError::NoSm2)
    ));
}

#[test]
fn p12_interoperates_with_openssl() {
    let f = p256();
    // OpenSSL reads ours.
    let pass = format!("pass:{PASSWORD}");
    let o = run(
        "openssl",
        &[
            "pkcs12",
            "-info",
            "-nokeys",
            "-in",
            p(&f.files.p12),
            "-passin",
            &pass,
        ],
    );
    assert!(
        o.ok && o.text.contains("BEGIN CERTIFICATE"),
        "openssl pkcs12 -info: {}",
        o.text
    );
    assert!(
        o.text.contains("MAC: sha256") && o.text.contains("PBES2"),
        "openssl pkcs12 -info: {}",
        o.text
    );
    let o = run(
        "openssl",
        &[
            "pkcs12",
            "-info",
            "-nokeys",
            "-in",
            p(&f.files.p12),
            "-passin",
            "pass:wrong",
        ],
    );
    assert!(!o.ok, "openssl accepted a wrong password");

    // We read OpenSSL's (defaults of OpenSSL 3), RSA and P-256.
    let dir = common::scratch("sign-p12-openssl");
    for (alg, args) in [
        ("rsa", vec!["-newkey", "rsa:2048"]),
        (
            "ec",
            vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        ),
    ] {
        let key = dir.join(format!("{alg}.key"));
        let crt = dir.join(format!("{alg}.crt"));
        let p12 = dir.join(format!("{alg}.p12"));
        let mut req = vec![
            "req",
            "-x509",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/O=Lab/CN=OpenSSL Signer",
        ];
        req.extend(args);
        req.extend(["-keyout", p(&key), "-out", p(&crt)]);
        let o = run("openssl", &req);
        assert!(o.ok, "openssl req: {}", o.text);
        let o = run(
            "openssl",
            &[
                "pkcs12",
                "-export",
                "-inkey",
                p(&key),
                "-in",
                p(&crt),
                "-out",
                p(&p12),
                "-passout",
                &pass,
            ],
        );
        assert!(o.ok, "openssl pkcs12 -export: {}", o.text);
        let id = sign::load_identity(&p12, PASSWORD).expect("load an OpenSSL p12");
        assert_eq!(id.subject_cn(), "OpenSSL Signer");
        assert_eq!(id.organisation(), "Lab");
        assert!(!id.has_sm2());
        let fp = run(
            "openssl",
            &["x509", "-in", p(&crt), "-noout", "-fingerprint", "-sha256"],
        );
        assert!(
            fp.text
                .replace(':', "")
                .to_lowercase()
                .contains(&id.fingerprint_sha256()),
            "{}",
            fp.text
        );
        // It signs a PDF that our verifier accepts.
        let signed = sign::sign_pdf(&sample_pdf(), &id, &opts(None)).unwrap();
        assert!(sign::verify_pdf(&signed, &[]).unwrap()[0].is_valid());

        // `-legacy` (RC2/3DES, SHA-1 MAC) is refused with a hint, naming the file.
        let legacy = dir.join(format!("{alg}-legacy.p12"));
        let o = run(
            "openssl",
            &[
                "pkcs12",
                "-export",
                "-legacy",
                "-inkey",
                p(&key),
                "-in",
                p(&crt),
                "-out",
                p(&legacy),
                "-passout",
                &pass,
            ],
        );
        assert!(o.ok, "openssl pkcs12 -export -legacy: {}", o.text);
        // Legacy (3DES / RC2-40, SHA-1 MAC) files as other tools write them import.
        let id = sign::load_identity(&legacy, PASSWORD).expect("legacy p12 imports");
        assert_eq!(id.subject_cn(), "OpenSSL Signer");

        match sign::load_identity(&p12, "wrong") {
            Err(SignError::BadPassword { path }) => assert_eq!(path, p12),
            other => panic!("expected BadPassword, got {other:?}"),
        }
    }

    // Ours, with a wrong password.
    match sign::load_identity(&f.files.p12, "nope") {
        Err(e @ SignError::BadPassword { .. }) => {
            assert_eq!(e.path(), Some(f.files.p12.as_path()));
            assert!(e.zh().contains("密码错误"), "{}", e.zh());
        }
        other => panic!("expected BadPassword, got {other:?}"),
    }
    // Not a p12 at all.
    let junk = dir.join("junk.p12");
    fs::write(&junk, b"junk").unwrap();
    assert!(matches!(
        sign::load_identity(&junk, PASSWORD),
        Err(SignError::BadFile { .. })
    ));
    assert!(matches!(
        sign::load_identity(&dir.join("missing.p12"), PASSWORD),
        Err(SignError::Io { .. })
    ));
}

#[test]
fn identity_contents_and_no_overwrite() {
    let f = p256();
    assert_eq!(f.id.subject_cn(), "张三 Zhang San");
    assert_eq!(f.id.organisation(), "某某检测中心 Test Lab");
    assert_eq!(f.id.chain_pem().len(), 1);
    assert!(f.id.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(f.id.fingerprint_sha256().len(), 64);
    let dir = f.files.p12.parent().unwrap().to_path_buf();
    let names: Vec<PathBuf> = [
        sign::P12_FILE,
        sign::CA_FILE,
        sign::SM2_KEY_FILE,
        sign::SM2_CERT_FILE,
    ]
    .iter()
    .map(|n| dir.join(n))
    .collect();
    for n in &names {
        assert!(n.is_file(), "{} missing", n.display());
    }

    // The CA and leaf as openssl sees them.
    let o = run(
        "openssl",
        &["x509", "-in", p(&f.files.ca_pem), "-noout", "-text"],
    );
    assert!(
        o.text.contains("CA:TRUE") && o.text.contains("Certificate Sign"),
        "{}",
        o.text
    );
    let leaf = dir.join("leaf.pem");
    let _ = fs::remove_file(&leaf);
    fs::write(&leaf, f.id.cert_pem()).unwrap();
    let o = run("openssl", &["x509", "-in", p(&leaf), "-noout", "-text"]);
    assert!(
        o.text.contains("Digital Signature, Non Repudiation"),
        "{}",
        o.text
    );
    let o = run(
        "openssl",
        &["verify", "-CAfile", p(&f.files.ca_pem), p(&leaf)],
    );
    assert!(o.ok, "openssl verify: {}", o.text);

    // Never overwrites: every existing file is refused by name, and nothing changes.
    let before: Vec<Vec<u8>> = names.iter().map(|n| fs::read(n).unwrap()).collect();
    let req = NewIdentity {
        name: "Other".into(),
        org: String::new(),
        algo: KeyAlgo::P256,
        sm2: true,
    };
    match sign::new_identity(&req, &dir, PASSWORD) {
        Err(SignError::Exists { path }) => assert!(names.contains(&path), "{}", path.display()),
        other => panic!("expected Exists, got {other:?}"),
    }
    let after: Vec<Vec<u8>> = names.iter().map(|n| fs::read(n).unwrap()).collect();
    assert!(before == after, "files changed");

    // An empty name is refused before anything is written.
    let fresh = common::scratch("sign-id-empty");
    let req = NewIdentity {
        name: "  ".into(),
        org: "x".into(),
        algo: KeyAlgo::P256,
        sm2: false,
    };
    assert!(matches!(
        sign::new_identity(&req, &fresh, PASSWORD),
        Err(SignError::Invalid { .. })
    ));
    assert_eq!(fs::read_dir(&fresh).unwrap().count(), 0);

    // PEM helper.
    let two = format!("{}{}", f.id.cert_pem(), f.id.chain_pem()[0]);
    assert_eq!(sign::pem_to_der_certs(&two).unwrap().len(), 2);
    assert!(sign::pem_to_der_certs("no pem here").is_err());
}

#[test]
fn non_ascii_password_works_with_openssl() {
    let dir = common::scratch("sign-id-unicode-password");
    let password = "密码-Passwort-ü";
    let req = NewIdentity {
        name: "李四".into(),
        org: String::new(),
        algo: KeyAlgo::P256,
        sm2: true,
    };
    let files = sign::new_identity(&req, &dir, password).unwrap();
    let id = sign::load_identity(&files.p12, password).unwrap();
    assert_eq!(id.subject_cn(), "李四");
    assert_eq!(id.organisation(), "");
    assert!(id.has_sm2());
    let pass = format!("pass:{password}");
    let o = run(
        "openssl",
        &[
            "pkcs12",
            "-info",
            "-nokeys",
            "-in",
            p(&files.p12),
            "-passin",
            &pass,
        ],
    );
    assert!(
        o.ok,
        "openssl pkcs12 -info with a non-ASCII password: {}",
        o.text
    );
    let o = run(
        "openssl",
        &[
            "pkey",
            "-in",
            p(files.sm2_key.as_ref().unwrap()),
            "-passin",
            &pass,
            "-noout",
        ],
    );
    assert!(o.ok, "openssl pkey: {}", o.text);
    // A wrong password is refused.
    assert!(matches!(
        sign::load_identity(&files.p12, "wrong"),
        Err(SignError::BadPassword { .. })
    ));
}

/// A key the crate does not hold: a P-256 key behind the public
/// [`sign::Signer`] trait (what a token or a remote signer implements),
/// counting how often it is asked to sign.
struct OutsideKey {
    key: p256::SecretKey,
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl sign::Signer for OutsideKey {
    fn scheme(&self) -> sign::SignatureScheme {
        sign::SignatureScheme::EcdsaP256Sha256
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        use p256::ecdsa::signature::Signer as _;
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let sig: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(&self.key).sign(message);
        Ok(sig.to_der().as_bytes().to_vec())
    }
    fn describe(&self) -> String {
        "ECDSA P-256 (outside)".into()
    }
}

#[test]
fn an_outside_signer_signs_pdfs_and_cms_once_each() {
    use p256::pkcs8::EncodePrivateKey;
    use std::sync::atomic::Ordering;
    let dir = common::scratch("sign-outside-signer");
    let key = p256::SecretKey::random(&mut rand_core::OsRng);
    let pem = key.to_pkcs8_pem(Default::default()).expect("pem");
    fs::write(dir.join("k.pem"), pem.as_bytes()).unwrap();
    // The certificate is OpenSSL's, for our key.
    let o = run(
        "openssl",
        &[
            "req",
            "-x509",
            "-key",
            p(&dir.join("k.pem")),
            "-subj",
            "/O=Outside Org/CN=Outside Signer",
            "-days",
            "30",
            "-addext",
            "keyUsage=critical,digitalSignature,nonRepudiation",
            "-out",
            p(&dir.join("c.pem")),
        ],
    );
    assert!(o.ok, "{}", o.text);
    let cert = sign::pem_to_der_certs(&fs::read_to_string(dir.join("c.pem")).unwrap())
        .unwrap()
        .remove(0);
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let signer = Box::new(OutsideKey {
        key: key.clone(),
        calls: calls.clone(),
    });
    let id = Identity::from_signer(signer, &cert, &[]).expect("identity");
    // One signature proves the certificate is the key's.
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(id.subject_cn(), "Outside Signer");
    assert_eq!(id.key_description(), "ECDSA P-256 (outside)");

    let signed = sign::sign_pdf(&sample_pdf(), &id, &opts(None)).expect("sign");
    // A PDF is one signature: a token wanting its PIN per signature asks once.
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let file = dir.join("outside.pdf");
    fs::write(&file, &signed).unwrap();
    let o = run("pdfsig", &[p(&file)]);
    assert!(o.text.contains("Signature is Valid"), "{}", o.text);
    let o = run(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--pretty-print",
            "--trust-replace",
            "--trust",
            p(&dir.join("c.pem")),
            p(&file),
        ],
    );
    assert!(o.ok && o.text.contains("judged VALID"), "{}", o.text);

    let p7s = sign::sign_detached(b"data", &id).expect("cms");
    fs::write(dir.join("d.bin"), b"data").unwrap();
    fs::write(dir.join("d.p7s"), &p7s).unwrap();
    let o = run(
        "openssl",
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            p(&dir.join("d.p7s")),
            "-content",
            p(&dir.join("d.bin")),
            "-CAfile",
            p(&dir.join("c.pem")),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(
        o.ok && o.text.contains("Verification successful"),
        "{}",
        o.text
    );

    // A certificate that is not the signer's is refused at once.
    let other = p256();
    let wrong = Identity::from_signer(
        Box::new(OutsideKey {
            key,
            calls: Default::default(),
        }),
        &other.id.cert_der(),
        &[],
    );
    assert!(
        matches!(&wrong, Err(e) if e.to_string().contains("does not belong to the key")),
        "{wrong:?}"
    );
}
