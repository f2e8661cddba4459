//! The project's earlier exports: the files in `exports/` (signed reports,
//! filing packages, workbooks, calendars) with their size, time and kind,
//! newest first.
//!
//! Reads only: nothing is written, no link is followed (a symbolic link or
//! a folder in `exports/` is not an export), and the temporary files of an
//! export in progress (`.NAME.PID.N.partial`, see [`crate::fsio`]) and other
//! hidden files are left out.

use super::{Project, ProjectError, Result};
use crate::i18n::Text;
use serde::Serialize;
use std::path::Path;

/// What an exported file is, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// A (signed) PDF report.
    Report,
    /// A filing package (zip).
    Package,
    /// An Excel workbook (self-check form).
    Workbook,
    /// JSON (the results as OSCAL assessment-results).
    Json,
    /// An editable Word report (not the signed deliverable).
    Document,
    /// An iCalendar file (the compliance calendar).
    Calendar,
    Other,
}

impl ExportKind {
    /// The kind of a file named `name` (extension, any case).
    pub fn of(name: &str) -> ExportKind {
        let ext = Path::new(name)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "pdf" => ExportKind::Report,
            "zip" => ExportKind::Package,
            "xlsx" => ExportKind::Workbook,
            "json" => ExportKind::Json,
            "docx" => ExportKind::Document,
            "ics" => ExportKind::Calendar,
            _ => ExportKind::Other,
        }
    }

    pub fn label(self) -> Text {
        match self {
            ExportKind::Report => Text::new("报告（PDF）", "report (PDF)"),
            ExportKind::Package => Text::new("备案包（zip）", "filing package (zip)"),
            ExportKind::Workbook => Text::new("自查表（Excel）", "self-check workbook (Excel)"),
            ExportKind::Json => Text::new("数据（JSON）", "data (JSON)"),
            ExportKind::Document => Text::new(
                "可编辑报告（Word，非签署件）",
                "editable report (Word, not the signed copy)",
            ),
            ExportKind::Calendar => {
                Text::new("合规日历（iCalendar）", "compliance calendar (iCalendar)")
            }
            ExportKind::Other => Text::new("其他文件", "other file"),
        }
    }
}

/// One file in `exports/`.
#[derive(Debug, Clone, Serialize)]
pub struct ExportFile {
    /// The file name (lossy UTF-8), inside `exports/`.
    pub name: String,
    pub size: u64,
    /// Last modification, RFC 3339 UTC (absent when the system gives none).
    pub modified: Option<String>,
    pub kind: ExportKind,
    /// The kind in words.
    pub kind_label: Text,
}

/// The files in the project's `exports/` folder, newest first (then by
/// name). A project without the folder has none.
pub fn list(project: &Project) -> Result<Vec<ExportFile>> {
    list_dir(&project.exports_dir())
}

/// [`list`] for a folder (the project's `exports/`).
pub fn list_dir(dir: &Path) -> Result<Vec<ExportFile>> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(ProjectError::Io {
                path: dir.to_path_buf(),
                source: e,
            })
        }
    };
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| ProjectError::Io {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // symlink_metadata: a link is not followed (and not listed).
        let Ok(md) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !md.file_type().is_file() {
            continue;
        }
        let modified = md.modified().ok().map(|t| {
            chrono::DateTime::<chrono::Utc>::from(t)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        });
        let kind = ExportKind::of(&name);
        out.push(ExportFile {
            name,
            size: md.len(),
            modified,
            kind,
            kind_label: kind.label(),
        });
    }
    // RFC 3339 UTC strings of one format sort as times.
    out.sort_by(|a, b| {
        b.modified
            .cmp(&a.modified)
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_extension_any_case() {
        assert_eq!(ExportKind::of("报告-R1.pdf"), ExportKind::Report);
        assert_eq!(ExportKind::of("x.ZIP"), ExportKind::Package);
        assert_eq!(ExportKind::of("a.xlsx"), ExportKind::Workbook);
        assert_eq!(ExportKind::of("a.json"), ExportKind::Json);
        assert_eq!(ExportKind::of("cal.ics"), ExportKind::Calendar);
        assert_eq!(ExportKind::of("README"), ExportKind::Other);
    }

    #[test]
    fn lists_files_newest_first_skipping_hidden_links_and_folders() {
        let root = std::env::temp_dir().join(format!("iovaudit-exports-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("mkdir");
        let dir = root.join("exports");
        assert!(list_dir(&dir).expect("missing folder").is_empty());
        std::fs::create_dir(&dir).expect("mkdir");
        let old = dir.join("报告-A-R1.pdf");
        std::fs::write(&old, b"%PDF-1.7 old").expect("write");
        let t = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .and_then(|f| f.set_modified(t))
            .expect("set mtime");
        std::fs::write(dir.join("备案包-A-R1.zip"), b"PK\x03\x04zip").expect("write");
        std::fs::write(dir.join(".备案包-A-R2.zip.123.0.partial"), b"half").expect("write");
        std::fs::create_dir(dir.join("sub")).expect("mkdir");
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", dir.join("link.pdf")).expect("symlink");
        let v = list_dir(&dir).expect("list");
        let names: Vec<&str> = v.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["备案包-A-R1.zip", "报告-A-R1.pdf"]);
        assert_eq!(v[0].kind, ExportKind::Package);
        assert_eq!(v[0].size, 7);
        assert_eq!(v[1].kind, ExportKind::Report);
        assert_eq!(v[1].kind_label.en, "report (PDF)");
        assert!(v[0].modified > v[1].modified);
        let _ = std::fs::remove_dir_all(&root);
    }
}
