//! Embeds `checklists/` into the binary as the built-in checklist library.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dir = root.join("checklists");
    println!("cargo:rerun-if-changed=checklists");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let mut code = String::from("/// Built-in checklist files: (path relative to checklists/, contents).\npub static FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&dir)
            .expect("under checklists/")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .expect("write to string");
    }
    code.push_str("];\n");

    // Earlier built-in libraries, for adopting projects made before projects
    // stored their checklists (see checklists-history/README.md).
    let hist = root.join("checklists-history");
    println!("cargo:rerun-if-changed=checklists-history");
    code.push_str("/// Earlier built-in libraries: (folder name, files).\npub static HISTORY: &[(&str, &[(&str, &str)])] = &[\n");
    let mut sets: Vec<PathBuf> = std::fs::read_dir(&hist)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    sets.sort();
    for set in &sets {
        let mut files = Vec::new();
        collect(set, &mut files);
        files.sort();
        let name = set
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        writeln!(code, "    ({name:?}, &[").expect("write to string");
        for f in &files {
            println!("cargo:rerun-if-changed={}", f.display());
            let rel = f
                .strip_prefix(set)
                .expect("under the set")
                .to_string_lossy()
                .replace('\\', "/");
            writeln!(
                code,
                "        ({rel:?}, include_str!({:?})),",
                f.display().to_string()
            )
            .expect("write to string");
        }
        code.push_str("    ]),\n");
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_checklists.rs");
    std::fs::write(out, code).expect("write builtin_checklists.rs");
}
