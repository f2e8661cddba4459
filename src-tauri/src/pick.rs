//! Native file and folder choosers, opened from Rust so the webview needs
//! no dialog or filesystem permission.
//!
//! Test seam: when `IOVAUDIT_E2E_PICK` names a file, a chooser does not
//! open; instead the file's lines are the picked paths (an empty or
//! missing file = cancelled) and the file is removed, so each answer is
//! used once. End-to-end tests write it before clicking (WebDriver cannot
//! drive GTK's native chooser). The save chooser ([`save`]) answers the
//! same way: the file's first line is the path to write.

use std::path::{Path, PathBuf};
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

pub const SEAM_ENV: &str = "IOVAUDIT_E2E_PICK";

#[derive(Debug, Clone, Copy)]
pub enum What {
    Files,
    File,
    Folder,
}

/// Debug builds only: a release build always opens the real chooser.
fn seam() -> Option<Vec<PathBuf>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let f = std::env::var_os(SEAM_ENV)?;
    let text = std::fs::read_to_string(&f).unwrap_or_default();
    let _ = std::fs::remove_file(&f);
    Some(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect(),
    )
}

/// Opens a chooser and waits for the answer (call off the main thread).
/// `filters`: (name, extensions). Returns nothing when cancelled.
pub fn pick(app: &AppHandle, what: What, title: &str, filters: &[(&str, &[&str])]) -> Vec<PathBuf> {
    if let Some(p) = seam() {
        return match what {
            What::Files => p,
            _ => p.into_iter().take(1).collect(),
        };
    }
    let mut d = app.dialog().file().set_title(title);
    for (name, exts) in filters {
        d = d.add_filter(*name, exts);
    }
    let to_paths = |v: Vec<tauri_plugin_dialog::FilePath>| -> Vec<PathBuf> {
        v.into_iter().filter_map(|f| f.into_path().ok()).collect()
    };
    match what {
        What::Files => d.blocking_pick_files().map(to_paths).unwrap_or_default(),
        What::File => d
            .blocking_pick_file()
            .map(|f| to_paths(vec![f]))
            .unwrap_or_default(),
        What::Folder => d
            .blocking_pick_folder()
            .map(|f| to_paths(vec![f]))
            .unwrap_or_default(),
    }
}

/// Opens a save chooser proposing `file_name` in `dir` and waits for the
/// answer (call off the main thread). Returns nothing when cancelled. The
/// chooser asks before replacing an existing file; the caller writes
/// through a temporary file and a rename.
pub fn save(
    app: &AppHandle,
    title: &str,
    dir: Option<&Path>,
    file_name: &str,
    filters: &[(&str, &[&str])],
) -> Option<PathBuf> {
    if let Some(p) = seam() {
        return p.into_iter().next();
    }
    let mut d = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(file_name)
        .set_can_create_directories(true);
    if let Some(dir) = dir {
        d = d.set_directory(dir);
    }
    for (name, exts) in filters {
        d = d.add_filter(*name, exts);
    }
    d.blocking_save_file().and_then(|f| f.into_path().ok())
}
