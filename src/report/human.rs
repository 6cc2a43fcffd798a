//! The human format: miette's graphical reports with a code frame, grouped by
//! file, then a one-line summary.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Report, Resolved, Summary};
use crate::diagnostic::Severity;
use crate::source::LineIndex;

#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

/// Lines longer than this are shown as a window around the span.
const LONG_LINE: usize = 240;
const WINDOW: usize = 60;

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A file's (masked) text as miette reads it, with columns counted in characters.
struct View<'a> {
    name: &'a str,
    text: Cow<'a, str>,
    lines: &'a LineIndex,
}

impl SourceCode for View<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &str = &self.text;
        let start = span.offset();
        let end = start + span.len();
        if start > text.len() || end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.lines.line_of(start);
        let last = self.lines.line_of(end.saturating_sub(1).max(start));
        let from = first.saturating_sub(before);
        let to = (last + after).min(self.lines.len() - 1);
        let too_long = (from..=to)
            .any(|l| self.lines.line_end(text, l) - self.lines.line_start(l) > LONG_LINE);
        if before > 0 && too_long {
            // Generated one-line files would flood the terminal: show a window
            // of the span's line around the span.
            let ls = self.lines.line_start(first);
            let le = self.lines.line_end(text, first);
            let ws = floor_char(text, start.saturating_sub(WINDOW).max(ls));
            let we = floor_char(text, (end.max(start) + WINDOW).min(le)).max(start.min(le));
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.to_owned(),
                &text.as_bytes()[ws..we],
                SourceSpan::new(ws.into(), we - ws),
                first,
                0,
                1,
            )));
        }
        let data_start = if before == 0 {
            start
        } else {
            self.lines.line_start(from)
        };
        let data_end = self
            .lines
            .line_start(to + 1)
            .min(text.len())
            .max(data_start);
        let column = if before == 0 {
            text[self.lines.line_start(first)..start].chars().count()
        } else {
            0
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            &text.as_bytes()[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            if before == 0 { first } else { from },
            column,
            to - from + 1,
        )))
    }
}

struct Rendered<'a> {
    r: &'a Resolved,
    message: String,
    source: Option<View<'a>>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.r.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.r.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.r
            .diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let (s, e) = self.r.span?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(None, (s, e - s))];
        for ((rs, re), msg) in &self.r.related {
            labels.push(LabeledSpan::new_with_span(
                Some(msg.clone()),
                (*rs, re - rs),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The last line of a human report.
pub fn summary_line(s: &Summary) -> String {
    let scope = format!(
        "in {} ({})",
        plural(s.files, "file", "files"),
        plural(s.objects, "object", "objects")
    );
    let suppressed = if s.suppressed > 0 {
        format!("; {} suppressed by annotations", s.suppressed)
    } else {
        String::new()
    };
    if s.errors + s.warnings + s.infos == 0 {
        return format!("no problems found {scope}{suppressed}");
    }
    format!(
        "{}, {}, {} {scope}{suppressed}",
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.infos, "info", "infos"),
    )
}

pub fn write_human(out: &mut dyn Write, report: &Report<'_>, opts: HumanOptions) -> io::Result<()> {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .tab_width(4)
        .with_context_lines(2);
    for r in &report.diagnostics {
        let file = r.file.map(|f| report.sources.get(f));
        let source = match (r.file, file, r.span) {
            (Some(id), Some(f), Some(_)) => Some(View {
                name: &f.name,
                text: report.display_text(id),
                lines: f.lines(),
            }),
            _ => None,
        };
        let message = match (file, &source) {
            (Some(f), None) => format!("{}: {}", f.name, r.diagnostic.message),
            _ => r.diagnostic.message.clone(),
        };
        let rendered = Rendered { r, message, source };
        let mut buf = String::new();
        if handler.render_report(&mut buf, &rendered).is_err() {
            buf = format!("{}: {}\n", r.diagnostic.code, rendered.message);
        }
        out.write_all(buf.as_bytes())?;
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(&report.summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_wording() {
        let mut s = Summary {
            files: 1,
            objects: 2,
            ..Summary::default()
        };
        assert_eq!(summary_line(&s), "no problems found in 1 file (2 objects)");
        s.errors = 1;
        s.warnings = 2;
        assert_eq!(
            summary_line(&s),
            "1 error, 2 warnings, 0 infos in 1 file (2 objects)"
        );
        s.suppressed = 3;
        assert_eq!(
            summary_line(&s),
            "1 error, 2 warnings, 0 infos in 1 file (2 objects); 3 suppressed by annotations"
        );
    }
}
