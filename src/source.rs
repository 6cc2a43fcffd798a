//! Source files and the arithmetic between byte offsets, lines and columns.
//!
//! Offsets are bytes (what miette and slicing want); columns shown to users count
//! characters, so a line with Chinese comments still points at the right place.

use std::sync::OnceLock;

/// Index of a file in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// One input file, decoded to UTF-8.
pub struct SourceFile {
    /// The path as the user gave it (or `<stdin>`), used in every message.
    pub name: String,
    pub text: String,
    lines: OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            lines: OnceLock::new(),
        }
    }

    /// The line table, built on first use (only reporting needs it).
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based line and character column of a byte offset.
    pub fn position(&self, byte: usize) -> (usize, usize) {
        self.lines().position(&self.text, byte)
    }
}

/// All files of a run, addressed by [`FileId`].
#[derive(Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// Files read by absolute path, so that a base shared by several
    /// kustomizations is one file, and its findings are reported once.
    by_path: std::collections::HashMap<std::path::PathBuf, FileId>,
}

impl Sources {
    /// The file already read from `abs`, if any.
    pub fn find_path(&self, abs: &std::path::Path) -> Option<FileId> {
        self.by_path.get(abs).copied()
    }

    /// Records that `file` was read from `abs`.
    pub fn remember_path(&mut self, abs: &std::path::Path, file: FileId) {
        self.by_path.insert(abs.to_path_buf(), file);
    }

    /// Moves the files of `other` into this table: a file read from a path this
    /// table already has keeps that one id. Returns the new id of each of
    /// `other`'s files, indexed by its old id.
    pub fn merge(&mut self, other: Sources) -> Vec<FileId> {
        let mut paths: Vec<Option<std::path::PathBuf>> = vec![None; other.files.len()];
        for (path, id) in other.by_path {
            paths[id.0 as usize] = Some(path);
        }
        other
            .files
            .into_iter()
            .zip(paths)
            .map(|(file, path)| match path {
                Some(p) => match self.find_path(&p) {
                    Some(id) => id,
                    None => {
                        let id = self.add(file);
                        self.by_path.insert(p, id);
                        id
                    }
                },
                None => self.add(file),
            })
            .collect()
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }

    /// Frees the text of a file once nothing will show or locate into it
    /// (its name stays, for reports).
    pub fn release_text(&mut self, id: FileId) {
        let file = &mut self.files[id.0 as usize];
        file.text = String::new();
        file.lines = OnceLock::new();
    }

    /// Gives a file its text (read in parts, and needed after all).
    pub fn set_text(&mut self, id: FileId, text: String) {
        let file = &mut self.files[id.0 as usize];
        file.text = text;
        file.lines = OnceLock::new();
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

/// Byte offsets of line starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    ascii: bool,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            starts,
            ascii: text.is_ascii(),
        }
    }

    /// Number of lines (a trailing newline opens an empty last line).
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// 0-based line containing `byte`.
    pub fn line_of(&self, byte: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= byte)
            .saturating_sub(1)
    }

    /// Byte offset where 0-based `line` starts (the text length past the end).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(usize::MAX)
    }

    /// Byte offset just past 0-based `line`, newline excluded.
    pub fn line_end(&self, text: &str, line: usize) -> usize {
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |&s| s.saturating_sub(1));
        if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\r') && end > self.line_start(line) {
            end - 1
        } else {
            end
        }
    }

    /// 1-based line and 1-based character column of `byte`.
    pub fn position(&self, text: &str, byte: usize) -> (usize, usize) {
        let byte = byte.min(text.len());
        let line = self.line_of(byte);
        let start = self.starts[line];
        let col = if self.ascii {
            byte - start
        } else {
            text.get(start..byte)
                .map_or(byte - start, |s| s.chars().count())
        };
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and a 0-based column counted in characters.
    pub fn byte_of(&self, text: &str, line: usize, col: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        if self.ascii {
            return (start + col).min(text.len());
        }
        let rest = &text[start..];
        rest.char_indices()
            .nth(col)
            .map_or(text.len(), |(i, _)| start + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "a: 1\nnote: \"日本語\" # x\nz: 2\n";
        let idx = LineIndex::new(text);
        let z = text.find('z').unwrap();
        assert_eq!(idx.position(text, z), (3, 1));
        let x = text.find('x').unwrap();
        // 12 characters precede `#` on line 2 but 18 bytes do.
        assert_eq!(idx.position(text, x), (2, 15));
        assert_eq!(idx.byte_of(text, 2, 14), x);
        assert_eq!(idx.byte_of(text, 3, 0), z);
    }

    #[test]
    fn line_bounds() {
        let text = "ab\r\ncd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.len(), 3);
        assert_eq!(idx.line_end(text, 0), 2);
        assert_eq!(idx.line_end(text, 1), 6);
        assert_eq!(idx.line_of(5), 1);
    }
}
