//! File access for a build: paths resolved against a kustomization's
//! directory, kustomize's load restrictor, and every file read kept in
//! [`Sources`] so that diagnostics can show it.

use std::path::{Component, Path, PathBuf};

use crate::source::{FileId, SourceFile, Sources};

/// kustomize's `--load-restrictor`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Restrictor {
    /// Files must be in or below the kustomization's directory.
    #[default]
    RootOnly,
    None,
}

/// A kustomization directory: how users see it and where it really is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Root {
    /// The path as derived from the command line (for messages).
    pub display: PathBuf,
    /// The absolute path with symbolic links resolved.
    pub abs: PathBuf,
}

/// Joins and removes `.` and `..` lexically, as paths are shown to users.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                match last {
                    Some(Component::Normal(_)) => {
                        out.pop();
                    }
                    Some(Component::RootDir) => {}
                    _ => out.push(".."),
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

impl Root {
    pub fn new(display: &Path) -> std::io::Result<Root> {
        let abs = std::fs::canonicalize(display)?;
        Ok(Root {
            display: normalize(display),
            abs,
        })
    }

    /// A directory named relative to this root.
    pub fn child(&self, rel: &str) -> std::io::Result<Root> {
        let display = normalize(&self.display.join(rel));
        let abs = std::fs::canonicalize(self.abs.join(rel))?;
        Ok(Root { display, abs })
    }
}

/// Why a file could not be loaded, in kustomize's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// kustomize: `evalsymlink failure on '<abs>' : lstat <abs>: no such file or directory`.
    Missing(String),
    /// kustomize: `security; file '<abs>' is not in or below '<root>'`.
    Outside(String),
    NotAFile(String),
    Io(String),
}

impl LoadError {
    pub fn message(&self) -> &str {
        match self {
            LoadError::Missing(m)
            | LoadError::Outside(m)
            | LoadError::NotAFile(m)
            | LoadError::Io(m) => m,
        }
    }
}

/// Resolves `rel` in `root` and applies the restrictor.
pub fn resolve(
    root: &Root,
    rel: &str,
    restrictor: Restrictor,
) -> Result<(PathBuf, PathBuf), LoadError> {
    let display = normalize(&root.display.join(rel));
    let joined = if Path::new(rel).is_absolute() {
        PathBuf::from(rel)
    } else {
        root.abs.join(rel)
    };
    let lexical = normalize(&joined);
    let abs = std::fs::canonicalize(&joined).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
            _ => e.to_string(),
        };
        LoadError::Missing(format!(
            "evalsymlink failure on '{}' : lstat {}: {reason}",
            lexical.display(),
            lexical.display()
        ))
    })?;
    if restrictor == Restrictor::RootOnly && !abs.starts_with(&root.abs) {
        return Err(LoadError::Outside(format!(
            "security; file '{}' is not in or below '{}'",
            abs.display(),
            root.abs.display()
        )));
    }
    Ok((display, abs))
}

/// Reads a file into `sources` (once per path) and returns its id.
///
/// `seen` is kept sorted by path so that a lookup is a binary search: a
/// large tree reads thousands of files.
pub fn read(
    sources: &mut Sources,
    seen: &mut Vec<(PathBuf, FileId)>,
    display: &Path,
    abs: &Path,
) -> Result<FileId, LoadError> {
    let slot = match seen.binary_search_by(|(p, _)| p.as_path().cmp(abs)) {
        Ok(i) => return Ok(seen[i].1),
        Err(i) => i,
    };
    if let Some(id) = sources.find_path(abs) {
        seen.insert(slot, (abs.to_path_buf(), id));
        return Ok(id);
    }
    if abs.is_dir() {
        return Err(LoadError::NotAFile(format!(
            "'{}' must resolve to a file",
            display.display()
        )));
    }
    let bytes = std::fs::read(abs)
        .map_err(|e| LoadError::Io(format!("cannot read '{}': {e}", display.display())))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let text = text
        .strip_prefix('\u{FEFF}')
        .map(str::to_owned)
        .unwrap_or(text);
    let id = sources.add(SourceFile::new(display.display().to_string(), text));
    sources.remember_path(abs, id);
    seen.insert(slot, (abs.to_path_buf(), id));
    Ok(id)
}

/// Whether a resource entry names something remote (drydock never fetches).
pub fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
        || (entry.contains("?ref=") && !Path::new(entry).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_normalization() {
        assert_eq!(
            normalize(Path::new("overlays/prod/../base/d.yaml")),
            PathBuf::from("overlays/base/d.yaml")
        );
        assert_eq!(normalize(Path::new("./a/./b")), PathBuf::from("a/b"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(normalize(Path::new(".")), PathBuf::from("."));
    }

    #[test]
    fn remote_entries() {
        assert!(is_remote("https://github.com/org/repo//base?ref=v1"));
        assert!(is_remote("github.com/org/repo/base?ref=main"));
        assert!(is_remote("git@github.com:org/repo.git"));
        assert!(!is_remote("../base"));
    }
}
