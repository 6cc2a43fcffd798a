//! The JSON format: one object on stdout, documented in the README.
//!
//! ```json
//! {"version":1,"diagnostics":[{"code":"...","severity":"error","message":"...",
//!   "help":null,"file":"a.yaml","line":3,"column":5,"end_line":3,"end_column":9,
//!   "pointer":"/spec/replicas","object":{"apiVersion":"apps/v1","kind":"Deployment",
//!   "namespace":null,"name":"web"}}],
//!  "summary":{"files":1,"objects":2,"errors":1,"warnings":0,"infos":0,"suppressed":0}}
//! ```

use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::diagnostic::{ObjectRef, Severity};

#[derive(Serialize)]
struct Out<'a> {
    version: u32,
    diagnostics: Vec<Diag<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Diag<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    pointer: Option<&'a str>,
    object: Option<&'a ObjectRef>,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    objects: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    suppressed: usize,
}

pub fn write_json(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|r| {
            let d = &r.diagnostic;
            Diag {
                code: d.code,
                severity: d.severity,
                message: &d.message,
                help: d.help.as_deref(),
                file: r.file.map(|f| report.sources.get(f).name.as_str()),
                line: r.start.map(|p| p.line),
                column: r.start.map(|p| p.column),
                end_line: r.end.map(|p| p.line),
                end_column: r.end.map(|p| p.column),
                pointer: d.location.pointer(),
                object: d.object.as_ref(),
            }
        })
        .collect();
    let s = report.summary;
    let doc = Out {
        version: 1,
        diagnostics,
        summary: Summary {
            files: s.files,
            objects: s.objects,
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
            suppressed: s.suppressed,
        },
    };
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}
