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

/// Appends `(relative path, include_str!(..))` entries for every `.toml` file
/// under `dir`, each on its own line with `indent`.
fn embed(dir: &Path, indent: &str, code: &mut String) {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(dir)
            .expect("under the folder")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            code,
            "{indent}({rel:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .expect("write to string");
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=checklists");
    let mut code = String::from("/// Built-in checklist files: (path relative to checklists/, contents).\npub static FILES: &[(&str, &str)] = &[\n");
    embed(&root.join("checklists"), "    ", &mut code);
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
        let name = set
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        writeln!(code, "    ({name:?}, &[").expect("write to string");
        embed(set, "        ", &mut code);
        code.push_str("    ]),\n");
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_checklists.rs");
    std::fs::write(out, code).expect("write builtin_checklists.rs");
}
