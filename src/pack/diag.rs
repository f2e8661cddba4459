//! Diagnostics: a problem found in a checklist file, located by file, line
//! and column, worded in Chinese and English.

use crate::i18n::{Lang, Text};
use serde::Serialize;
use std::ops::Range;

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file as the user named it (or `<builtin>/NAME` for the built-in library).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters (so a CJK character is one column).
    pub column: usize,
    pub message: Text,
}

impl Diagnostic {
    /// `file:line:column: message`, the form compilers use, so editors can jump to it.
    pub fn render(&self, lang: Lang) -> String {
        format!(
            "{}:{}:{}: {}",
            self.file,
            self.line,
            self.column,
            self.message.get(lang)
        )
    }
}

/// A checklist file's text and name, for turning byte offsets into line and column.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    /// Byte offset of the start of each line, so that locating a problem
    /// does not rescan the file (a hostile file can have thousands).
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// Line and column (1-based, column in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }

    /// A diagnostic at the start of `span`.
    pub fn diag(&self, span: Range<usize>, message: Text) -> Diagnostic {
        let (line, column) = self.line_col(span.start);
        Diagnostic {
            file: self.name.clone(),
            line,
            column,
            message,
        }
    }
}

/// Collects diagnostics for one file.
pub(crate) struct Sink<'a> {
    pub src: &'a SourceFile,
    pub out: &'a mut Vec<Diagnostic>,
}

impl Sink<'_> {
    pub fn error(&mut self, span: Range<usize>, message: Text) {
        self.out.push(self.src.diag(span, message));
    }
}
