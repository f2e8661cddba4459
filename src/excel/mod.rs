//! Spreadsheets in and out: the Excel round trip of checklists and of
//! self-check answers.
//!
//! Owns:
//! - [`import_pack`]: a regulator's task list or any checklist sheet
//!   (`.xlsx`, `.xls`, `.ods`; title rows, one- or two-row headers, merged
//!   category cells, note rows, columns in any order recognised by their
//!   Chinese or English headers) → the TOML of a pack that
//!   `iovaudit pack validate` accepts (it is validated here before it is
//!   returned), with every default it had to fill marked in the file;
//! - [`export_pack`]: a pack → an `.xlsx` workbook that [`import_pack`] reads
//!   back into the same pack (machine columns carry what people do not edit);
//! - [`plan_answers`] / [`apply_answers`]: a filled self-check form (the
//!   report's XLSX, or any sheet with a requirement-id and a verdict column)
//!   → verdicts, notes and evidence links of a project, planned and checked
//!   in full first, then applied in one transaction;
//! - [`write_output`]: the one way this module's callers write a file.
//!
//! Never:
//! - overwrites an output file unless asked to (`force`, the CLI's `--force`);
//! - changes a project when only planning ([`plan_answers`], `--dry-run`);
//!   [`apply_answers`] applies all the planned rows or none;
//! - overwrites a verdict already recorded by a person unless asked to
//!   (`overwrite`, `--overwrite`): such rows are listed as conflicts;
//! - reads anything but the workbook it is given (the question catalogue and
//!   the project are passed in by the caller);
//! - drops a row silently: every skipped row is in the summary with its reason,
//!   every problem is a [`Problem`] located as `FILE.xlsx:Sheet1!C12`, worded
//!   in Chinese and English;
//! - panics on a malformed file (a reader failure becomes a [`Problem`]).
//!
//! The formats are described in `docs/excel.md`.

mod answers;
mod ods_scan;
mod pack_export;
mod pack_import;
mod sheet;
pub(crate) mod text;
mod xls_scan;

pub use answers::{
    apply_answers, plan_answers, AnswerOptions, AnswerPlan, Applied, Conflict, PlannedRow,
    ProposedInference,
};
pub use pack_export::export_pack;
pub use pack_import::{
    import_pack, PackImport, PackImportOptions, SkippedRow, DEFAULT_WEIGHT, EN_PENDING,
    EVIDENCE_PENDING,
};
pub use sheet::{col_letter, Val, Workbook};

use crate::i18n::{Lang, Text};
use crate::t;
use serde::Serialize;
use std::path::Path;

/// Where a problem is: the file as the user named it, and as far as known the
/// sheet, the 1-based row and the 0-based column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub sheet: Option<String>,
    /// 1-based, as the spreadsheet program numbers rows.
    pub row: Option<u32>,
    /// 0-based; rendered as a letter (`C`).
    pub col: Option<u32>,
}

impl Location {
    pub fn file(file: &str) -> Location {
        Location {
            file: file.to_string(),
            sheet: None,
            row: None,
            col: None,
        }
    }

    pub fn sheet(file: &str, sheet: &str) -> Location {
        Location {
            sheet: Some(sheet.to_string()),
            ..Location::file(file)
        }
    }

    /// A cell, from 0-based row and column.
    pub fn cell(file: &str, sheet: &str, row0: u32, col0: u32) -> Location {
        Location {
            file: file.to_string(),
            sheet: Some(sheet.to_string()),
            row: Some(row0 + 1),
            col: Some(col0),
        }
    }

    /// A whole row, from a 0-based row.
    pub fn row(file: &str, sheet: &str, row0: u32) -> Location {
        Location {
            file: file.to_string(),
            sheet: Some(sheet.to_string()),
            row: Some(row0 + 1),
            col: None,
        }
    }

    /// `FILE.xlsx:Sheet1!C12`, `FILE.xlsx:Sheet1!12` (a row), `FILE.xlsx:Sheet1`, `FILE.xlsx`.
    pub fn render(&self) -> String {
        let mut s = self.file.clone();
        if let Some(sheet) = &self.sheet {
            s.push(':');
            s.push_str(sheet);
            if let Some(row) = self.row {
                s.push('!');
                if let Some(col) = self.col {
                    s.push_str(&col_letter(col));
                }
                s.push_str(&row.to_string());
            }
        }
        s
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row (or the file) is not used.
    Error,
    /// Used, but someone should look.
    Warning,
}

/// One problem, located and worded in zh and en.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub at: Location,
    pub severity: Severity,
    pub message: Text,
}

impl Problem {
    pub fn error(at: Location, message: Text) -> Problem {
        Problem {
            at,
            severity: Severity::Error,
            message,
        }
    }

    pub fn warning(at: Location, message: Text) -> Problem {
        Problem {
            at,
            severity: Severity::Warning,
            message,
        }
    }

    /// `FILE.xlsx:Sheet1!C12: message` (warnings say so).
    pub fn render(&self, lang: Lang) -> String {
        let tag = match (self.severity, lang) {
            (Severity::Error, _) => "",
            (Severity::Warning, Lang::Zh) => "提示：",
            (Severity::Warning, Lang::En) => "warning: ",
        };
        format!("{}: {tag}{}", self.at.render(), self.message.get(lang))
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::Zh))
    }
}

impl std::error::Error for Problem {}

/// `FIELD=COLUMN` from the command line: COLUMN is a header text or a column
/// letter (`title=C`, `clause=依据条款`). A header text is tried first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    pub field: String,
    pub column: String,
}

impl std::str::FromStr for ColumnSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (field, column) = s
            .split_once('=')
            .or_else(|| s.split_once('＝'))
            .ok_or_else(|| format!("expected FIELD=COLUMN (e.g. title=C), got `{s}`"))?;
        let (field, column) = (field.trim(), column.trim());
        if field.is_empty() || column.is_empty() {
            return Err(format!("expected FIELD=COLUMN (e.g. title=C), got `{s}`"));
        }
        Ok(ColumnSpec {
            field: field.to_ascii_lowercase(),
            column: column.to_string(),
        })
    }
}

/// Writes `bytes` to `path`. Refuses an existing file unless `force`; writes a
/// temporary file beside it and renames it, so a reader never sees half a file.
pub fn write_output(path: &Path, bytes: &[u8], force: bool) -> Result<(), Problem> {
    let shown = path.display().to_string();
    let at = Location::file(&shown);
    if !force && (path.exists() || path.symlink_metadata().is_ok()) {
        return Err(Problem::error(
            at,
            t!(
                "文件已存在，未覆盖（如需覆盖请加 --force）",
                "the file exists and was not overwritten (add --force to replace it)"
            ),
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".to_string());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let io = |e: std::io::Error| {
        let e = e.to_string();
        Problem::error(
            Location::file(&shown),
            t!("无法写入：{e}", "cannot write: {e}"),
        )
    };
    let result = (|| {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}
