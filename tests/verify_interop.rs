//! `iovaudit verify` as a general PDF signature validator, on PDFs signed by
//! other tools in this test: pyHanko (one and two signatures, PAdES with a
//! DSS, a document timestamp from pyHanko's own test TSA), OpenSSL-made CMS
//! put into a PDF by a small script (no signed attributes; adbe.pkcs7.sha1;
//! a damaged cross-reference section), a content change appended after
//! signing, a flipped byte, junk appended after the last revision. Every
//! verdict is compared with `pyhanko sign validate` (signature by
//! signature, its one-line summary) and with `pdfsig`.
//! Oracles (openssl, pyhanko, pdfsig, qpdf, python3) come from
//! `scripts/setup.sh`; a missing one fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use iovaudit::sign::{self, evidence_status, ModificationLevel, SignatureKind, SignatureStatus};

const PAGE: &str = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>";

/// Appends a signature made by `openssl cms` (see the docstring inside).
const INSERT_PY: &str = r#"
# Appends a signature made by `openssl cms` to a PDF whose catalog is object 1
# and whose first page is object 3 (its dictionary given), as one incremental
# update. mode: noattr (no signed attributes) | sha1 (adbe.pkcs7.sha1) |
# attrs. BROKEN_XREF=1 writes the update's cross-reference section with
# wrong offsets and a wrong startxref (a damaged file, signed as it is).
import sys, re, subprocess, os, hashlib, binascii
src, dst, mode, key, cert, ca, page, work = sys.argv[1:9]
broken = os.environ.get('BROKEN_XREF') == '1'
data = open(src, 'rb').read()
prev = int(re.findall(rb'startxref\s+(\d+)', data)[-1])
size = max(int(x) for x in re.findall(rb'/Size\s+(\d+)', data))
sig_id, field_id = size, size + 1
subfilter = {'noattr': 'adbe.pkcs7.detached', 'attrs': 'adbe.pkcs7.detached', 'sha1': 'adbe.pkcs7.sha1', 'external': 'adbe.pkcs7.detached'}[mode]
placeholder = '0' * 16384
objs = {
    1: '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%d 0 R] /SigFlags 3 >> >>' % field_id,
    3: page.replace('>>', ' /Annots [%d 0 R] >>' % field_id, 1),
    sig_id: '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /%s /ByteRange [0 0000000000 0000000000 0000000000] /Contents <%s> /M (D:20250601100000+08\'00\') >>' % (subfilter, placeholder),
    field_id: '<< /Type /Annot /Subtype /Widget /FT /Sig /T (OpenSSL %s) /V %d 0 R /P 3 0 R /Rect [0 0 0 0] /F 132 >>' % (mode, sig_id),
}
out = bytearray(data)
if not out.endswith(b'\n'):
    out += b'\n'
offsets = {}
for n in sorted(objs):
    offsets[n] = len(out)
    out += ('%d 0 obj\n%s\nendobj\n' % (n, objs[n])).encode('latin-1')
xref = len(out)
out += b'xref\n0 1\n0000000000 65535 f \n'
for n in sorted(objs):
    off = offsets[n] + (7777 if broken else 0)
    out += ('%d 1\n%010d 00000 n \n' % (n, off)).encode()
out += ('trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' % (field_id + 1, prev, xref + (999 if broken else 0))).encode()
a = out.index(b'/Contents <', offsets[sig_id]) + len('/Contents ')
b = out.index(b'>', a) + 1
c = len(out) - b
br = b'[0 %010d %010d %010d]' % (a, b, c)
p = out.index(b'[0 0000000000 0000000000 0000000000]', offsets[sig_id])
out[p:p + len(br)] = br
signed = bytes(out[:a]) + bytes(out[b:])
sb = os.path.join(work, 'signed-bytes-%s.bin' % mode)
sd = os.path.join(work, 'sig-%s.der' % mode)
if mode == 'external':
    # The caller signs signed-bytes-external.bin and fills /Contents itself.
    open(sb, 'wb').write(signed)
    open(dst, 'wb').write(bytes(out))
    sys.exit(0)
if mode == 'sha1':
    open(sb, 'wb').write(hashlib.sha1(signed).digest())
    args = ['-nodetach', '-md', 'sha1']
else:
    open(sb, 'wb').write(signed)
    args = ['-md', 'sha256'] + (['-noattr'] if mode == 'noattr' else [])
subprocess.run(['openssl', 'cms', '-sign', '-binary', '-in', sb, '-signer', cert, '-inkey', key,
                '-certfile', ca, '-outform', 'DER', '-out', sd] + args, check=True)
h = binascii.hexlify(open(sd, 'rb').read())
assert len(h) <= len(placeholder)
out[a + 1:a + 1 + len(h)] = h
open(dst, 'wb').write(bytes(out))
"#;

/// Appends an update replacing object 4 (the page content): not allowed.
const MODIFY_PY: &str = r#"
import sys, re
src, dst = sys.argv[1:3]
data = open(src, 'rb').read()
prev = int(re.findall(rb'startxref\s+(\d+)', data)[-1])
size = max(int(x) for x in re.findall(rb'/Size\s+(\d+)', data))
content = b'BT /F1 24 Tf 72 720 Td (Hello CHANGED) Tj ET'
out = bytearray(data)
off = len(out)
out += b'4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n' % (len(content), content)
xref = len(out)
out += b'xref\n0 1\n0000000000 65535 f \n4 1\n%010d 00000 n \n' % off
out += b'trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' % (size, prev, xref)
open(dst, 'wb').write(bytes(out))
"#;

/// A document timestamp (ETSI.RFC3161) through pyHanko's API, from its
/// in-process test TSA (`DummyTimeStamper`) with our TSA key and certificate.
const TIMESTAMP_PY: &str = r#"
import sys
from pyhanko.sign import signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.keys import load_private_key_from_pemder, load_cert_from_pemder
src, dst, tsa_cert, tsa_key, ca = sys.argv[1:6]
ts = DummyTimeStamper(tsa_cert=load_cert_from_pemder(tsa_cert),
                      tsa_key=load_private_key_from_pemder(tsa_key, None),
                      certs_to_embed=[load_cert_from_pemder(ca)])
with open(src, 'rb') as f:
    w = IncrementalPdfFileWriter(f)
    with open(dst, 'wb') as out:
        signers.PdfTimeStamper(ts).timestamp_pdf(w, 'sha256', output=out)
"#;

struct Out {
    ok: bool,
    text: String,
}

fn run(cmd: &str, args: &[&str], dir: &Path) -> Out {
    let o = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} (installed by scripts/setup.sh): {e}"));
    Out {
        ok: o.status.success(),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    }
}

fn must(cmd: &str, args: &[&str], dir: &Path) {
    let o = run(cmd, args, dir);
    assert!(o.ok, "{cmd} {args:?}: {}", o.text);
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

struct Fx {
    dir: PathBuf,
    ca_der: Vec<u8>,
    base: PathBuf,
    /// pyHanko: one RSA signature (adbe.pkcs7.detached).
    one: PathBuf,
    /// + a second, PAdES, P-384.
    two: PathBuf,
    /// one + a PAdES signature with validation info (a DSS revision after it).
    dss: PathBuf,
    /// two + a document timestamp.
    ts: PathBuf,
    /// pyHanko, RSASSA-PSS.
    pss: PathBuf,
    /// OpenSSL CMS without signed attributes.
    noattr: PathBuf,
    /// OpenSSL, adbe.pkcs7.sha1.
    sha1: PathBuf,
    /// OpenSSL with signed attributes, in a file whose last xref is damaged.
    broken: PathBuf,
    /// one + an update changing the page content.
    modified: PathBuf,
}

fn fx() -> &'static Fx {
    static F: OnceLock<Fx> = OnceLock::new();
    F.get_or_init(|| {
        let dir = common::scratch("verify_interop");
        let d = dir.as_path();
        std::fs::write(dir.join("leaf.ext"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n").unwrap();
        std::fs::write(dir.join("tsa.ext"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\n").unwrap();
        must("openssl", &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "365", "-subj", "/CN=Interop Root CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], d);
        for (name, newkey, subj, ext) in [
            ("rsa", vec!["-newkey", "rsa:2048"], "/CN=RSA Signer/O=Lab A", "leaf.ext"),
            ("p384", vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"], "/CN=P384 Signer/O=Lab B", "leaf.ext"),
            ("tsa", vec!["-newkey", "rsa:2048"], "/CN=Interop TSA", "tsa.ext"),
        ] {
            let key = format!("{name}.key");
            let csr = format!("{name}.csr");
            let mut args = vec!["req"];
            args.extend(newkey);
            args.extend(["-nodes", "-keyout", &key, "-out", &csr, "-subj", subj]);
            must("openssl", &args, d);
            must("openssl", &["x509", "-req", "-in", &csr, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", &format!("{name}.pem"), "-days", "300", "-extfile", ext], d);
        }
        let ca_pem = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
        let ca_der = sign::pem_to_der_certs(&ca_pem).unwrap().remove(0);

        // The unsigned document, rewritten by qpdf.
        let content = b"BT /F1 24 Tf 72 720 Td (Hello signed) Tj ET";
        let raw = common::pdf(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            PAGE.as_bytes().to_vec(),
            common::stream("", content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ]);
        std::fs::write(dir.join("raw.pdf"), raw).unwrap();
        must("qpdf", &["--object-streams=disable", "--stream-data=uncompress", "raw.pdf", "base.pdf"], d);

        let pem = |field: &str, pades: bool, dss: bool, key: &str, src: &str, dst: &str| {
            let mut a = vec!["sign", "addsig", "--field", field];
            if pades {
                a.push("--use-pades");
            }
            if dss {
                a.extend(["--with-validation-info", "--trust", "ca.pem", "--trust-replace"]);
            }
            let k = format!("{key}.key");
            let c = format!("{key}.pem");
            a.extend(["pemder", "--key", &k, "--cert", &c, "--chain", "ca.pem", "--no-pass", src, dst]);
            must("pyhanko", &a, d);
        };
        pem("Sig1", false, false, "rsa", "base.pdf", "one.pdf");
        pem("Sig2", true, false, "p384", "one.pdf", "two.pdf");
        pem("Sig3", true, true, "rsa", "one.pdf", "dss.pdf");
        // RSASSA-PSS.
        must("pyhanko", &["sign", "addsig", "--field", "Pss", "--prefer-pss", "pemder", "--key", "rsa.key", "--cert", "rsa.pem", "--chain", "ca.pem", "--no-pass", "base.pdf", "pss.pdf"], d);
        std::fs::write(dir.join("ts.py"), TIMESTAMP_PY).unwrap();
        must("python3", &["ts.py", "two.pdf", "ts.pdf", "tsa.pem", "tsa.key", "ca.pem"], d);
        std::fs::write(dir.join("insert.py"), INSERT_PY).unwrap();
        for mode in ["noattr", "sha1"] {
            must("python3", &["insert.py", "base.pdf", &format!("{mode}.pdf"), mode, "rsa.key", "rsa.pem", "ca.pem", PAGE, s(&dir)], d);
        }
        let o = Command::new("python3")
            .args(["insert.py", "base.pdf", "broken.pdf", "attrs", "rsa.key", "rsa.pem", "ca.pem", PAGE, s(&dir)])
            .env("BROKEN_XREF", "1")
            .current_dir(d)
            .output()
            .expect("python3");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::write(dir.join("modify.py"), MODIFY_PY).unwrap();
        must("python3", &["modify.py", "one.pdf", "modified.pdf"], d);
        Fx {
            ca_der,
            base: dir.join("base.pdf"),
            one: dir.join("one.pdf"),
            two: dir.join("two.pdf"),
            dss: dir.join("dss.pdf"),
            ts: dir.join("ts.pdf"),
            pss: dir.join("pss.pdf"),
            noattr: dir.join("noattr.pdf"),
            sha1: dir.join("sha1.pdf"),
            broken: dir.join("broken.pdf"),
            modified: dir.join("modified.pdf"),
            dir,
        }
    })
}

fn ours(f: &Fx, file: &Path) -> sign::PdfValidation {
    let bytes = std::fs::read(file).unwrap();
    sign::validate_pdf(&bytes, std::slice::from_ref(&f.ca_der)).expect("validate_pdf")
}

/// `pyhanko sign validate` one-line summaries: `FIELD:SHA256:SUMMARY`.
fn pyhanko(f: &Fx, file: &Path) -> (bool, Vec<String>) {
    let o = run(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust-replace",
            "--trust",
            "ca.pem",
            s(file),
        ],
        &f.dir,
    );
    let lines = o
        .text
        .lines()
        .filter(|l| {
            l.split(':').count() >= 3 && (l.contains(":INTACT:") || l.ends_with(":INVALID"))
        })
        .map(str::to_string)
        .collect();
    (o.ok, lines)
}

/// Our verdict on every signature pyHanko reports equals pyHanko's.
fn same_as_pyhanko(f: &Fx, file: &Path) -> sign::PdfValidation {
    let v = ours(f, file);
    let (ok, lines) = pyhanko(f, file);
    let signatures: Vec<_> = v
        .signatures
        .iter()
        .filter(|c| c.kind == SignatureKind::Signature && c.subfilter != "adbe.pkcs7.sha1")
        .collect();
    assert_eq!(
        lines.len(),
        signatures.len(),
        "pyhanko: {lines:?}\nours: {v:#?}"
    );
    for line in &lines {
        let field = line.split(':').next().unwrap_or_default();
        let c = signatures
            .iter()
            .find(|c| c.field == field)
            .unwrap_or_else(|| panic!("pyhanko names {field}, we do not: {v:#?}"));
        let sha = c
            .signer
            .as_ref()
            .map(|x| x.cert_sha256.clone())
            .unwrap_or_default();
        let mine = format!("{field}:{sha}:{}", c.pyhanko_summary());
        assert_eq!(&mine, line, "{}: ours vs pyhanko\n{c:#?}", file.display());
    }
    // pyHanko's exit status: 0 exactly when every signature is fine.
    assert_eq!(ok, v.ok, "{}: pyhanko exit vs ours: {v:#?}", file.display());
    v
}

fn pdfsig_valid(f: &Fx, file: &Path) -> usize {
    let o = run("pdfsig", &[s(file)], &f.dir);
    o.text.matches("Signature is Valid").count()
}

#[test]
fn pyhanko_signatures_get_pyhankos_verdicts() {
    let f = fx();
    // One signature, untouched.
    let v = same_as_pyhanko(f, &f.one);
    assert!(v.ok && v.signatures.len() == 1, "{v:#?}");
    let c = &v.signatures[0];
    assert!(c.coverage.entire_file && c.status == SignatureStatus::Valid);
    assert_eq!(c.subfilter, "adbe.pkcs7.detached");
    assert_eq!(c.signer.as_ref().unwrap().common_name, "RSA Signer");
    assert!(c.claimed_time.is_some());
    assert_eq!(pdfsig_valid(f, &f.one), 1);

    // Two: the first extended by a further signature (allowed), the second
    // PAdES with ECDSA P-384.
    let v = same_as_pyhanko(f, &f.two);
    assert_eq!(v.signatures.len(), 2);
    let (a, b) = (&v.signatures[0], &v.signatures[1]);
    assert_eq!(a.coverage.revision, Some(2));
    assert_eq!(v.revisions, 3);
    assert_eq!(
        a.coverage.modification_level,
        ModificationLevel::FormFilling
    );
    assert!(b.coverage.entire_file && b.subfilter == "ETSI.CAdES.detached");
    assert_eq!(b.signer.as_ref().unwrap().common_name, "P384 Signer");
    assert_eq!(b.ess, sign::EssStatus::Matches);
    assert_eq!(pdfsig_valid(f, &f.two), 2);

    // A DSS added after a PAdES signature: LTA updates.
    let v = same_as_pyhanko(f, &f.dss);
    let last = v.signatures.last().unwrap();
    assert_eq!(
        last.coverage.modification_level,
        ModificationLevel::LtaUpdates,
        "{last:#?}"
    );
    assert!(last
        .coverage
        .later_changes
        .iter()
        .any(|c| c.allowed && c.what.en.contains("DSS")));

    // A document timestamp on top.
    let v = same_as_pyhanko(f, &f.ts);
    let ts = v.signatures.last().unwrap();
    assert_eq!(ts.kind, SignatureKind::DocumentTimestamp);
    assert_eq!(ts.subfilter, "ETSI.RFC3161");
    assert!(
        ts.coverage.entire_file && ts.status == SignatureStatus::Valid,
        "{ts:#?}"
    );
    let t = ts.timestamp.as_ref().unwrap();
    assert!(t.imprint_ok && t.signature_ok && t.trusted == Some(true) && t.time.is_some());
    assert_eq!(ts.signer.as_ref().unwrap().common_name, "Interop TSA");
    assert_eq!(
        v.signatures[1].coverage.modification_level,
        ModificationLevel::LtaUpdates
    );
    // pdfsig checks the two signatures (it cannot check the timestamp).
    assert_eq!(pdfsig_valid(f, &f.ts), 2);

    // RSASSA-PSS.
    let v = same_as_pyhanko(f, &f.pss);
    assert!(v.ok, "{v:#?}");
    assert_eq!(v.signatures[0].signature_algorithm, "RSASSA-PSS");
    assert_eq!(pdfsig_valid(f, &f.pss), 1);
}

#[test]
fn flipped_bytes_and_cuts_never_pass_and_never_panic() {
    let f = fx();
    let good = std::fs::read(&f.ts).unwrap();
    let v = sign::validate_pdf(&good, &[]).unwrap();
    // The /Contents values are outside every signed range by design.
    let gaps: Vec<(usize, usize)> = v
        .signatures
        .iter()
        .map(|c| {
            let br = &c.coverage.byte_range;
            (br[1] as usize, br[2] as usize)
        })
        .collect();
    for at in (0..good.len()).step_by(good.len() / 80 + 1) {
        if gaps.iter().any(|&(a, b)| (a..b).contains(&at)) {
            continue;
        }
        let mut bad = good.clone();
        bad[at] ^= 0x5a;
        if let Ok(v) = sign::validate_pdf(&bad, &[]) {
            assert!(!v.ok, "a flip at {at} still passes: {v:#?}");
        }
    }
    for cut in (0..good.len()).step_by(good.len() / 40 + 1) {
        if let Ok(v) = sign::validate_pdf(&good[..cut], &[]) {
            assert!(!v.ok, "cut at {cut} passes");
        }
    }
}

#[test]
fn openssl_signatures_without_attributes_and_sha1_verify() {
    let f = fx();
    let v = same_as_pyhanko(f, &f.noattr);
    let c = &v.signatures[0];
    assert!(
        v.ok && !c.signed_attributes && c.status == SignatureStatus::Valid,
        "{v:#?}"
    );
    assert_eq!(pdfsig_valid(f, &f.noattr), 1);

    // adbe.pkcs7.sha1: pyHanko skips it ("unsupported SubFilter"); pdfsig
    // checks it, and so do we.
    let v = ours(f, &f.sha1);
    let c = &v.signatures[0];
    assert!(v.ok && c.subfilter == "adbe.pkcs7.sha1", "{v:#?}");
    assert_eq!(c.digest_algorithm, "SHA-1");
    assert_eq!(pdfsig_valid(f, &f.sha1), 1);
    let (_, lines) = pyhanko(f, &f.sha1);
    assert!(lines.is_empty(), "{lines:?}");
}

#[test]
fn a_content_change_after_signing_is_named() {
    let f = fx();
    let v = same_as_pyhanko(f, &f.modified);
    let c = &v.signatures[0];
    assert_eq!(c.status, SignatureStatus::ModifiedAfterSigning, "{c:#?}");
    assert!(c.intact());
    assert!(
        c.coverage
            .later_changes
            .iter()
            .any(|ch| !ch.allowed && ch.what.en.contains("page content stream (object 4 0)")),
        "{c:#?}"
    );
    let r = common::run(&[
        "--lang",
        "en",
        "verify",
        s(&f.modified),
        "--trust",
        s(&f.dir.join("ca.pem")),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("modified after signing"), "{}", r.stdout);
    assert!(r.stdout.contains("covers revision 2 of 3"), "{}", r.stdout);
    assert!(
        r.stdout.contains("was changed after signing"),
        "{}",
        r.stdout
    );
    // pdfsig: the signature itself is fine, it does not cover the file.
    let o = run("pdfsig", &[s(&f.modified)], &f.dir);
    assert!(
        o.text.contains("Signature is Valid") && o.text.contains("Not total document signed"),
        "{}",
        o.text
    );
}

#[test]
fn a_flipped_byte_breaks_every_signature_over_it() {
    let f = fx();
    let mut bytes = std::fs::read(&f.two).unwrap();
    let at = bytes
        .windows(10)
        .position(|w| w == b"Hello sign")
        .expect("the page text")
        + 6;
    bytes[at] = b'6';
    let bad = f.dir.join("tampered.pdf");
    std::fs::write(&bad, &bytes).unwrap();
    let v = same_as_pyhanko(f, &bad);
    assert!(!v.ok);
    assert!(v
        .signatures
        .iter()
        .all(|c| c.status == SignatureStatus::Invalid && !c.digest_ok));
    assert_eq!(pdfsig_valid(f, &bad), 0);
    let r = common::run(&["--lang", "en", "verify", s(&bad)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("FAILED") && r.stdout.contains("digest mismatch"),
        "{}",
        r.stdout
    );
}

#[test]
fn damaged_cross_references_are_still_checked() {
    let f = fx();
    // Signed with its cross-reference section damaged: qpdf has to
    // reconstruct it, pdfsig still verifies, and so do we (whole file).
    let o = run("qpdf", &["--check", s(&f.broken)], &f.dir);
    assert!(
        o.text.contains("damaged") || o.text.contains("reconstruct"),
        "{}",
        o.text
    );
    assert_eq!(pdfsig_valid(f, &f.broken), 1);
    let v = ours(f, &f.broken);
    let c = &v.signatures[0];
    assert!(
        v.ok && c.coverage.entire_file && c.status == SignatureStatus::Valid,
        "{v:#?}"
    );

    // Junk appended after the last revision: the signature is intact and
    // covers revision 2; what follows cannot be read, so it is not allowed.
    let mut bytes = std::fs::read(&f.one).unwrap();
    bytes.extend_from_slice(
        b"xref\n0 3\ngarbage\ntrailer\n<< /Size 99 /Prev 123456 >>\nstartxref\n777777\n%%EOF\n",
    );
    let junk = f.dir.join("junk.pdf");
    std::fs::write(&junk, &bytes).unwrap();
    let v = ours(f, &junk);
    let c = &v.signatures[0];
    assert!(c.intact(), "{c:#?}");
    assert_eq!(c.coverage.revision, Some(2));
    assert_eq!(c.status, SignatureStatus::ModifiedAfterSigning);
    assert!(!v.ok);
    let o = run("pdfsig", &[s(&junk)], &f.dir);
    assert!(
        o.text.contains("Signature is Valid") && o.text.contains("Not total document signed"),
        "{}",
        o.text
    );
    // pyHanko cannot read the file at all.
    let (ok, lines) = pyhanko(f, &junk);
    assert!(!ok && lines.is_empty());

    // A truncated file: refused or failed, never valid, never a panic.
    let cut = &bytes[..bytes.len() / 2];
    if let Ok(v) = sign::validate_pdf(cut, &[]) {
        assert!(!v.ok);
    }
}

#[test]
fn the_cli_speaks_both_languages_and_json() {
    let f = fx();
    let ca = f.dir.join("ca.pem");
    let r = common::run(&["--lang", "en", "verify", s(&f.ts), "--trust", s(&ca)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for want in [
        "PASSED",
        "document timestamp",
        "covers revision 2 of 4",
        "covers the entire file",
        "Interop TSA",
        "signer: CN=P384 Signer, O=Lab B",
        "another signature was added",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?}:\n{}", r.stdout);
    }
    let r = common::run(&["--lang", "zh", "verify", s(&f.ts), "--trust", s(&ca)]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("通过") && r.stdout.contains("覆盖第 2 版（共 4 版）"),
        "{}",
        r.stdout
    );
    // Without trust anchors: integrity only, exit 0 as before.
    let r = common::run(&["--lang", "en", "verify", s(&f.two)]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("INTEGRITY PASSED"), "{}", r.stdout);
    // JSON.
    let r = common::run(&["verify", s(&f.two), "--json"]);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(j["verification"]["kind"], "pdf");
    assert_eq!(j["verification"]["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(
        j["verification"]["signatures"][0]["coverage"]["modification_level"],
        "form_filling"
    );
    assert_eq!(j["verification"]["signatures"][1]["status"], "valid");
    // An unsigned PDF fails.
    let r = common::run(&["--lang", "en", "verify", s(&f.base)]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("carries no signature"), "{}", r.stdout);
}

#[test]
fn signed_pdfs_as_evidence_get_a_stored_status() {
    let f = fx();
    let read = |p: &Path| std::fs::read(p).unwrap();
    let st = evidence_status::pdf_signature_status(&read(&f.ts)).expect("signed");
    assert_eq!(st.status, evidence_status::Overall::Valid);
    assert_eq!(st.signatures.len(), 3);
    assert!(st.summary.en.contains("3 signature(s)"), "{:?}", st.summary);
    let modified = evidence_status::pdf_signature_status(&read(&f.modified)).unwrap();
    assert_eq!(
        modified.status,
        evidence_status::Overall::ModifiedAfterSigning
    );
    let mut bad = read(&f.one);
    let at = bad
        .windows(10)
        .position(|w| w == b"Hello sign")
        .expect("the page text")
        + 6;
    bad[at] = b'6';
    assert_eq!(
        evidence_status::pdf_signature_status(&bad).unwrap().status,
        evidence_status::Overall::Invalid
    );
    let untrusted =
        evidence_status::pdf_signature_status_with(&read(&f.one), &[ours_other_ca(f)]).unwrap();
    assert_eq!(untrusted.status, evidence_status::Overall::SignerNotTrusted);
    assert!(evidence_status::pdf_signature_status(&read(&f.base)).is_none());
    assert!(evidence_status::pdf_signature_status(b"not a pdf").is_none());
    assert_eq!(evidence_status::status_of_file(&f.ts).as_ref(), Some(&st));
    assert!(evidence_status::status_of_file(&f.dir.join("ca.pem")).is_none());

    // What the evidence module stores (tests/evidence_signed.rs covers the
    // table): the status survives a JSON round trip.
    let json = serde_json::to_string(&modified).unwrap();
    let back: evidence_status::PdfSignatureStatus = serde_json::from_str(&json).unwrap();
    assert_eq!(back, modified);
}

/// A CA that did not issue anything here.
fn ours_other_ca(f: &Fx) -> Vec<u8> {
    must(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "other.key",
            "-out",
            "other.pem",
            "-days",
            "30",
            "-subj",
            "/CN=Other CA",
        ],
        &f.dir,
    );
    let pem = std::fs::read_to_string(f.dir.join("other.pem")).unwrap();
    sign::pem_to_der_certs(&pem).unwrap().remove(0)
}

/// `SEQUENCE { r, s }`: an SM2 signature in DER.
#[derive(der::Sequence)]
struct RsSig<'a> {
    r: der::asn1::UintRef<'a>,
    s: der::asn1::UintRef<'a>,
}

/// No tool here writes an SM2 CMS into a PDF (OpenSSL 3.0's `cms -sign`
/// fails with SM2, pdfsig and pyHanko do not check SM2): the CMS is built
/// here with the `sm2` crate over the layout the script made, and its raw
/// signature is checked by `openssl dgst -sm3 -sigopt distid:…`.
#[test]
fn an_sm2_signature_verifies_where_present() {
    use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
    use cms::content_info::{CmsVersion, ContentInfo};
    use cms::signed_data::{
        CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo,
        SignerInfos,
    };
    use der::asn1::{ObjectIdentifier as Oid, OctetString, SetOfVec};
    use der::{Any, Decode, Encode};
    use sha2::Digest;
    use sm2::dsa::signature::Signer;

    let f = fx();
    let d = f.dir.as_path();
    must(
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:SM2",
            "-out",
            "sm2.key",
        ],
        d,
    );
    must(
        "openssl",
        &[
            "pkey", "-in", "sm2.key", "-outform", "DER", "-out", "sm2.der",
        ],
        d,
    );
    must(
        "openssl",
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "sm2.key",
            "-sm3",
            "-sigopt",
            "distid:1234567812345678",
            "-subj",
            "/CN=SM2 Signer",
            "-days",
            "30",
            "-out",
            "sm2.pem",
        ],
        d,
    );
    must(
        "openssl",
        &[
            "x509",
            "-in",
            "sm2.pem",
            "-pubkey",
            "-noout",
            "-out",
            "sm2-pub.pem",
        ],
        d,
    );
    must(
        "python3",
        &[
            "insert.py",
            "base.pdf",
            "sm2.pdf",
            "external",
            "-",
            "-",
            "-",
            PAGE,
            s(&f.dir),
        ],
        d,
    );

    let cert_pem = std::fs::read_to_string(f.dir.join("sm2.pem")).unwrap();
    let cert_der = sign::pem_to_der_certs(&cert_pem).unwrap().remove(0);
    let cert = x509_cert::Certificate::from_der(&cert_der).unwrap();
    let key =
        sm2::SecretKey::from_sec1_der(&std::fs::read(f.dir.join("sm2.der")).unwrap()).unwrap();
    let signed = std::fs::read(f.dir.join("signed-bytes-external.bin")).unwrap();
    let digest = sm3::Sm3::digest(&signed);

    let oid = |s: &str| Oid::new_unwrap(s);
    let attr = |o: Oid, v: Any| x509_cert::attr::Attribute {
        oid: o,
        values: SetOfVec::try_from(vec![v]).unwrap(),
    };
    let attrs: SetOfVec<x509_cert::attr::Attribute> = SetOfVec::try_from(vec![
        attr(
            oid("1.2.840.113549.1.9.3"),
            Any::encode_from(&oid("1.2.840.113549.1.7.1")).unwrap(),
        ),
        attr(
            oid("1.2.840.113549.1.9.4"),
            Any::encode_from(&OctetString::new(digest.to_vec()).unwrap()).unwrap(),
        ),
    ])
    .unwrap();
    let to_sign = attrs.to_der().unwrap();
    let sk = sm2::dsa::SigningKey::new("1234567812345678", &key).unwrap();
    let sig: sm2::dsa::Signature = sk.sign(&to_sign);
    let rs = sig.to_bytes();
    let sig_der = RsSig {
        r: der::asn1::UintRef::new(&rs[..32]).unwrap(),
        s: der::asn1::UintRef::new(&rs[32..]).unwrap(),
    }
    .to_der()
    .unwrap();
    // The oracle: OpenSSL verifies the raw SM2 signature with the default id.
    std::fs::write(f.dir.join("sm2-attrs.der"), &to_sign).unwrap();
    std::fs::write(f.dir.join("sm2-sig.der"), &sig_der).unwrap();
    let o = run(
        "openssl",
        &[
            "dgst",
            "-sm3",
            "-sigopt",
            "distid:1234567812345678",
            "-verify",
            "sm2-pub.pem",
            "-signature",
            "sm2-sig.der",
            "sm2-attrs.der",
        ],
        d,
    );
    assert!(o.text.contains("Verified OK"), "{}", o.text);

    let sm3_alg = spki::AlgorithmIdentifierOwned {
        oid: oid("1.2.156.10197.1.401"),
        parameters: None,
    };
    let si = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sm3_alg.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: spki::AlgorithmIdentifierOwned {
            oid: oid("1.2.156.10197.1.501"),
            parameters: None,
        },
        signature: OctetString::new(sig_der).unwrap(),
        unsigned_attrs: None,
    };
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sm3_alg]).unwrap(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid("1.2.840.113549.1.7.1"),
            econtent: None,
        },
        certificates: Some(CertificateSet(
            SetOfVec::try_from(vec![CertificateChoices::Certificate(cert)]).unwrap(),
        )),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![si]).unwrap()),
    };
    let ci = ContentInfo {
        content_type: oid("1.2.840.113549.1.7.2"),
        content: Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap();
    let hexed: String = ci.iter().map(|b| format!("{b:02x}")).collect();
    let mut pdf = std::fs::read(f.dir.join("sm2.pdf")).unwrap();
    let at = pdf
        .windows(14)
        .rposition(|w| w == b"/Contents <000")
        .unwrap()
        + 11;
    pdf[at..at + hexed.len()].copy_from_slice(hexed.as_bytes());

    let v = sign::validate_pdf(&pdf, std::slice::from_ref(&cert_der)).unwrap();
    let c = &v.signatures[0];
    assert!(v.ok && c.status == SignatureStatus::Valid, "{v:#?}");
    assert_eq!(c.signature_algorithm, "SM2-with-SM3");
    assert_eq!(c.digest_algorithm, "SM3");
    assert_eq!(c.trusted, Some(true));
    let mut bad = pdf.clone();
    let at = bad.windows(10).position(|w| w == b"Hello sign").unwrap() + 6;
    bad[at] = b'6';
    let v = sign::validate_pdf(&bad, &[]).unwrap();
    assert_eq!(v.signatures[0].status, SignatureStatus::Invalid);
}
