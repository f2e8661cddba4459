//! Mutation fuzzing of every reader of untrusted input, on stable Rust.
//!
//! Each target first replays every file in `tests/fuzz-corpus/<target>/`
//! (the seeds, and every input that ever broke a reader, kept as a
//! regression), then mutates them until `FUZZ_SECONDS` have passed (default
//! 0: replay only, so a plain `cargo test` stays fast). `FUZZ_SEED` fixes the
//! random sequence (the seed used is printed). Run it with
//! `scripts/fuzz.sh SECONDS [TARGET]`, which also limits the address space so
//! that an unbounded allocation aborts instead of eating the machine.
//!
//! What counts as a finding:
//! - a panic escaping a reader (caught here; the input is saved under
//!   `target/fuzz-found/` and the test fails);
//! - an abort (stack overflow, allocation failure): the process dies; the
//!   input being tried is always in `target/fuzz-current/<target>.bin`
//!   (removed when the target ends normally), which `scripts/fuzz.sh` copies
//!   into the corpus as a regression;
//! - one input taking longer than [`SLOW`].
//!
//! The mutator is small and dependency-free: byte flips and replacements,
//! deletions, duplicated runs (which build deep nesting), insertion of tokens
//! of the input's language, splices between corpus files, truncation; for zip
//! formats it also unpacks the archive, mutates one entry's content (or its
//! name) and packs it again, so the XML/PDF inside is reached past the CRCs.

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One input may take at most this long (debug build).
const SLOW: Duration = Duration::from_secs(20);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// xorshift64*: a small deterministic generator, enough for mutation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

const INTERESTING: &[u8] = &[
    0, 1, 0x7f, 0x80, 0xff, b'(', b')', b'[', b']', b'<', b'>', b'"',
];

/// One byte-level mutation of `data`, with `dict` the tokens of its language
/// and `other` another corpus file to splice from.
fn mutate_bytes(rng: &mut Rng, data: &mut Vec<u8>, dict: &[&[u8]], other: &[u8]) {
    let len = data.len();
    match rng.below(9) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = INTERESTING[rng.below(INTERESTING.len())];
        }
        2 if len > 0 => {
            let i = rng.below(len);
            let n = 1 + rng.below((len - i).min(64));
            data.drain(i..i + n);
        }
        3 if len > 0 => {
            // Repeat a short run many times: deep nesting, long strings.
            let i = rng.below(len);
            let n = 1 + rng.below((len - i).min(16));
            let most = if rng.chance(4) { 20_000 } else { 64 };
            let times = 1 + rng.below(most);
            let run = data[i..i + n].to_vec();
            let mut ins = Vec::with_capacity(run.len() * times);
            for _ in 0..times {
                ins.extend_from_slice(&run);
            }
            data.splice(i..i, ins);
        }
        4 | 5 => {
            let tok = dict[rng.below(dict.len())];
            let times = if rng.chance(8) {
                1 + rng.below(5_000)
            } else {
                1
            };
            let i = rng.below(len + 1);
            let ins: Vec<u8> = tok.repeat(times);
            data.splice(i..i, ins);
        }
        6 if !other.is_empty() => {
            let i = rng.below(len + 1);
            let a = rng.below(other.len());
            let b = a + rng.below((other.len() - a).min(4096));
            data.splice(i..len.min(i + rng.below(4096)), other[a..b].iter().copied());
        }
        7 if len > 0 => data.truncate(rng.below(len)),
        _ if len > 1 => {
            let (a, b) = (rng.below(len), rng.below(len));
            data.swap(a, b);
        }
        _ => data.push(INTERESTING[rng.below(INTERESTING.len())]),
    }
}

/// Unpacks a zip, mutates one entry (its content, or its name), packs it
/// again. `None` when `data` is not a readable zip.
fn mutate_zip(rng: &mut Rng, data: &[u8], dict: &[&[u8]]) -> Option<Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(data)).ok()?;
    let mut entries = Vec::new();
    for i in 0..z.len().min(200) {
        let mut f = z.by_index(i).ok()?;
        let mut b = Vec::new();
        f.by_ref().take(64 << 20).read_to_end(&mut b).ok()?;
        let name = String::from_utf8_lossy(f.name_raw()).into_owned();
        entries.push((name, b));
    }
    if entries.is_empty() {
        return None;
    }
    let k = rng.below(entries.len());
    let rounds = 1 + rng.below(4);
    if rng.chance(12) {
        let names: [&str; 5] = ["../x", "a//b", "xl/sharedStrings.xml", "/abs", "dup"];
        entries[k].0 = names[rng.below(names.len())].to_string();
    } else if rng.chance(12) {
        let dup = entries[k].clone();
        entries.push(dup);
    } else {
        let other = entries[rng.below(entries.len())].1.clone();
        for _ in 0..rounds {
            mutate_bytes(rng, &mut entries[k].1, dict, &other);
        }
    }
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, b) in &entries {
        let method = if rng.chance(3) {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file(name.as_str(), opts).ok()?;
        w.write_all(b).ok()?;
    }
    Some(w.finish().ok()?.into_inner())
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = repo().join("tests/fuzz-corpus").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| {
            let p = e.path();
            let b = std::fs::read(&p).expect("read corpus file");
            (p.file_name().unwrap().to_string_lossy().into_owned(), b)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

fn hash(b: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(b);
    d.iter().take(8).map(|x| format!("{x:02x}")).collect()
}

fn save(dir: &str, name: &str, data: &[u8]) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("..").join(dir);
    let _ = std::fs::create_dir_all(&d);
    let p = d.join(name);
    let _ = std::fs::write(&p, data);
    p
}

/// Replays the corpus, then fuzzes `target` for FUZZ_SECONDS.
fn fuzz(target: &str, zipped: bool, dict: &[&[u8]], run: &dyn Fn(&[u8])) {
    let seconds: u64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
        | 1;
    let seeds = corpus(target);
    let mut found: Vec<String> = Vec::new();
    let mut try_one = |data: &[u8], label: &str| {
        // Left behind if the process dies on this input.
        save("fuzz-current", &format!("{target}.bin"), data);
        let start = Instant::now();
        let r = catch_unwind(AssertUnwindSafe(|| run(data)));
        let took = start.elapsed();
        if r.is_err() || took > SLOW {
            let why = if r.is_err() { "panic" } else { "slow" };
            let p = save(
                "fuzz-found",
                &format!("{target}-{why}-{}.bin", hash(data)),
                data,
            );
            found.push(format!("{why} ({label}, {took:?}): {}", p.display()));
        }
    };
    for (name, data) in &seeds {
        try_one(data, name);
    }
    let mut rng = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut n = 0u64;
    while Instant::now() < deadline {
        let (_, base) = &seeds[rng.below(seeds.len())];
        let (_, other) = &seeds[rng.below(seeds.len())];
        let mut data = if zipped && rng.chance(2) {
            match mutate_zip(&mut rng, base, dict) {
                Some(d) => d,
                None => base.clone(),
            }
        } else {
            let mut d = base.clone();
            for _ in 0..1 + rng.below(6) {
                mutate_bytes(&mut rng, &mut d, dict, other);
            }
            d
        };
        if data.len() > 64 << 20 {
            data.truncate(64 << 20);
        }
        try_one(&data, &format!("seed {seed}, input {n}"));
        n += 1;
    }
    // The process survived: nothing to keep as a crash.
    let _ = std::fs::remove_file(
        Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("../fuzz-current")
            .join(format!("{target}.bin")),
    );
    eprintln!(
        "fuzz {target}: {} corpus files, {n} mutated inputs in {seconds} s (FUZZ_SEED={seed}), {} findings",
        seeds.len(),
        found.len()
    );
    assert!(
        found.is_empty(),
        "fuzz {target} found:\n{}",
        found.join("\n")
    );
}

fn questions() -> String {
    std::fs::read_to_string(repo().join("checklists/questions.toml")).expect("questions.toml")
}

#[test]
fn fuzz_condition() {
    use iovaudit::pack::condition::{QuestionInfo, QuestionKind};
    use iovaudit::pack::{Answer, Condition};
    let dict: &[&[u8]] = &[
        b"(",
        b")",
        b"not ",
        b" and ",
        b" or ",
        b" in [",
        b"]",
        b", ",
        b"==",
        b"!=",
        b">=",
        b"<",
        b"-",
        b"99999999999999999999",
        b"has_ota",
        b"enterprise_type",
        b"true",
        b"\xe6\x9c\x89",
    ];
    let lookup = |q: &str| -> Option<QuestionInfo<'static>> {
        match q {
            "has_ota" => Some(QuestionInfo {
                kind: QuestionKind::Bool,
                options: vec![],
            }),
            "enterprise_type" => Some(QuestionInfo {
                kind: QuestionKind::Multi,
                options: vec!["OEM", "PLT"],
            }),
            _ => Some(QuestionInfo {
                kind: QuestionKind::Int,
                options: vec![],
            }),
        }
    };
    let answer = |q: &str| -> Option<Answer> {
        match q.len() % 4 {
            0 => None,
            1 => Some(Answer::Bool(true)),
            2 => Some(Answer::Int(3)),
            _ => Some(Answer::Multi(vec!["OEM".into()])),
        }
    };
    fuzz("condition", false, dict, &|data| {
        let src = String::from_utf8_lossy(data);
        if let Ok(c) = Condition::parse(&src) {
            let _ = c.check(&lookup);
            let _ = c.eval(&answer);
            let _ = c.questions();
        }
    });
}

#[test]
fn fuzz_pack() {
    use iovaudit::pack::SourceFile;
    let q = questions();
    let dict: &[&[u8]] = &[
        b"[",
        b"]",
        b"{",
        b"}",
        b"\"",
        b"'''",
        b"\"\"\"",
        b" = ",
        b"\n",
        b"when = \"(",
        b"[[sections.requirements]]\n",
        b"[[sections]]\n",
        b"\\u0000",
        b"x = [",
        b"y = {a=",
        b"weight = 99999999999999999999\n",
        b"id = \"\"\n",
    ];
    fuzz("pack", false, dict, &|data| {
        let text = String::from_utf8_lossy(data).into_owned();
        let sources = vec![
            SourceFile::new("questions.toml", q.clone()),
            SourceFile::new("fuzz.toml", text),
        ];
        let _ = iovaudit::pack::check(&sources);
    });
}

#[test]
fn fuzz_xlsx() {
    use iovaudit::excel::{import_pack, PackImportOptions, Workbook};
    use iovaudit::pack::SourceFile;
    let q = vec![SourceFile::new("questions.toml", questions())];
    let dict: &[&[u8]] = &[
        b"<si><t>",
        b"</t></si>",
        b"<c r=\"XFD1048576\"><v>1</v></c>",
        b"<row r=\"1048576\">",
        b" t=\"s\"",
        b"<v>0</v>",
        b"<v>99999999</v>",
        b"&amp;",
        b"<![CDATA[",
        b"<mergeCell ref=\"A1:XFD1048576\"/>",
        b"<c r=\"A1\" t=\"inlineStr\"><is><t>",
        b"\xe6\xa3\x80\xe6\x9f\xa5\xe9\xa1\xb9",
        b"PK\x03\x04",
    ];
    fuzz("xlsx", true, dict, &|data| {
        let Ok(mut wb) = Workbook::from_bytes("fuzz.xlsx", data.to_vec()) else {
            return;
        };
        for name in wb.sheet_names.clone().iter().take(4) {
            let _ = wb.sheet(name);
        }
        let _ = import_pack(&mut wb, &PackImportOptions::default(), &q);
    });
}

#[test]
fn fuzz_package_verify() {
    let dict: &[&[u8]] = &[
        b"{",
        b"}",
        b"\"",
        b"[",
        b"]",
        b"\"size\":",
        b"99999999999999999999",
        b"evidence/",
        b"<<",
        b"/ByteRange [",
        b"/Contents <",
        b"0 R",
        b"\x30\x82\xff\xff",
        b"\x30\x80",
    ];
    fuzz("package", true, dict, &|data| {
        let _ = iovaudit::package::verify_package(data, &[]);
    });
}

#[test]
fn fuzz_pdf() {
    let dict: &[&[u8]] = &[
        b"[",
        b"]",
        b"<<",
        b">>",
        b" obj\n",
        b"endobj\n",
        b"stream\n",
        b"\nendstream",
        b"/FlateDecode",
        b"/ObjStm",
        b"xref\n",
        b"trailer\n",
        b" 0 R",
        b"(",
        b")",
        b"/ByteRange [0 1 2 3]",
        b"/Type /Sig /Contents <3082>",
        b"startxref\n",
    ];
    fuzz("pdf", false, dict, &|data| {
        let _ = iovaudit::evidence::pdf_preview(data.to_vec());
        let _ = iovaudit::package::verify_pdf(data, &[]);
    });
}
