//! Source files and byte spans.
//!
//! Every AST node, typed-AST node and IR instruction carries a [`Span`] (or an
//! [`Origin`] that wraps one), so that any pass can point a diagnostic at the
//! user's source. Offsets are byte offsets (`u32`); lines and columns are
//! computed only when a diagnostic is rendered, by `codespan-reporting`
//! through [`SourceMap`].

use codespan_reporting::files::{Error as FilesError, Files, SimpleFile};
use std::ops::Range;

/// Identifies one source file inside a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A half-open byte range `start..end` inside one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: u32, end: u32) -> Span {
        Span { file, start, end }
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    pub fn merge(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Where an IR instruction comes from.
///
/// Passes that create instructions keep the span of the construct they
/// rewrite (`Derived`), so that runtime errors and `smoothc ir` output still
/// point at the user's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Origin {
    /// Written by the user at this span.
    Source(Span),
    /// Created by a pass while rewriting the construct at this span.
    Derived(Span),
    /// Created by a pass with no source construct behind it.
    #[default]
    Synthetic,
}

impl Origin {
    pub fn span(self) -> Option<Span> {
        match self {
            Origin::Source(span) | Origin::Derived(span) => Some(span),
            Origin::Synthetic => None,
        }
    }

    /// The same location, marked as produced by a rewrite.
    pub fn derived(self) -> Origin {
        match self {
            Origin::Source(span) | Origin::Derived(span) => Origin::Derived(span),
            Origin::Synthetic => Origin::Synthetic,
        }
    }
}

/// All source files of one compilation: the user's file and the stdlib files
/// it loads. Implements `codespan_reporting::files::Files`.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SimpleFile<String, String>>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Registers a file; `name` is what diagnostics print (keep it relative).
    pub fn add(&mut self, name: impl Into<String>, source: impl Into<String>) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SimpleFile::new(name.into(), source.into()));
        id
    }

    pub fn source(&self, file: FileId) -> &str {
        self.files[file.0 as usize].source()
    }

    pub fn name_of(&self, file: FileId) -> &str {
        self.files[file.0 as usize].name()
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn snippet(&self, span: Span) -> &str {
        self.source(span.file).get(span.range()).unwrap_or("")
    }

    fn get(&self, file: FileId) -> Result<&SimpleFile<String, String>, FilesError> {
        self.files
            .get(file.0 as usize)
            .ok_or(FilesError::FileMissing)
    }
}

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(self.get(id)?.name().as_str())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(self.get(id)?.source().as_str())
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        self.get(id)?.line_index((), byte_index)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        self.get(id)?.line_range((), line_index)
    }
}
