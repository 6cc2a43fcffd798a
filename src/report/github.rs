//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line
//! per finding, so each shows on its line of the pull request's diff, then the
//! summary line (GitHub shows only the first few annotations of a step).

use std::io::{self, Write};

use super::Report;
use crate::diagnostic::Severity;

pub fn write_github(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    for r in &report.diagnostics {
        let d = &r.diagnostic;
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(f) = r.file {
            props.push(format!("file={}", property(&report.sources.get(f).name)));
        }
        if let (Some(s), Some(e)) = (r.start, r.end) {
            props.push(format!("line={}", s.line));
            props.push(format!("endLine={}", e.line));
            // Columns only mean something on a single line.
            if s.line == e.line {
                props.push(format!("col={}", s.column));
                props.push(format!("endColumn={}", e.column));
            }
        }
        props.push(format!("title={}", property(d.code)));
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        writeln!(out, "::{command} {}::{}", props.join(","), data(&message))?;
    }
    writeln!(out, "{}", super::human::summary_line(&report.summary))
}

/// Escapes a command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value, which also may not hold `:` or `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50% of a\nb"), "50%25 of a%0Ab");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
