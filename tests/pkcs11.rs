//! Keys on a token, end to end with SoftHSM2: the test makes its own token
//! (its own SOFTHSM2_CONF and token folder under the target directory; the
//! user's ~/.config/softhsm2 is never read), imports keys made by OpenSSL
//! with `softhsm2-util --import` and certificates with `pkcs11-tool`, then
//! signs a report and a filing package through `--pkcs11-module`. The
//! oracles: pdfsig, pyHanko (`sign validate` with the test CA as the only
//! trust root) and `openssl cms -verify`.
//!
//! Needs: `apt-get install -y softhsm2 opensc poppler-utils openssl` and
//! pyHanko (scripts/setup.sh installs them). A missing tool fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "iovaudit test token";
const PIN: &str = "246810";
const SO_PIN: &str = "13579135";
const INSTALL: &str =
    "install SoftHSM2 and OpenSC: apt-get install -y softhsm2 opensc (scripts/setup.sh does)";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

struct Hsm {
    root: PathBuf,
    conf: PathBuf,
    project: PathBuf,
}

impl Hsm {
    /// A command that sees only the test's SoftHSM2 configuration (and a
    /// HOME inside the test folder, so nothing reads the user's files).
    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("SOFTHSM2_CONF", &self.conf)
            .env("HOME", self.root.join("home"))
            .env_remove("IOVAUDIT_PIN")
            .env_remove("IOVAUDIT_PASSWORD")
            .stdin(Stdio::null());
        c
    }

    fn iovaudit(&self) -> Command {
        let mut c = common::bin();
        c.env("SOFTHSM2_CONF", &self.conf)
            .env("HOME", self.root.join("home"))
            .env_remove("IOVAUDIT_PIN")
            .env_remove("IOVAUDIT_PASSWORD")
            .stdin(Stdio::null());
        c
    }
}

/// Runs a command; panics (naming it) when it cannot start or fails.
fn must(mut c: Command, what: &str) -> String {
    let out = c
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what} ({e}); {INSTALL}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed: {text}");
    text
}

fn out(mut c: Command) -> (i32, String, String) {
    let o = c.output().expect("run");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn openssl(dir: &Path, args: &[&str]) -> String {
    let mut c = Command::new("openssl");
    c.args(args).current_dir(dir);
    must(c, &format!("openssl {}", args.join(" ")))
}

/// One token with an RSA-2048 key (certificate and CA certificate on the
/// token) and an ECDSA P-256 key (certificate only in a file), both issued
/// by a test CA made by OpenSSL; and one demo project.
fn hsm() -> &'static Hsm {
    static H: OnceLock<Hsm> = OnceLock::new();
    H.get_or_init(|| {
        assert!(Path::new(MODULE).is_file(), "{MODULE} is missing; {INSTALL}");
        let root = common::scratch("pkcs11");
        let tokens = root.join("tokens");
        std::fs::create_dir_all(&tokens).expect("mkdir");
        std::fs::create_dir_all(root.join("home")).expect("mkdir");
        let conf = root.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .expect("write conf");
        let project = root.join("demo.iovaudit");
        let h = Hsm {
            root: root.clone(),
            conf,
            project,
        };

        let mut c = h.cmd("softhsm2-util");
        c.args([
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--so-pin",
            SO_PIN,
            "--pin",
            PIN,
        ]);
        must(c, "softhsm2-util --init-token");

        // The CA, and two signers issued by it (OpenSSL, not us).
        let d = &root;
        std::fs::write(
            d.join("signer.ext"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .expect("ext");
        openssl(d, &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
            "-subj", "/O=Token Test Lab/CN=Token Test CA", "-days", "30",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.pem"]);
        openssl(d, &["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key",
            "-subj", "/O=Token Test Lab/CN=Token RSA Signer", "-out", "rsa.csr"]);
        openssl(d, &["x509", "-req", "-in", "rsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "30", "-extfile", "signer.ext", "-out", "rsa.pem"]);
        openssl(d, &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", "ec.key"]);
        openssl(d, &["req", "-new", "-key", "ec.key", "-subj",
            "/O=Token Test Lab/CN=Token EC Signer", "-out", "ec.csr"]);
        openssl(d, &["x509", "-req", "-in", "ec.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "30", "-extfile", "signer.ext", "-out", "ec.pem"]);
        for k in ["rsa", "ec"] {
            openssl(d, &["pkcs8", "-topk8", "-nocrypt", "-in", &format!("{k}.key"), "-out",
                &format!("{k}.p8")]);
        }
        openssl(d, &["x509", "-in", "rsa.pem", "-outform", "DER", "-out", "rsa.der"]);
        openssl(d, &["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"]);
        let chain = format!(
            "{}{}",
            std::fs::read_to_string(d.join("ec.pem")).expect("ec.pem"),
            std::fs::read_to_string(d.join("ca.pem")).expect("ca.pem")
        );
        std::fs::write(d.join("ec-chain.pem"), chain).expect("chain");

        for (file, label, id) in [("rsa.p8", "report-rsa", "01"), ("ec.p8", "report-ec", "02")] {
            let mut c = h.cmd("softhsm2-util");
            c.args(["--import", s(&d.join(file)), "--token", TOKEN, "--label", label,
                "--id", id, "--pin", PIN]);
            must(c, "softhsm2-util --import");
        }
        // The RSA key's certificate and the CA certificate go on the token.
        for (file, label, id) in [("rsa.der", "report-rsa", "01"), ("ca.der", "Token Test CA", "ca")] {
            let mut c = h.cmd("pkcs11-tool");
            c.args(["--module", MODULE, "--token-label", TOKEN, "--login", "--pin", PIN,
                "--write-object", s(&d.join(file)), "--type", "cert", "--label", label,
                "--id", id]);
            must(c, "pkcs11-tool --write-object");
        }

        let r = common::run(&["demo", s(&h.project)]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        h
    })
}

fn pdfsig_valid(pdf: &Path) {
    let mut c = Command::new("pdfsig");
    c.arg(pdf);
    let (_, o, e) = out(c);
    assert!(
        o.contains("Signature is Valid"),
        "pdfsig does not accept {}: {o}{e}",
        pdf.display()
    );
}

fn pyhanko_valid(pdf: &Path, ca: &Path) {
    let mut c = Command::new("pyhanko");
    c.args([
        "sign",
        "validate",
        "--pretty-print",
        "--trust-replace",
        "--trust",
        s(ca),
        s(pdf),
    ]);
    let (code, o, e) = out(c);
    assert_eq!(code, 0, "pyHanko: {o}{e}");
    assert!(
        o.contains("judged VALID") && o.contains("certificate is trusted"),
        "pyHanko: {o}{e}"
    );
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

fn cms_verify(dir: &Path, ca: &Path) {
    let mut c = Command::new("openssl");
    c.args([
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
        s(ca),
        "-purpose",
        "any",
        "-out",
        "/dev/null",
    ])
    .current_dir(dir);
    let (code, o, e) = out(c);
    assert!(
        code == 0 && e.contains("Verification successful"),
        "openssl cms: {o}{e}"
    );
}

#[test]
fn rsa_key_on_the_token_signs_a_report_and_a_package() {
    let h = hsm();
    let ca = h.root.join("ca.pem");
    let pdf = h.root.join("report-rsa.pdf");
    let mut c = h.iovaudit();
    c.args([
        "--lang",
        "en",
        "report",
        s(&h.project),
        "--out",
        s(&pdf),
        "--pkcs11-module",
        MODULE,
        "--pkcs11-token",
        TOKEN,
        "--pkcs11-key",
        "report-rsa",
    ])
    .env("IOVAUDIT_PIN", PIN);
    let (code, o, e) = out(c);
    assert_eq!(code, 0, "{o}{e}");
    assert!(o.contains("(signed)"), "{o}");
    pdfsig_valid(&pdf);
    pyhanko_valid(&pdf, &ca);

    // The package: the PIN from standard input this time.
    let zip = h.root.join("filing-rsa.zip");
    let mut c = h.iovaudit();
    c.args([
        "package",
        "export",
        s(&h.project),
        "--out",
        s(&zip),
        "--pkcs11-module",
        MODULE,
        "--pkcs11-token",
        TOKEN,
        "--pkcs11-key",
        "report-rsa",
        "--pin-stdin",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{PIN}").expect("write pin");
    }
    let o = child.wait_with_output().expect("wait");
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = h.root.join("filing-rsa");
    unzip(&zip, &dir);
    cms_verify(&dir, &ca);
    pdfsig_valid(&dir.join("report.pdf"));
    pyhanko_valid(&dir.join("report.pdf"), &ca);
    // The chain found on the token travels with the package.
    let carried = std::fs::read_to_string(dir.join("certs/ca.pem")).expect("certs/ca.pem");
    let expected = std::fs::read_to_string(h.root.join("ca.pem")).expect("ca.pem");
    assert_eq!(carried.trim(), expected.trim());
}

#[test]
fn p256_key_on_the_token_with_its_certificate_from_a_file() {
    let h = hsm();
    let ca = h.root.join("ca.pem");
    let pdf = h.root.join("report-ec.pdf");
    let mut c = h.iovaudit();
    c.args([
        "report",
        s(&h.project),
        "--out",
        s(&pdf),
        "--pkcs11-module",
        MODULE,
        "--pkcs11-token",
        TOKEN,
        "--pkcs11-key",
        "report-ec",
        "--cert",
        s(&h.root.join("ec-chain.pem")),
    ])
    .env("IOVAUDIT_PIN", PIN);
    let (code, o, e) = out(c);
    assert_eq!(code, 0, "{o}{e}");
    pdfsig_valid(&pdf);
    pyhanko_valid(&pdf, &ca);

    let zip = h.root.join("filing-ec.zip");
    let mut c = h.iovaudit();
    c.args([
        "package",
        "export",
        s(&h.project),
        "--out",
        s(&zip),
        "--pkcs11-module",
        MODULE,
        "--pkcs11-token",
        TOKEN,
        "--pkcs11-key",
        "02",
        "--cert",
        s(&h.root.join("ec-chain.pem")),
    ])
    .env("IOVAUDIT_PIN", PIN);
    let (code, o, e) = out(c);
    assert_eq!(code, 0, "{o}{e}");
    let dir = h.root.join("filing-ec");
    unzip(&zip, &dir);
    cms_verify(&dir, &ca);
    pyhanko_valid(&dir.join("report.pdf"), &ca);

    // A certificate that is not the key's is refused before signing.
    let mut c = h.iovaudit();
    c.args([
        "--lang",
        "en",
        "report",
        s(&h.project),
        "--out",
        s(&h.root.join("x.pdf")),
        "--pkcs11-module",
        MODULE,
        "--pkcs11-token",
        TOKEN,
        "--pkcs11-key",
        "report-ec",
        "--cert",
        s(&h.root.join("rsa.pem")),
    ])
    .env("IOVAUDIT_PIN", PIN);
    let (code, _, e) = out(c);
    assert_eq!(code, 1, "{e}");
    assert!(
        e.contains("no certificate in") && e.contains("rsa.pem") && e.contains("report-ec"),
        "{e}"
    );
    assert!(!h.root.join("x.pdf").exists());
}

#[test]
fn identity_show_lists_tokens_keys_and_certificates() {
    let h = hsm();
    let mut c = h.iovaudit();
    c.args([
        "--lang",
        "en",
        "identity",
        "show",
        "--pkcs11-module",
        MODULE,
    ]);
    let (code, o, e) = out(c);
    assert_eq!(code, 0, "{o}{e}");
    assert!(o.contains(TOKEN) && o.contains("SoftHSM"), "{o}");

    let mut c = h.iovaudit();
    c.args([
        "--lang",
        "en",
        "identity",
        "show",
        "--pkcs11-module",
        MODULE,
        "--pkcs11-token",
        TOKEN,
    ])
    .env("IOVAUDIT_PIN", PIN);
    let (code, o, e) = out(c);
    assert_eq!(code, 0, "{o}{e}");
    assert!(o.contains("2 private key(s)"), "{o}");
    assert!(o.contains("report-rsa") && o.contains("RSA-2048"), "{o}");
    assert!(o.contains("report-ec") && o.contains("ECDSA P-256"), "{o}");
    assert!(
        o.contains("CN: Token RSA Signer") && o.contains("CN: Token Test CA"),
        "{o}"
    );
    // The fingerprint printed is the one OpenSSL computes.
    let fp = openssl(
        &h.root,
        &[
            "x509",
            "-in",
            "rsa.pem",
            "-noout",
            "-fingerprint",
            "-sha256",
        ],
    );
    let fp: String = fp
        .split('=')
        .nth(1)
        .expect("fingerprint")
        .trim()
        .replace(':', "")
        .to_ascii_lowercase();
    assert!(o.contains(&fp), "{fp} not in {o}");
}

#[test]
fn token_errors_are_clear_and_bilingual() {
    let h = hsm();
    let run = |lang: &str, module: &str, token: &str, key: &str, pin: &str| {
        let mut c = h.iovaudit();
        c.args([
            "--lang",
            lang,
            "report",
            s(&h.project),
            "--out",
            s(&h.root.join("never.pdf")),
            "--pkcs11-module",
            module,
            "--pkcs11-token",
            token,
            "--pkcs11-key",
            key,
        ])
        .env("IOVAUDIT_PIN", pin);
        let (code, _, e) = out(c);
        (code, e)
    };
    // Wrong PIN (one wrong try; SoftHSM locks only after many).
    let (code, e) = run("en", MODULE, TOKEN, "report-rsa", "000000");
    assert_eq!(code, 1);
    assert!(e.contains("wrong PIN") && e.contains(TOKEN), "{e}");
    let (_, e) = run("zh", MODULE, TOKEN, "report-rsa", "000000");
    assert!(e.contains("PIN 错误") && e.contains(TOKEN), "{e}");
    // No such token: the ones present are named.
    let (code, e) = run("en", MODULE, "no such token", "report-rsa", PIN);
    assert_eq!(code, 1);
    assert!(
        e.contains("no token labelled \"no such token\"") && e.contains(TOKEN),
        "{e}"
    );
    let (_, e) = run("zh", MODULE, "no such token", "report-rsa", PIN);
    assert!(e.contains("没有标签为") && e.contains(TOKEN), "{e}");
    // No such key: the keys present are named.
    let (code, e) = run("en", MODULE, TOKEN, "nokey", PIN);
    assert_eq!(code, 1);
    assert!(
        e.contains("no private key labelled")
            && e.contains("report-rsa")
            && e.contains("report-ec"),
        "{e}"
    );
    let (_, e) = run("zh", MODULE, TOKEN, "nokey", PIN);
    assert!(e.contains("没有标签") && e.contains("report-ec"), "{e}");
    // A module that is not one.
    let not_module = h.root.join("softhsm2.conf");
    let (code, e) = run("en", s(&not_module), TOKEN, "report-rsa", PIN);
    assert_eq!(code, 1);
    assert!(
        e.contains("cannot load the PKCS#11 module") && e.contains("softhsm2.conf"),
        "{e}"
    );
    let (_, e) = run("zh", "/nonexistent/libpkcs11.so", TOKEN, "report-rsa", PIN);
    assert!(
        e.contains("无法加载 PKCS#11 模块") && e.contains("/nonexistent/libpkcs11.so"),
        "{e}"
    );
    assert!(!h.root.join("never.pdf").exists());
    // The token still works afterwards (the wrong PINs did not lock it).
    let mut c = h.iovaudit();
    c.args([
        "identity",
        "show",
        "--pkcs11-module",
        MODULE,
        "--pkcs11-token",
        TOKEN,
    ])
    .env("IOVAUDIT_PIN", PIN);
    assert_eq!(out(c).0, 0);
}
