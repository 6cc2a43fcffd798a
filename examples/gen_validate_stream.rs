//! Writes the validation benchmark's stream of realistic objects with injected
//! schema errors: `gen_validate_stream OUT [OBJECTS] [ERRORS_EVERY] [SEED]`.
//!
//! Every `ERRORS_EVERY`-th object (default 150; 0 for none) carries one error.
//! Beside `OUT` it writes `OUT.expected`, one finding a validator must report
//! per line: `line<TAB>column<TAB>code<TAB>error class<TAB>Kind/name`. The same
//! arguments always write the same files.

#[path = "../tests/support/gen_stream.rs"]
mod gen_stream;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::ExitCode;

fn number(arg: Option<String>, default: u64, what: &str) -> Result<u64, String> {
    match arg {
        None => Ok(default),
        Some(s) => s
            .replace('_', "")
            .parse()
            .map_err(|_| format!("{what} must be a number, not `{s}`")),
    }
}

fn run() -> Result<String, String> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("usage: gen_validate_stream OUT [OBJECTS] [ERRORS_EVERY] [SEED]")?;
    let objects = number(args.next(), 10_000, "OBJECTS")? as usize;
    let every = number(args.next(), 150, "ERRORS_EVERY")? as usize;
    let seed = number(args.next(), 1, "SEED")?;

    let (text, expected) = gen_stream::generate(objects, every, seed);
    let mut table = String::new();
    for e in &expected {
        let _ = writeln!(
            table,
            "{}\t{}\t{}\t{}\t{}",
            e.line, e.column, e.code, e.fault, e.object
        );
    }
    let write = |path: &str, data: &str| {
        std::fs::write(path, data).map_err(|e| format!("cannot write `{path}`: {e}"))
    };
    write(&out, &text)?;
    write(&format!("{out}.expected"), &table)?;
    let injected: BTreeSet<&str> = expected.iter().map(|e| e.object.as_str()).collect();
    Ok(format!(
        "{out}: {objects} objects, {} injected errors ({} expected findings), {} bytes",
        injected.len(),
        expected.len(),
        text.len()
    ))
}

fn main() -> ExitCode {
    match run() {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_validate_stream: {e}");
            ExitCode::from(2)
        }
    }
}
