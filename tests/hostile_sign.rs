//! Hostile input, generated here, thrown at the signature readers (`iovaudit
//! verify` on a PDF, PKCS#12 loading, trust anchors): each must end in a
//! clear error naming the file within seconds, never a crash, and the CLI
//! doing it must stay under [`BUDGET`] of peak resident memory (GNU time on
//! the child, as in `tests/hostile.rs`).

mod common;
use common::scratch;
use common::{pdf, stream};
use iovaudit::sign::{self, KeyAlgo, NewIdentity, PdfSignOptions};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Peak resident memory any hostile input may cost (bytes).
const BUDGET: u64 = 512 * 1024 * 1024;
/// Wall time any hostile input may cost (debug build, 2 cores).
const TIME: Duration = Duration::from_secs(30);
const PASSWORD: &str = "hostile-sign";

/// Runs the CLI under GNU time (the memory oracle: it reports the child's
/// peak resident set from `wait4`); checks it neither crashed nor passed the
/// time and memory budget. Returns the exit code and stdout + stderr.
fn run_bounded(args: &[&str]) -> (i32, String) {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "GNU time (/usr/bin/time, Debian package `time`) is the memory oracle; scripts/setup.sh installs it"
    );
    let start = Instant::now();
    let out: Output = std::process::Command::new(time)
        .args(["-f", "IOVAUDIT_PEAK_KB=%M"])
        .arg(env!("CARGO_BIN_EXE_iovaudit"))
        .args(args)
        .env_remove("IOVAUDIT_CHECKLISTS")
        .env("IOVAUDIT_PASSWORD", PASSWORD)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run iovaudit under /usr/bin/time");
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut peak_kb = None;
    let mut rest = Vec::new();
    for line in stderr.lines() {
        if let Some(kb) = line.strip_prefix("IOVAUDIT_PEAK_KB=") {
            peak_kb = kb.trim().parse::<u64>().ok();
        } else if line.starts_with("Command terminated by signal") {
            panic!("iovaudit {args:?} crashed: {line}\n{stderr}");
        } else if !line.starts_with("Command exited with non-zero status") {
            rest.push(line);
        }
    }
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        rest.join("\n")
    );
    assert!(
        !all.contains("panicked at"),
        "iovaudit {args:?} panicked:\n{all}"
    );
    let code = out.status.code().expect("time exits normally");
    assert!(took < TIME, "iovaudit {args:?} took {took:?}");
    let peak = peak_kb.expect("time reports the peak") * 1024;
    assert!(
        peak < BUDGET,
        "iovaudit {args:?}: peak resident memory {} MiB is over the budget",
        peak >> 20
    );
    eprintln!("iovaudit {args:?}: {took:?}, peak {} MiB", peak >> 20);
    (code, all)
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

// ------------------------------------------------------------ PDF generators

fn page_pdf(extra: Vec<Vec<u8>>) -> Vec<u8> {
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
        stream("", b"BT /F1 12 Tf 72 700 Td (hello) Tj ET"),
    ];
    objs.extend(extra);
    pdf(&objs)
}

/// zlib data inflating to `times` MiB of spaces (the checksum is never
/// reached before the caps stop it): one MiB compressed once and fully
/// flushed (byte-aligned, so each copy stands alone), the copy repeated,
/// then a final empty block — a gigabyte bomb in milliseconds.
fn zlib_mib(times: usize) -> Vec<u8> {
    let chunk = vec![b' '; 1 << 20];
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut one = Vec::with_capacity(64 * 1024);
    c.compress_vec(&chunk, &mut one, flate2::FlushCompress::Full)
        .expect("compress");
    assert_eq!(c.total_in() as usize, chunk.len(), "chunk not consumed");
    let mut z = vec![0x78, 0xda];
    for _ in 0..times {
        z.extend_from_slice(&one);
    }
    z.extend_from_slice(&[0x03, 0x00]); // final, fixed Huffman, end of block
    z
}

// ------------------------------------------------------------ fixtures

struct Signer {
    dir: PathBuf,
    p12: PathBuf,
    ca: PathBuf,
    signed: Vec<u8>,
}

/// A P-256 identity and a PDF signed with it, verified by the CLI (the
/// oracle that the fixture and the verifier work before anything hostile).
fn signer() -> &'static Signer {
    static S: OnceLock<Signer> = OnceLock::new();
    S.get_or_init(|| {
        let dir = scratch("hostile_sign");
        let req = NewIdentity {
            name: "Hostile Test".into(),
            org: "Test Lab".into(),
            algo: KeyAlgo::P256,
            sm2: false,
        };
        let files = sign::new_identity(&req, &dir.join("id"), PASSWORD).expect("new identity");
        let id = sign::load_identity(&files.p12, PASSWORD).expect("load identity");
        let opts = PdfSignOptions {
            reason: String::new(),
            location: String::new(),
            signing_time: "2025-06-01T10:00:00+08:00".into(),
            stamp: None,
        };
        let signed = sign::sign_pdf(&page_pdf(vec![]), &id, &opts).expect("sign");
        Signer {
            dir,
            p12: files.p12,
            ca: files.ca_pem,
            signed,
        }
    })
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let p = signer().dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn verify(name: &str, bytes: &[u8]) -> (i32, String) {
    let p = write(name, bytes);
    let (code, out) = run_bounded(&["--lang", "en", "verify", &s(&p)]);
    assert!(
        out.contains(&s(&p)),
        "{name}: the file is not named:\n{out}"
    );
    (code, out)
}

#[test]
fn a_good_signed_pdf_verifies_first() {
    let f = signer();
    let p = write("good.pdf", &f.signed);
    // qpdf agrees the signed file is a PDF.
    let q = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&p)
        .output()
        .expect("qpdf (installed by scripts/setup.sh)");
    assert!(q.status.success(), "{}", String::from_utf8_lossy(&q.stdout));
    let (code, out) = run_bounded(&["--lang", "en", "verify", &s(&p), "--trust", &s(&f.ca)]);
    assert_eq!(code, 0, "{out}");
    // The trust anchor given as DER works as well as PEM.
    let der = sign::pem_to_der_certs(&std::fs::read_to_string(&f.ca).unwrap())
        .unwrap()
        .remove(0);
    let ca_der = write("ca.der", &der);
    let (code, out) = run_bounded(&["--lang", "en", "verify", &s(&p), "--trust", &s(&ca_der)]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_pdf_with_300000_objects_is_refused() {
    let many: Vec<Vec<u8>> = (0..300_000).map(|_| b"1".to_vec()).collect();
    let (code, out) = verify("many.pdf", &page_pdf(many));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("too many objects"), "{out}");
    // The reason in Chinese, from the library (the CLI's `verify` output
    // carries only the English reason of a signature check: see the report).
    let bytes = std::fs::read(signer().dir.join("many.pdf")).unwrap();
    let e = sign::verify_pdf(&bytes, &[]).expect_err("refused");
    assert!(e.zh().contains("对象过多"), "{}", e.zh());
}

#[test]
fn deeply_nested_pdf_objects_are_an_error_not_a_crash() {
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
    let (code, out) = verify("deep-arrays.pdf", &page_pdf(vec![deep]));
    assert_eq!(code, 1, "{out}");
    let deep = "<< /A ".repeat(100_000).into_bytes();
    let (code, out) = verify("deep-dicts.pdf", &page_pdf(vec![deep]));
    assert_eq!(code, 1, "{out}");
    // A signature dictionary whose /ByteRange nests deep.
    let sig = format!(
        "<< /Type /Sig /ByteRange {}0{} /Contents <00> >>",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let (code, out) = verify("deep-sig.pdf", &page_pdf(vec![sig.into_bytes()]));
    assert_eq!(code, 1, "{out}");
}

#[test]
fn pdf_streams_that_inflate_past_the_budget_are_refused() {
    // One object stream inflating to 1 GiB: past the per-stream cap.
    let bomb = stream(
        "/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode",
        &zlib_mib(1024),
    );
    let (code, out) = verify("objstm-bomb.pdf", &page_pdf(vec![bomb]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("inflate too far"), "{out}");
    // Eight object streams of 24 MiB each: every one under the per-stream
    // cap, all together past the budget.
    let one = zlib_mib(24);
    let many: Vec<Vec<u8>> = (0..8)
        .map(|_| stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", &one))
        .collect();
    let (code, out) = verify("objstm-budget.pdf", &page_pdf(many));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("inflate too far"), "{out}");
}

#[test]
fn truncated_and_damaged_pdfs_are_errors() {
    let signed = &signer().signed;
    for (name, bytes) in [
        ("half.pdf", &signed[..signed.len() / 2]),
        ("head.pdf", &signed[..200]),
        ("header-only.pdf", &b"%PDF-1.7\n"[..]),
        ("no-tail.pdf", &signed[..signed.len() - 40]),
    ] {
        let (code, out) = verify(name, bytes);
        assert_eq!(code, 1, "{name}: {out}");
        assert!(out.contains("FAIL"), "{name}: {out}");
    }
}

#[test]
fn oversized_and_truncated_p12_files_are_errors_naming_the_file() {
    let f = signer();
    let good = std::fs::read(&f.p12).unwrap();
    let (code, out) = run_bounded(&["--lang", "en", "identity", "show", &s(&f.p12)]);
    assert_eq!(code, 0, "the good .p12 opens: {out}");

    // 2 MiB: over the 1 MiB cap, refused before it is parsed.
    let mut big = good.clone();
    big.resize(2 << 20, 0);
    let p = write("big.p12", &big);
    let (code, out) = run_bounded(&["--lang", "en", "identity", "show", &s(&p)]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains(&s(&p)) && out.contains("too large"), "{out}");
    let (_, zh) = run_bounded(&["--lang", "zh", "identity", "show", &s(&p)]);
    assert!(zh.contains(&s(&p)) && zh.contains("过大"), "{zh}");

    for cut in [good.len() / 2, 16, 1] {
        let p = write(&format!("cut-{cut}.p12"), &good[..cut]);
        let (code, out) = run_bounded(&["--lang", "en", "identity", "show", &s(&p)]);
        assert_ne!(code, 0, "{out}");
        assert!(out.contains(&s(&p)), "{out}");
    }
}

#[test]
fn garbage_and_oversized_trust_anchors_are_errors_naming_the_file() {
    let pdf = write("anchored.pdf", &signer().signed);
    // Garbage DER: a SEQUENCE claiming 4 GiB, then noise.
    let mut garbage = vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff];
    garbage.extend((0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let g = write("garbage.der", &garbage);
    let (code, out) = run_bounded(&["--lang", "en", "verify", &s(&pdf), "--trust", &s(&g)]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains(&s(&g)) && out.contains("trust anchor"),
        "{out}"
    );
    // A PEM block with garbage inside.
    let pem = "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n";
    let g = write("garbage.pem", pem.as_bytes());
    let (code, out) = run_bounded(&["--lang", "en", "verify", &s(&pdf), "--trust", &s(&g)]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains(&s(&g)), "{out}");
    // 5 MiB: over the 4 MiB cap.
    let g = write("huge.pem", &vec![b'A'; 5 << 20]);
    let (code, out) = run_bounded(&["--lang", "en", "verify", &s(&pdf), "--trust", &s(&g)]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains(&s(&g)) && out.contains("too large"), "{out}");
}

#[test]
fn a_cms_signature_over_its_cap_is_refused_before_parsing() {
    let big = vec![0u8; sign::MAX_CMS + 1];
    let e = sign::verify_detached(b"data", &big, &[]).expect_err("refused");
    assert!(e.to_string().contains("too large"), "{e}");
    assert!(e.zh().contains("过大"), "{}", e.zh());
}
