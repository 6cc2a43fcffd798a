//! Inputs: the paths on the command line become decoded source files.
//!
//! A directory is walked recursively for `*.yaml`, `*.yml` and `*.json` files
//! (hidden entries and symlinked directories are skipped), in sorted order so
//! that output does not depend on the file system. `-` reads stdin.
//!
//! A directory holding a kustomization is a render target, and the files below
//! it belong to it rather than being read on their own. Of the kustomizations
//! found while walking, only those no other one includes are targets: with
//! `overlays/dev` and `overlays/prod` both including `base`, the base is checked
//! through them.

use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::diagnostic::{Diagnostic, Location, codes};
use crate::source::{FileId, SourceFile};

/// File-selection options shared by every command that reads manifests.
#[derive(Clone, Debug, Default)]
pub struct InputOptions {
    /// In directories, only files matching one of these globs are read.
    pub include: Vec<String>,
    /// Files and directories matching one of these globs are skipped.
    pub exclude: Vec<String>,
    /// When set, only inputs that read one of these files (absolute,
    /// canonical paths) are checked: `--changed-only`.
    pub changed: Option<std::collections::HashSet<PathBuf>>,
    /// Files drydock itself reads or writes in this run (a baseline), which a
    /// directory walk must not take for manifests.
    pub own_files: Vec<PathBuf>,
}

impl InputOptions {
    /// Whether a file is among the changed ones (always, without `--changed-only`).
    pub fn is_changed(&self, path: &Path) -> bool {
        self.changed
            .as_ref()
            .is_none_or(|set| std::fs::canonicalize(path).is_ok_and(|p| set.contains(&p)))
    }
}

/// Something to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
    /// A directory with a kustomization file: rendered, then checked.
    Kustomization(PathBuf),
}

impl Input {
    /// The name used in messages: the path as found, or `<stdin>`.
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_owned(),
            Input::File(p) | Input::Kustomization(p) => p.display().to_string(),
        }
    }
}

/// A problem with the command line itself (exit status 2).
#[derive(Debug)]
pub struct UsageError(pub String);

struct Filters {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

fn globset(patterns: &[String]) -> Result<Option<GlobSet>, UsageError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| UsageError(format!("invalid glob `{p}`: {e}")))?;
        b.add(glob);
    }
    b.build()
        .map(Some)
        .map_err(|e| UsageError(format!("invalid globs: {e}")))
}

impl Filters {
    fn excluded(&self, full: &Path, rel: &Path) -> bool {
        self.exclude
            .as_ref()
            .is_some_and(|g| g.is_match(full) || g.is_match(rel))
    }

    fn included(&self, full: &Path, rel: &Path) -> bool {
        self.include
            .as_ref()
            .is_none_or(|g| g.is_match(full) || g.is_match(rel))
    }
}

fn is_manifest(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
}

/// Expands the command-line paths into the files to read. A path that does not
/// exist becomes an `io-error` diagnostic.
pub fn discover(
    paths: &[String],
    opts: &InputOptions,
) -> Result<(Vec<Input>, Vec<Diagnostic>), UsageError> {
    let filters = Filters {
        include: globset(&opts.include)?,
        exclude: globset(&opts.exclude)?,
    };
    let mut inputs = Vec::new();
    let mut diags = Vec::new();
    let mut stdin_seen = false;
    for p in paths {
        if p == "-" {
            if !stdin_seen {
                inputs.push(Input::Stdin);
                stdin_seen = true;
            }
            continue;
        }
        let path = PathBuf::from(p);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() && is_kustomization_dir(&path) => {
                inputs.push(Input::Kustomization(path))
            }
            Ok(m) if m.is_dir() => {
                let mut found = Vec::new();
                walk(&path, &path, &filters, &mut found, &mut diags);
                let own: Vec<PathBuf> = opts
                    .own_files
                    .iter()
                    .filter_map(|p| std::fs::canonicalize(p).ok())
                    .collect();
                found.retain(|i| match i {
                    Input::File(p) => {
                        !is_config_file(p)
                            && std::fs::canonicalize(p).map_or(true, |c| !own.contains(&c))
                    }
                    _ => true,
                });
                inputs.extend(without_included(found));
            }
            Ok(_) => {
                if !filters.excluded(&path, &path) {
                    inputs.push(Input::File(path));
                }
            }
            Err(e) => diags.push(io_diagnostic(p, &e)),
        }
    }
    Ok((inputs, diags))
}

fn walk(root: &Path, dir: &Path, f: &Filters, out: &mut Vec<Input>, diags: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            diags.push(io_diagnostic(&dir.display().to_string(), &e));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        if f.excluded(&path, rel) {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() && is_kustomization_dir(&path) {
            out.push(Input::Kustomization(path.clone()));
            // Nested kustomizations (bases, components kept inside an overlay)
            // are found too; plain files below belong to the kustomization.
            walk_kustomizations(&path, out);
        } else if ft.is_dir() {
            walk(root, &path, f, out, diags);
        } else if (ft.is_file() || ft.is_symlink() && path.is_file())
            && is_manifest(&path)
            && f.included(&path, rel)
        {
            out.push(Input::File(path));
        }
    }
}

/// drydock's own configuration, which a directory walk skips like kustomize's.
fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == crate::lint::config::FILE_NAME || n == "drydock.yml")
}

/// Finds the kustomization directories below `dir`.
fn walk_kustomizations(dir: &Path, out: &mut Vec<Input>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for d in dirs {
        if is_kustomization_dir(&d) {
            out.push(Input::Kustomization(d.clone()));
        }
        walk_kustomizations(&d, out);
    }
}

/// Drops the kustomizations that another one found includes (as a resource,
/// base or component directory).
fn without_included(found: Vec<Input>) -> Vec<Input> {
    let roots: Vec<PathBuf> = found
        .iter()
        .filter_map(|i| match i {
            Input::Kustomization(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    if roots.len() < 2 {
        return found;
    }
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut included = std::collections::HashSet::new();
    for root in &roots {
        for entry in directory_entries(root) {
            included.insert(canonical(&root.join(entry)));
        }
    }
    found
        .into_iter()
        .filter(|i| match i {
            Input::Kustomization(p) => !included.contains(&canonical(p)),
            _ => true,
        })
        .collect()
}

/// The `resources`, `bases` and `components` entries of a kustomization, as
/// written. A kustomization that cannot be read includes nothing here; the
/// render reports it.
fn directory_entries(dir: &Path) -> Vec<String> {
    let Some(text) = crate::render::kustomization::FILE_NAMES
        .iter()
        .find_map(|f| std::fs::read_to_string(dir.join(f)).ok())
    else {
        return Vec::new();
    };
    let opts = crate::yaml::LoadOptions {
        lints: false,
        ..crate::yaml::LoadOptions::default()
    };
    let parsed = crate::yaml::parse(FileId(0), &text, &opts);
    let Some(doc) = parsed.docs.first() else {
        return Vec::new();
    };
    ["resources", "bases", "components"]
        .iter()
        .filter_map(|k| doc.value.get(k).and_then(crate::yaml::Value::as_seq))
        .flatten()
        .filter_map(crate::yaml::Value::as_str)
        .filter(|e| !e.contains("://") && !e.starts_with("git@"))
        .map(str::to_owned)
        .collect()
}

/// Whether a directory holds a kustomization file.
pub fn is_kustomization_dir(dir: &Path) -> bool {
    crate::render::kustomization::FILE_NAMES
        .iter()
        .any(|f| dir.join(f).is_file())
}

fn io_diagnostic(name: &str, e: &std::io::Error) -> Diagnostic {
    let reason = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    };
    Diagnostic::new(&codes::IO_ERROR, format!("cannot read `{name}`: {reason}"))
}

/// Reads an input's bytes. Stdin is read at most once per run.
pub fn read(input: &Input) -> std::io::Result<Vec<u8>> {
    match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin().lock().read_to_end(&mut buf)?;
            Ok(buf)
        }
        Input::File(p) => std::fs::read(p),
        Input::Kustomization(p) => Err(std::io::Error::other(format!(
            "{} is a kustomization directory",
            p.display()
        ))),
    }
}

/// Bytes become text: a UTF-8 byte-order mark is dropped, UTF-16 with a
/// byte-order mark is converted (go-yaml accepts both). Binary and invalid
/// UTF-8 content is reported; the file is then not parsed.
pub fn decode(file: FileId, name: String, bytes: Vec<u8>) -> (SourceFile, Option<Diagnostic>) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_utf8(file, name, rest.to_vec());
    }
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(false),
        Some([0xFE, 0xFF]) => Some(true),
        _ => None,
    };
    if let Some(big_endian) = utf16 {
        let units = bytes[2..].chunks(2).map(|c| match (c, big_endian) {
            ([a, b], false) => u16::from_le_bytes([*a, *b]),
            ([a, b], true) => u16::from_be_bytes([*a, *b]),
            _ => 0xFFFD,
        });
        let text: Result<String, _> = char::decode_utf16(units).collect();
        return match text {
            Ok(t) => (SourceFile::new(name, t), None),
            Err(_) => {
                let d = Diagnostic::new(
                    &codes::INVALID_UTF8,
                    "the file starts with a UTF-16 byte-order mark but is not valid UTF-16",
                )
                .help("re-encode the file as UTF-8")
                .at(Location::File(file));
                (SourceFile::new(name, ""), Some(d))
            }
        };
    }
    decode_utf8(file, name, bytes)
}

fn decode_utf8(file: FileId, name: String, bytes: Vec<u8>) -> (SourceFile, Option<Diagnostic>) {
    // git's heuristic: a NUL byte early in the file means binary.
    let head = &bytes[..bytes.len().min(8000)];
    if let Some(at) = memchr::memchr(0, head) {
        let d = Diagnostic::new(
            &codes::BINARY_FILE,
            format!("the file looks binary (a NUL byte at offset {at}); only YAML and JSON can be checked"),
        )
        .help("exclude it with --exclude, or give drydock the manifest it was generated from")
        .at(Location::File(file));
        return (SourceFile::new(name, ""), Some(d));
    }
    match String::from_utf8(bytes) {
        Ok(text) => (SourceFile::new(name, text), None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let src = SourceFile::new(name, text);
            let (line, col) = src.position(at);
            let d = Diagnostic::new(
                &codes::INVALID_UTF8,
                format!("invalid UTF-8 at line {line}, column {col}: YAML files must be UTF-8"),
            )
            .help("re-encode the file as UTF-8, for example with `iconv -f latin1 -t utf-8`")
            .at(Location::Span {
                file,
                start: at,
                end: at + src.text[at..].chars().next().map_or(0, char::len_utf8),
            });
            (src, Some(d))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_rejects_binary() {
        let (f, d) = decode(FileId(0), "a".into(), b"\xEF\xBB\xBFa: 1\n".to_vec());
        assert_eq!(&*f.text, "a: 1\n");
        assert!(d.is_none());
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a: é\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let (f, d) = decode(FileId(0), "b".into(), utf16);
        assert_eq!(&*f.text, "a: é\n");
        assert!(d.is_none());
        let (_, d) = decode(FileId(0), "c".into(), b"\x7fELF\x02\x01\x00\x00".to_vec());
        assert_eq!(d.map(|d| d.code), Some("binary-file"));
    }

    #[test]
    fn invalid_utf8_points_at_the_byte() {
        let (f, d) = decode(FileId(3), "d".into(), b"a: 1\nb: caf\xE9\n".to_vec());
        let d = d.expect("diagnostic");
        assert_eq!(d.code, "invalid-utf8");
        assert_eq!(
            d.message,
            "invalid UTF-8 at line 2, column 7: YAML files must be UTF-8"
        );
        assert_eq!(
            d.location,
            Location::Span {
                file: FileId(3),
                start: 11,
                end: 14
            }
        );
        assert!(f.text.contains('\u{FFFD}'));
    }
}
