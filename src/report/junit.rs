//! JUnit XML, for CI systems that show test reports: one test suite per target
//! (a kustomization, named by its directory, or a plain manifest file), one
//! test case per object in it (passing when nothing was found), a failure per
//! finding at or above `--fail-on`, and the findings below it in the test
//! case's output. Findings tied to no object form a `file` test case.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use super::{Report, Resolved};
use crate::diagnostic::{ObjectRef, Severity};
use crate::source::FileId;

pub fn write_junit(out: &mut dyn Write, report: &Report<'_>, fail_on: Severity) -> io::Result<()> {
    // Test cases per target (the kustomization file, or the manifest file), in
    // file order, then object order.
    let mut suites: BTreeMap<Option<FileId>, Vec<Case<'_>>> = BTreeMap::new();
    for (file, object, target) in &report.objects {
        let cases = suites.entry(Some(target.unwrap_or(*file))).or_default();
        if !cases.iter().any(|c| c.object.as_ref() == Some(object)) {
            cases.push(Case::new(Some(object.clone()), Some(*file)));
        }
    }
    // A finding in a rendered object belongs to the target it was rendered
    // for; one in a base shared by several targets, to the first of them.
    let mut suite_of: HashMap<(FileId, &ObjectRef), FileId> = HashMap::new();
    for (file, object, target) in &report.objects {
        suite_of
            .entry((*file, object))
            .or_insert(target.unwrap_or(*file));
    }
    for r in &report.diagnostics {
        let suite = match (r.file, &r.diagnostic.object) {
            (Some(file), Some(object)) => suite_of.get(&(file, object)).copied().or(r.file),
            _ => r.file,
        };
        let cases = suites.entry(suite).or_default();
        let object = r.diagnostic.object.clone();
        match cases.iter_mut().find(|c| c.object == object) {
            Some(c) => c.findings.push(r),
            None => {
                let mut c = Case::new(object, r.file);
                c.findings.push(r);
                cases.push(c);
            }
        }
    }
    let tests: usize = suites.values().map(Vec::len).sum();
    let failures: usize = suites
        .values()
        .flatten()
        .filter(|c| c.fails(fail_on))
        .count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="drydock" tests="{tests}" failures="{failures}" errors="0" time="0">"#
    )?;
    for (file, cases) in &suites {
        let name = (*file).map_or("(no file)", |f| suite_name(&report.sources.get(f).name));
        let failed = cases.iter().filter(|c| c.fails(fail_on)).count();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{failed}" errors="0" skipped="0" time="0">"#,
            attr(name),
            cases.len()
        )?;
        for case in cases {
            case.write(out, report, name, fail_on)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// A kustomization's suite is named by its directory.
fn suite_name(file: &str) -> &str {
    for k in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
        if let Some(dir) = file.strip_suffix(k) {
            let dir = dir.trim_end_matches(['/', '\\']);
            return if dir.is_empty() { "." } else { dir };
        }
    }
    file
}

struct Case<'a> {
    object: Option<ObjectRef>,
    /// The file the object was read from.
    file: Option<FileId>,
    findings: Vec<&'a Resolved>,
}

impl<'a> Case<'a> {
    fn new(object: Option<ObjectRef>, file: Option<FileId>) -> Self {
        Case {
            object,
            file,
            findings: Vec::new(),
        }
    }

    fn fails(&self, fail_on: Severity) -> bool {
        self.findings
            .iter()
            .any(|r| r.diagnostic.severity >= fail_on)
    }

    fn write(
        &self,
        out: &mut dyn Write,
        report: &Report<'_>,
        suite: &str,
        fail_on: Severity,
    ) -> io::Result<()> {
        let file = self
            .file
            .map_or(suite, |f| report.sources.get(f).name.as_str());
        let (name, class) = match &self.object {
            Some(o) => (
                o.display_name(),
                format!(
                    "{}@{}",
                    o.kind.as_deref().unwrap_or("object"),
                    o.api_version.as_deref().unwrap_or("")
                ),
            ),
            None => ("file".to_owned(), "file".to_owned()),
        };
        write!(
            out,
            r#"    <testcase name="{}" classname="{}" file="{}" time="0""#,
            attr(&name),
            attr(&class),
            attr(file)
        )?;
        if self.findings.is_empty() {
            return writeln!(out, "/>");
        }
        writeln!(out, ">")?;
        let mut below = Vec::new();
        for r in &self.findings {
            let d = &r.diagnostic;
            let name = r.file.map_or("", |f| report.sources.get(f).name.as_str());
            let at = match r.start {
                Some(p) => format!("{name}:{}:{}", p.line, p.column),
                None => name.to_owned(),
            };
            let body = match &d.help {
                Some(h) => format!("{at}: {}\nhelp: {h}", d.message),
                None => format!("{at}: {}", d.message),
            };
            if d.severity >= fail_on {
                writeln!(
                    out,
                    r#"      <failure message="{}" type="{}">{}</failure>"#,
                    attr(&d.message),
                    attr(d.code),
                    text(&body)
                )?;
            } else {
                below.push(format!("{} {}: {body}", d.severity, d.code));
            }
        }
        if !below.is_empty() {
            writeln!(
                out,
                "      <system-out>{}</system-out>",
                text(&below.join("\n"))
            )?;
        }
        writeln!(out, "    </testcase>")
    }
}

fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn attr(s: &str) -> String {
    text(s)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(attr("a<b & \"c\"\n"), "a&lt;b &amp; &quot;c&quot;&#10;");
        assert_eq!(text("<x>"), "&lt;x&gt;");
    }
}
