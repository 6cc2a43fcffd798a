//! `--changed-only`: which files a commit or a branch changes, from git.
//!
//! In a pre-commit run (`PRE_COMMIT` set by pre-commit) with no revision given,
//! the staged files; otherwise the files that differ between the working tree
//! and the merge base of HEAD with the revision (`origin/main` by default),
//! plus untracked files.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn git(args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("--changed-only needs git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("git {}: {}", args.join(" "), err.trim()));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| format!("git {}: output is not UTF-8", args.join(" ")))
}

/// The changed files, as canonical absolute paths. `rev` is the revision given
/// with the option (empty for the default).
pub fn changed_files(rev: &str) -> Result<HashSet<PathBuf>, String> {
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?.trim_end());
    let mut names: Vec<String> = Vec::new();
    let pre_commit = std::env::var_os("PRE_COMMIT").is_some_and(|v| !v.is_empty());
    if rev.is_empty() && pre_commit {
        names.extend(split(&git(&["diff", "--cached", "--name-only", "-z"])?));
    } else {
        let rev = if rev.is_empty() { "origin/main" } else { rev };
        let base = git(&["merge-base", rev, "HEAD"]).map_err(|e| {
            format!("{e}\n(--changed-only compares with {rev}; name another revision: --changed-only REV)")
        })?;
        names.extend(split(&git(&["diff", "--name-only", "-z", base.trim()])?));
        names.extend(split(&git(&[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
        ])?));
    }
    Ok(names.iter().map(|n| canonical(&top.join(n))).collect())
}

fn split(out: &str) -> Vec<String> {
    out.split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A deleted file has no canonical path; its parent directory does.
fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        match (
            p.parent().and_then(|d| std::fs::canonicalize(d).ok()),
            p.file_name(),
        ) {
            (Some(d), Some(n)) => d.join(n),
            _ => p.to_path_buf(),
        }
    })
}
