//! Every font of a signed report is embedded, the visible stamp's included:
//! `pdffonts` lists no `no` in its emb column, the stamp's text extracts
//! (ToUnicode) and renders (`pdftoppm`), Chinese and Latin alike.
//!
//! Needs: poppler-utils (pdffonts, pdftotext, pdftoppm), qpdf, pdfsig.
//! A missing tool fails the test.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::scratch;

const INSTALL: &str = "apt-get install -y poppler-utils qpdf (or run scripts/setup.sh)";

fn tool(program: &str, args: &[&str]) -> (bool, String, Vec<u8>) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{program}` ({e}); {INSTALL}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text, out.stdout)
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// The /Rect of the signature widget in the last update, in points.
fn stamp_rect(pdf: &[u8]) -> [f32; 4] {
    let doc = lopdf::Document::load_mem(pdf).expect("lopdf parses the signed report");
    for (_, obj) in doc.objects.iter() {
        let Ok(d) = obj.as_dict() else { continue };
        let is_sig = d
            .get(b"FT")
            .and_then(|v| v.as_name())
            .is_ok_and(|n| n == b"Sig");
        if !is_sig {
            continue;
        }
        let rect = d.get(b"Rect").and_then(|r| r.as_array()).expect("/Rect");
        let v: Vec<f32> = rect
            .iter()
            .map(|o| {
                o.as_float()
                    .or_else(|_| o.as_i64().map(|i| i as f32))
                    .unwrap()
            })
            .collect();
        return [v[0], v[1], v[2], v[3]];
    }
    panic!("no signature field in the signed report");
}

/// Counts red-ink pixels in a binary PPM (P6) image.
fn red_pixels(ppm: &[u8]) -> usize {
    // Header: "P6\n<w> <h>\n<max>\n" (poppler writes no comments).
    let mut fields = 0;
    let mut at = 0;
    let mut in_token = false;
    while fields < 4 && at < ppm.len() {
        let ws = ppm[at].is_ascii_whitespace();
        if in_token && ws {
            fields += 1;
        }
        in_token = !ws;
        at += 1;
    }
    ppm[at..]
        .chunks_exact(3)
        .filter(|px| px[0] > 140 && px[1] < 110 && px[2] < 110)
        .count()
}

#[test]
fn signed_report_embeds_every_font_and_the_stamp_shows_chinese() {
    let dir = scratch("report-fonts");
    let project = dir.join("demo");
    let r = common::run(&["demo", p(&project)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let idir = dir.join("identity");
    let pw = "report-fonts-pass";
    let out = common::bin()
        .env("IOVAUDIT_PASSWORD", pw)
        .args([
            "identity",
            "new",
            "--name",
            "王五 Wang Wu",
            "--org",
            "某某检测中心 Test Lab",
            "--algo",
            "p256",
            "--out",
            p(&idir),
        ])
        .output()
        .expect("identity new");
    assert!(out.status.success(), "{out:?}");
    let pdf_path = dir.join("signed.pdf");
    let out = common::bin()
        .env("IOVAUDIT_PASSWORD", pw)
        .args([
            "report",
            p(&project),
            "--out",
            p(&pdf_path),
            "--identity",
            p(&idir.join("signer.p12")),
        ])
        .output()
        .expect("report");
    assert!(out.status.success(), "{out:?}");
    let pdf = fs::read(&pdf_path).unwrap();

    // The signature still holds, the structure is sound.
    let (_, text, _) = tool("pdfsig", &[p(&pdf_path)]);
    assert!(text.contains("Signature is Valid."), "pdfsig: {text}");
    let (ok, text, _) = tool("qpdf", &["--check", p(&pdf_path)]);
    assert!(ok, "qpdf --check: {text}");

    // pdffonts: every font embedded (body and stamp), subset, with ToUnicode.
    let (ok, fonts, _) = tool("pdffonts", &[p(&pdf_path)]);
    assert!(ok, "pdffonts: {fonts}");
    let rows: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(rows.len() >= 2, "body font and stamp font: {fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "{row}");
        assert_eq!(
            &cols[n - 5..n - 2],
            &["yes", "yes", "yes"],
            "emb sub uni: {row}\n{fonts}"
        );
        assert!(
            cols[0].contains("WenQuanYi") || cols[0].contains("NotoSerifCJKsc"),
            "only the bundled sans and serif: {row}"
        );
    }
    assert!(
        fonts.contains("NotoSerifCJKsc"),
        "the serif body face: {fonts}"
    );
    assert!(
        !fonts.contains("STSong") && !fonts.contains("Helvetica"),
        "{fonts}"
    );

    // The stamp's text extracts from the last page, Chinese and Latin.
    let (_, info, _) = tool("pdfinfo", &[p(&pdf_path)]);
    let pages: String = info
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .map(|l| l.trim_start_matches("Pages:").trim().to_string())
        .expect("pdfinfo Pages");
    let (ok, page_text, _) = tool(
        "pdftotext",
        &["-f", &pages, "-l", &pages, "-layout", p(&pdf_path), "-"],
    );
    assert!(ok, "pdftotext: {page_text}");
    for line in [
        "Digitally signed / 数字签名",
        "王五 Wang Wu",
        "某某检测中心 Test Lab",
    ] {
        assert!(page_text.contains(line), "stamp line {line:?}: {page_text}");
    }

    // Rendered at 80 dpi (look at stamp.png; the test counts the red ink of the
    // stamp's text inside its frame).
    let png = dir.join("stamp");
    let (ok, text, _) = tool(
        "pdftoppm",
        &[
            "-f",
            &pages,
            "-l",
            &pages,
            "-png",
            "-r",
            "80",
            "-singlefile",
            p(&pdf_path),
            p(&png),
        ],
    );
    assert!(ok && dir.join("stamp.png").is_file(), "pdftoppm: {text}");
    let [x1, y1, x2, y2] = stamp_rect(&pdf);
    let page_h = 841.89_f32;
    let px = |pt: f32| (pt * 80.0 / 72.0).round() as i32;
    let inset = 8.0;
    let crop = [
        px(x1.min(x2) + inset),
        px(page_h - y1.max(y2) + inset),
        px((x2 - x1).abs() - 2.0 * inset),
        px((y2 - y1).abs() - 2.0 * inset),
    ];
    let args: Vec<String> = vec![
        "-f".into(),
        pages.clone(),
        "-l".into(),
        pages.clone(),
        "-r".into(),
        "80".into(),
        "-x".into(),
        crop[0].to_string(),
        "-y".into(),
        crop[1].to_string(),
        "-W".into(),
        crop[2].to_string(),
        "-H".into(),
        crop[3].to_string(),
        "-singlefile".into(),
        p(&pdf_path).into(),
        p(&dir.join("stamp-inner")).into(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, text, _) = tool("pdftoppm", &args);
    assert!(ok, "pdftoppm crop: {text}");
    let ppm = fs::read(dir.join("stamp-inner.ppm")).expect("stamp-inner.ppm");
    let red = red_pixels(&ppm);
    assert!(
        red > 300,
        "the stamp's text drew only {red} red pixels inside the frame (crop {crop:?})"
    );
}
