//! JUnit XML, for CI systems that show test reports: one test suite per input
//! file, one test case per object in it (passing when nothing was found), a
//! failure per finding at or above `--fail-on`, and the findings below it in the
//! test case's output. Findings tied to no object form a `file` test case.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Report, Resolved};
use crate::diagnostic::{ObjectRef, Severity};
use crate::source::FileId;

pub fn write_junit(out: &mut dyn Write, report: &Report<'_>, fail_on: Severity) -> io::Result<()> {
    // Test cases per file, in file order, then object order.
    let mut suites: BTreeMap<Option<FileId>, Vec<Case<'_>>> = BTreeMap::new();
    for (file, object) in &report.objects {
        let cases = suites.entry(Some(*file)).or_default();
        if !cases.iter().any(|c| c.object.as_ref() == Some(object)) {
            cases.push(Case::new(Some(object.clone())));
        }
    }
    for r in &report.diagnostics {
        let cases = suites.entry(r.file).or_default();
        let object = r.diagnostic.object.clone();
        match cases.iter_mut().find(|c| c.object == object) {
            Some(c) => c.findings.push(r),
            None => {
                let mut c = Case::new(object);
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
        let name = (*file).map_or("(no file)", |f| report.sources.get(f).name.as_str());
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

struct Case<'a> {
    object: Option<ObjectRef>,
    findings: Vec<&'a Resolved>,
}

impl<'a> Case<'a> {
    fn new(object: Option<ObjectRef>) -> Self {
        Case {
            object,
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
        file: &str,
        fail_on: Severity,
    ) -> io::Result<()> {
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
