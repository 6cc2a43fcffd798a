//! `drydock validate` over plain files, a batch of document chunks at a time.
//!
//! Loading every file, then validating every object, then resolving every
//! finding keeps all objects (several times the size of their text) until the
//! end. Here the chunks of a batch (a few MiB of documents) are parsed,
//! identified and validated, and their findings resolved to lines and columns,
//! before the next batch is parsed: objects are dropped as soon as their
//! findings are resolved, and a file's text once its last chunk is done, unless
//! the report prints code frames. Findings, their order and every output are
//! the same as the whole pipeline's.
//!
//! The CustomResourceDefinitions of the inputs apply to custom resources
//! anywhere in them, so a first pass parses just the chunks whose text mentions
//! `CustomResourceDefinition` (a CRD's `kind` always does) and learns their
//! schemas. Kustomizations are rendered whole: inputs with one take the
//! pipeline path.

use rayon::prelude::*;

use super::{CustomSchemas, Validate};
use crate::diagnostic::{Diagnostic, Location, codes};
use crate::input::{self, Input, InputOptions, UsageError};
use crate::pipeline::{Context, Observer, Stage};
use crate::report::{ObjectList, Resolved, resolve_diagnostic, resolve_diagnostic_in};
use crate::resource::{self, Identity, Resource};
use crate::schema::{self, VersionSchemas};
use crate::source::{FileId, SourceFile, Sources};
use crate::yaml::split::{self, Boundary, Chunk};
use crate::yaml::{self, LoadOptions};

/// What the report will need besides the findings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    /// The text of the files, and the Secrets among the objects (code frames).
    pub text: bool,
    /// Every object's identity (JUnit lists them).
    pub objects: bool,
}

/// The outcome of a streamed run, ready for [`crate::report::Report::from_resolved`].
pub struct Streamed {
    /// Every file read; texts are empty unless [`Needs::text`].
    pub sources: Sources,
    pub resolved: Vec<Resolved>,
    /// Objects checked.
    pub count: usize,
    /// Filled when [`Needs::objects`].
    pub list: ObjectList,
    /// The Secrets among the objects, kept when [`Needs::text`].
    pub secrets: Vec<Resource>,
    /// A path could not be read (exit status 2).
    pub io_failed: bool,
}

/// Bytes of documents parsed and validated together; bounds what is held at once.
const BATCH_BYTES: usize = 4 * 1024 * 1024;

/// Bytes of a file read at once when it is read in parts.
const PART_BYTES: usize = 1024 * 1024;

/// The text every CustomResourceDefinition document contains.
const CRD_MARK: &[u8] = b"CustomResourceDefinition";

/// Reads, validates and resolves the findings of `paths`; `None` when the
/// inputs hold a kustomization, which the whole pipeline renders.
pub fn run(
    paths: &[String],
    inputs: &InputOptions,
    yaml: &LoadOptions,
    stage: &Validate,
    needs: Needs,
    observer: &dyn Observer,
) -> Result<Option<Streamed>, UsageError> {
    run_in_parts_of(paths, inputs, yaml, stage, needs, observer, PART_BYTES)
}

fn run_in_parts_of(
    paths: &[String],
    inputs: &InputOptions,
    yaml: &LoadOptions,
    stage: &Validate,
    needs: Needs,
    observer: &dyn Observer,
    part_bytes: usize,
) -> Result<Option<Streamed>, UsageError> {
    let (found, discovered) = input::discover(paths, inputs)?;
    if found.iter().any(|i| matches!(i, Input::Kustomization(_))) {
        return Ok(None);
    }
    let files: Vec<Input> = found
        .into_iter()
        .filter(|f| match f {
            Input::File(p) => inputs.is_changed(p),
            _ => true,
        })
        .collect();
    let mut stdin = None;
    let scan = scan_inputs(&files, yaml, stage.strict, &mut stdin);
    let mut run = Run {
        stage,
        schemas: schema::schemas(stage.version),
        custom: scan.custom,
        yaml,
        needs,
        part_bytes,
        problems: scan.problems.into_iter().map(Some).collect(),
        files: Vec::new(),
        parts: Vec::new(),
        batch: Vec::new(),
        batch_bytes: 0,
        out: Streamed {
            sources: Sources::default(),
            resolved: Vec::new(),
            count: 0,
            list: Vec::new(),
            secrets: Vec::new(),
            io_failed: !discovered.is_empty(),
        },
    };
    let mut early = discovered;
    observer.step("validate", Some(files.len()));
    for (i, inp) in files.iter().enumerate() {
        let id = FileId(i as u32);
        run.files.push(FileState {
            reading: true,
            pending: 0,
            nonempty: false,
        });
        let path = match inp {
            Input::File(p) if scan.in_parts[i] && !needs.text => Some(p),
            _ => None,
        };
        if let Some(path) = path {
            run.out.sources.add(SourceFile::new(inp.display(), ""));
            if let Err(e) = run.read_parts(id, path) {
                let d = Diagnostic::new(
                    &codes::IO_ERROR,
                    format!("cannot read `{}`: {e}", inp.display()),
                )
                .at(Location::File(id));
                early.push(d);
                run.files[i].nonempty = true;
                run.out.io_failed = true;
            }
        } else {
            let (source, problem, io_failed) = read_source(id, inp, &mut stdin);
            run.out.io_failed |= io_failed;
            if let Some(d) = problem {
                // Not parsed (so not empty either); the problem may point into
                // the text (invalid UTF-8).
                run.files[i].nonempty = true;
                run.out.sources.add(source);
                let sources = &run.out.sources;
                let r = resolve_diagnostic(sources, d, &mut |f, b| sources.get(f).position(b));
                run.out.resolved.push(r);
                if !needs.text {
                    run.out.sources.release_text(id);
                }
            } else {
                let name = source.name;
                run.out.sources.add(SourceFile::new(name, ""));
                let end = source.text.len();
                run.add_part(id, source.text, TEXT_START, 0, end, true);
            }
        }
        run.files[i].reading = false;
        run.file_done(id);
        observer.done_one();
    }
    run.flush();
    // Paths that could not be read, and schema problems no chunk claimed.
    early.extend(run.problems.iter_mut().filter_map(Option::take));
    let sources = &run.out.sources;
    let rest: Vec<Resolved> = early
        .into_iter()
        .map(|d| resolve_diagnostic(sources, d, &mut |f, b| sources.get(f).position(b)))
        .collect();
    run.out.resolved.extend(rest);
    Ok(Some(run.out))
}

/// The start of a file.
const TEXT_START: Boundary = Boundary { byte: 0, line: 1 };

/// Reads and decodes one input as the loader does.
fn read_source(
    id: FileId,
    inp: &Input,
    stdin: &mut Option<Vec<u8>>,
) -> (SourceFile, Option<Diagnostic>, bool) {
    let name = inp.display();
    match read_bytes(inp, stdin) {
        Ok(bytes) => {
            let (source, problem) = input::decode(id, name, bytes);
            (source, problem, false)
        }
        Err(e) => {
            let d = Diagnostic::new(&codes::IO_ERROR, format!("cannot read `{name}`: {e}"))
                .at(Location::File(id));
            (SourceFile::new(name, ""), Some(d), true)
        }
    }
}

/// An input's bytes; stdin is read once and kept for the second read.
fn read_bytes(inp: &Input, stdin: &mut Option<Vec<u8>>) -> std::io::Result<Vec<u8>> {
    match inp {
        Input::Stdin => {
            if stdin.is_none() {
                *stdin = Some(input::read(inp)?);
            }
            Ok(stdin.clone().unwrap_or_default())
        }
        _ => input::read(inp),
    }
}

/// What a first look at the inputs finds.
struct Scan {
    custom: CustomSchemas,
    problems: Vec<Diagnostic>,
    /// Per input: plain UTF-8 without byte-order mark, binary content or
    /// directives, which can be read a part at a time.
    in_parts: Vec<bool>,
}

/// Learns the schemas of the CRDs among the inputs, and what is wrong with
/// them, as the validation stage learns them from all objects (only chunks
/// that mention `CustomResourceDefinition` are parsed); and which files can be
/// read in parts. Files are read a block at a time.
fn scan_inputs(
    files: &[Input],
    yaml: &LoadOptions,
    strict: bool,
    stdin: &mut Option<Vec<u8>>,
) -> Scan {
    let mut resources = Vec::new();
    let mut in_parts = Vec::with_capacity(files.len());
    for (i, inp) in files.iter().enumerate() {
        let id = FileId(i as u32);
        let (plain, crd) = match inp {
            Input::File(p) => look(p).unwrap_or((false, true)),
            _ => (false, true),
        };
        in_parts.push(plain);
        if !crd {
            continue;
        }
        let Ok(bytes) = read_bytes(inp, stdin) else {
            continue;
        };
        if memchr::memmem::find(&bytes, CRD_MARK).is_none() {
            continue;
        }
        let (source, problem) = input::decode(id, inp.display(), bytes);
        if problem.is_some() {
            continue;
        }
        let text = &source.text;
        let segments = split::segments(text);
        for chunk in split::chunks(text, &segments, yaml::CHUNK_BYTES) {
            let body = &text.as_bytes()[chunk.start.byte..chunk.end];
            if memchr::memmem::find(body, CRD_MARK).is_none() {
                continue;
            }
            let parsed = yaml::parse_chunk(id, text, TEXT_START, &chunk, &segments, yaml);
            let mut ignored = parsed.diagnostics;
            resources.extend(resource::from_documents(parsed.docs, &mut ignored));
        }
    }
    let (custom, problems) = if resources.is_empty() {
        (CustomSchemas::default(), Vec::new())
    } else {
        let none = Sources::default();
        let identified = Identity.run(resources, &Context { sources: &none });
        CustomSchemas::from_resources(&identified.resources, strict)
    };
    Scan {
        custom,
        problems,
        in_parts,
    }
}

/// Reads a file a block at a time: whether it is plain UTF-8 (no byte-order
/// mark, no NUL byte where the loader looks for one, no `%` directive) and
/// whether it mentions `CustomResourceDefinition`.
fn look(path: &std::path::Path) -> std::io::Result<(bool, bool)> {
    use std::io::Read;
    const BLOCK: usize = 1024 * 1024;
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; BLOCK + 64];
    // Bytes carried over from the previous block: an incomplete character, and
    // enough for a mark that straddles two blocks.
    let mut carried = 0;
    let mut first = true;
    let (mut plain, mut crd) = (true, false);
    loop {
        let n = file.read(&mut buf[carried..carried + BLOCK])?;
        let len = carried + n;
        let data = &buf[..len];
        if first {
            first = false;
            let boms: [&[u8]; 3] = [b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"];
            if boms.iter().any(|b| data.starts_with(b)) || data.first() == Some(&b'%') {
                plain = false;
            }
        }
        // Conservative: the loader decides about NUL bytes and directives.
        if memchr::memmem::find(data, b"\n%").is_some() || memchr::memchr(0, data).is_some() {
            plain = false;
        }
        crd |= memchr::memmem::find(data, CRD_MARK).is_some();
        let valid = match std::str::from_utf8(data) {
            Ok(_) => len,
            Err(e) if e.error_len().is_none() && n > 0 => e.valid_up_to(),
            Err(_) => {
                plain = false;
                len
            }
        };
        if n == 0 || (!plain && crd) {
            return Ok((plain, crd));
        }
        let mut keep = len.saturating_sub(CRD_MARK.len()).min(valid);
        while keep < valid && (data[keep] & 0xC0) == 0x80 {
            keep += 1;
        }
        buf.copy_within(keep..len, 0);
        carried = len - keep;
    }
}

/// A file whose parts are on their way.
struct FileState {
    /// Parts are still being read.
    reading: bool,
    /// Parts read but not processed yet.
    pending: usize,
    /// Whether any chunk held a document or a problem.
    nonempty: bool,
}

/// A part of a file: whole documents, with the line before them (a syntax
/// error's hint may quote it) and the line after them.
struct Part {
    file: FileId,
    text: String,
    /// File offset and line of the first byte of `text`.
    origin: Boundary,
    /// Document boundaries: bytes of `text`, lines of the file.
    segments: Vec<Boundary>,
    /// Chunks not processed yet.
    remaining: usize,
    /// `text` is the whole file.
    whole: bool,
}

/// One chunk of a part, with the schema problems found in its documents.
struct Unit {
    part: usize,
    chunk: Chunk,
    problems: Vec<Diagnostic>,
}

/// What a chunk leaves behind once its objects are dropped.
#[derive(Default)]
struct UnitOut {
    resolved: Vec<Resolved>,
    count: usize,
    list: ObjectList,
    secrets: Vec<Resource>,
    nonempty: bool,
}

struct Run<'a> {
    stage: &'a Validate,
    schemas: &'static VersionSchemas,
    custom: CustomSchemas,
    yaml: &'a LoadOptions,
    needs: Needs,
    /// Bytes read at once from a file read in parts.
    part_bytes: usize,
    /// CRD problems, each taken by the chunk that holds its CRD.
    problems: Vec<Option<Diagnostic>>,
    files: Vec<FileState>,
    /// Parts by index; a part's text is freed once its chunks are done.
    parts: Vec<Part>,
    batch: Vec<Unit>,
    batch_bytes: usize,
    out: Streamed,
}

impl Run<'_> {
    /// Reads a file a part at a time, processing batches as they fill.
    fn read_parts(&mut self, file: FileId, path: &std::path::Path) -> std::io::Result<()> {
        let mut reader = PartReader::open(path, self.part_bytes)?;
        while let Some(p) = reader.next_part()? {
            self.add_part(file, p.text, p.origin, p.start, p.end, false);
        }
        Ok(())
    }

    /// Queues the chunks of the documents in `text[start..end]`; `text` starts
    /// at `origin` of the file.
    fn add_part(
        &mut self,
        file: FileId,
        text: String,
        origin: Boundary,
        start: usize,
        end: usize,
        whole: bool,
    ) {
        let body = &text[..end];
        let mut segments = split::segments(body);
        segments.retain(|s| s.byte >= start);
        for s in &mut segments {
            s.line += origin.line - 1;
        }
        let chunks = split::chunks(body, &segments, yaml::CHUNK_BYTES);
        self.files[file.0 as usize].pending += 1;
        let index = self.parts.len();
        self.parts.push(Part {
            file,
            text,
            origin,
            segments,
            remaining: chunks.len(),
            whole,
        });
        for chunk in chunks {
            self.batch_bytes += chunk.end - chunk.start.byte;
            self.batch.push(Unit {
                part: index,
                chunk,
                problems: Vec::new(),
            });
        }
        if self.batch_bytes >= BATCH_BYTES {
            self.flush();
        }
    }

    /// Processes the batch, in parallel, keeping input order.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        for unit in &mut self.batch {
            let part = &self.parts[unit.part];
            let (from, to) = (
                part.origin.byte + unit.chunk.start.byte,
                part.origin.byte + unit.chunk.end,
            );
            for slot in &mut self.problems {
                let inside = match slot {
                    Some(Diagnostic {
                        location: Location::Pointer { doc, .. },
                        ..
                    }) => doc.file == part.file && doc.start >= from && doc.start < to,
                    _ => false,
                };
                if inside {
                    unit.problems.extend(slot.take());
                }
            }
        }
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        let results: Vec<UnitOut> = batch.par_iter().map(|u| self.process(u)).collect();
        for (unit, r) in batch.iter().zip(results) {
            self.out.resolved.extend(r.resolved);
            self.out.count += r.count;
            self.out.list.extend(r.list);
            self.out.secrets.extend(r.secrets);
            let part = &mut self.parts[unit.part];
            let file = part.file;
            self.files[file.0 as usize].nonempty |= r.nonempty;
            part.remaining -= 1;
            if part.remaining == 0 {
                let text = std::mem::take(&mut part.text);
                part.segments = Vec::new();
                if part.whole && self.needs.text {
                    self.out.sources.set_text(file, text);
                }
                self.files[file.0 as usize].pending -= 1;
                self.file_done(file);
            }
        }
    }

    /// Reports an empty file once all its parts are read and processed.
    fn file_done(&mut self, file: FileId) {
        let state = &self.files[file.0 as usize];
        if state.reading || state.pending > 0 || state.nonempty {
            return;
        }
        // Reported once: the flag stands for "done" from here on.
        self.files[file.0 as usize].nonempty = true;
        let d = Diagnostic::new(&codes::EMPTY_FILE, "the file contains no YAML document")
            .help("delete the file, or exclude it with --exclude")
            .at(Location::File(file));
        let sources = &self.out.sources;
        let r = resolve_diagnostic(sources, d, &mut |f, b| sources.get(f).position(b));
        self.out.resolved.push(r);
    }

    /// Parses, identifies and validates one chunk and resolves its findings.
    fn process(&self, u: &Unit) -> UnitOut {
        let sources = &self.out.sources;
        let part = &self.parts[u.part];
        let parsed = yaml::parse_chunk(
            part.file,
            &part.text,
            part.origin,
            &u.chunk,
            &part.segments,
            self.yaml,
        );
        let nonempty = !parsed.docs.is_empty() || !parsed.diagnostics.is_empty();
        let mut diags = parsed.diagnostics;
        let resources = resource::from_documents(parsed.docs, &mut diags);
        let identified = Identity.run(resources, &Context { sources });
        diags.extend(identified.diagnostics);
        // The stage reports schema problems before the objects' findings.
        diags.extend(u.problems.iter().cloned());
        for r in &identified.resources {
            diags.extend(self.stage.validate(self.schemas, &self.custom, r));
        }
        let diags = without_repeats(diags);
        let mut lines = ChunkLines::new(&part.text, part.origin.line, u.chunk.start);
        let base = part.origin.byte;
        let text_of = |f: FileId| {
            if f == part.file {
                (part.text.as_str(), base)
            } else {
                (sources.get(f).text.as_str(), 0)
            }
        };
        let resolved = diags
            .into_iter()
            .map(|d| {
                resolve_diagnostic_in(&text_of, d, &mut |f, b| {
                    if f == part.file {
                        lines.position(b.saturating_sub(base))
                    } else {
                        sources.get(f).position(b)
                    }
                })
            })
            .collect();
        let list = if self.needs.objects {
            identified
                .resources
                .iter()
                .map(|o| (o.origin.doc.file, o.object_ref(), o.target))
                .collect()
        } else {
            Vec::new()
        };
        let count = identified.resources.len();
        let secrets = if self.needs.text {
            identified
                .resources
                .into_iter()
                .filter(|r| r.kind() == Some("Secret"))
                .collect()
        } else {
            Vec::new()
        };
        UnitOut {
            resolved,
            count,
            list,
            secrets,
            nonempty,
        }
    }
}

/// A part as read: `text` starts at `origin` of the file; its documents are
/// `text[start..end]`.
struct RawPart {
    text: String,
    origin: Boundary,
    start: usize,
    end: usize,
}

/// Cuts a plain UTF-8 file into parts of about [`PART_BYTES`] at `---` lines.
struct PartReader {
    file: std::fs::File,
    part_bytes: usize,
    /// Bytes from `origin` of the file on.
    buf: Vec<u8>,
    origin: Boundary,
    /// Where the next part's documents start in `buf`.
    next: usize,
    eof: bool,
}

impl PartReader {
    fn open(path: &std::path::Path, part_bytes: usize) -> std::io::Result<PartReader> {
        Ok(PartReader {
            file: std::fs::File::open(path)?,
            part_bytes,
            buf: Vec::new(),
            origin: TEXT_START,
            next: 0,
            eof: false,
        })
    }

    /// Reads until `buf` holds `want` bytes or the file ends.
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        use std::io::Read;
        while !self.eof && self.buf.len() < want {
            let old = self.buf.len();
            self.buf.resize(want, 0);
            let n = match self.file.read(&mut self.buf[old..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    self.buf.truncate(old);
                    continue;
                }
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            };
            self.buf.truncate(old + n);
            if n == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }

    /// The last document boundary after `next` whose line is complete.
    fn cut(&self) -> Option<usize> {
        let b = &self.buf;
        memchr::memrchr_iter(b'\n', &b[self.next..])
            .map(|i| self.next + i + 1)
            .filter(|&c| c + 3 < b.len())
            .find(|&c| split::is_marker_at(b, c) && memchr::memchr(b'\n', &b[c..]).is_some())
    }

    fn next_part(&mut self) -> std::io::Result<Option<RawPart>> {
        let mut want = self.next + self.part_bytes;
        let cut = loop {
            self.fill(want)?;
            if self.next >= self.buf.len() {
                return Ok(None);
            }
            if self.eof {
                break self.buf.len();
            }
            if let Some(c) = self.cut() {
                break c;
            }
            want = self.buf.len() + self.part_bytes;
        };
        let len = self.buf.len();
        // The part's text runs on to the end of the line after its documents.
        let end = if cut < len {
            memchr::memchr(b'\n', &self.buf[cut..]).map_or(len, |i| cut + i + 1)
        } else {
            len
        };
        let text = match std::str::from_utf8(&self.buf[..end]) {
            Ok(t) => t.to_owned(),
            // The file changed since it was first read.
            Err(_) => String::from_utf8_lossy(&self.buf[..end]).into_owned(),
        };
        let part = RawPart {
            text,
            origin: self.origin,
            start: self.next,
            end: cut,
        };
        // Keep the last line with content before the cut for the next part.
        let keep = context_start(&self.buf, cut);
        let lines = memchr::memchr_iter(b'\n', &self.buf[..keep]).count();
        self.origin = Boundary {
            byte: self.origin.byte + keep,
            line: self.origin.line + lines,
        };
        self.buf.drain(..keep);
        self.next = cut - keep;
        Ok(Some(part))
    }
}

/// Start of the last line before `cut` with content (neither blank nor a
/// comment), as a syntax error's hint looks for it; 0 when there is none.
fn context_start(b: &[u8], cut: usize) -> usize {
    let mut end = cut;
    while end > 0 {
        let start = memchr::memrchr(b'\n', &b[..end - 1]).map_or(0, |i| i + 1);
        let line = std::str::from_utf8(&b[start..end - 1]).map_or("x", str::trim);
        if !line.is_empty() && !line.starts_with('#') {
            return start;
        }
        end = start;
    }
    0
}

/// Lines and columns of byte offsets near a chunk, counted from the chunk's
/// first line, as [`crate::source::LineIndex`] counts them over the whole file
/// (without building that index).
struct ChunkLines<'t> {
    text: &'t str,
    /// Line of the first byte of `text`.
    first_line: usize,
    from: Boundary,
    /// A known (byte, line) pair at or after `from`.
    at: (usize, usize),
}

impl<'t> ChunkLines<'t> {
    fn new(text: &'t str, first_line: usize, from: Boundary) -> Self {
        ChunkLines {
            text,
            first_line,
            from,
            at: (from.byte, from.line),
        }
    }

    /// 1-based line and 1-based character column of `byte`.
    fn position(&mut self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let (from, line) = if byte >= self.at.0 {
            self.at
        } else if byte >= self.from.byte {
            (self.from.byte, self.from.line)
        } else {
            (0, self.first_line)
        };
        let b = self.text.as_bytes();
        let line = line + memchr::memchr_iter(b'\n', &b[from..byte]).count();
        if byte >= self.from.byte {
            self.at = (byte, line);
        }
        let start = memchr::memrchr(b'\n', &b[..byte]).map_or(0, |i| i + 1);
        let col = self
            .text
            .get(start..byte)
            .map_or(byte - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// Drops a schema type error where the loader already explained the same value
/// (an unquoted `yes` or `1.10` in a string field, a scalar that does not match its
/// tag): one finding per mistake. Both are about one document, so this may run
/// on the findings of any run of whole documents.
pub fn without_repeats(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    use std::collections::HashSet;
    let key = |d: &Diagnostic| match &d.location {
        Location::Pointer { doc, pointer, .. } => Some((doc.file, doc.start, pointer.clone())),
        _ => None,
    };
    let explained: HashSet<_> = diagnostics
        .iter()
        .filter(|d| d.code == codes::YAML11_STRING_FIELD.name || d.code == codes::YAML_TAG.name)
        .filter_map(key)
        .collect();
    if explained.is_empty() {
        return diagnostics;
    }
    diagnostics
        .into_iter()
        .filter(|d| {
            d.code != codes::SCHEMA_TYPE.name || key(d).is_none_or(|k| !explained.contains(&k))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LineIndex;

    #[test]
    fn chunk_lines_agree_with_the_line_index() {
        let text = "a: 1\n---\nb: \"日本\" # x\nc: 2\n---\nd: 3\n";
        let idx = LineIndex::new(text);
        let segs = split::segments(text);
        for &from in &segs {
            let mut lines = ChunkLines::new(text, 1, from);
            // Forwards, backwards, past the end and before the chunk.
            let mut probes: Vec<usize> = (0..=text.len() + 2).collect();
            probes.extend((0..=text.len()).rev());
            for b in probes {
                assert_eq!(
                    lines.position(b),
                    idx.position(text, b),
                    "byte {b} from {from:?}"
                );
            }
        }
    }

    /// The JSON report of the whole pipeline and of the streamed run.
    fn both_ways(paths: &[String], part_bytes: usize, needs: Needs) -> (String, String) {
        use crate::pipeline::{Pipeline, Unobserved};
        use crate::report::Report;
        let opts = LoadOptions::default();
        let inputs = InputOptions::default();
        let stage = || Validate {
            ignore_missing_schemas: false,
            ..Validate::default()
        };
        let loaded = crate::load::load(paths, &inputs, &opts).expect("inputs");
        let cx = Context {
            sources: &loaded.sources,
        };
        let mut pipeline = Pipeline::check();
        pipeline.push(Box::new(stage()));
        let out = pipeline.run(loaded.resources, &cx);
        let mut diagnostics = loaded.diagnostics;
        diagnostics.extend(out.diagnostics);
        let report = Report::new(
            &loaded.sources,
            without_repeats(diagnostics),
            &out.resources,
        );
        let mut whole = Vec::new();
        crate::report::write_json(&mut whole, &report).expect("written");

        let streamed = run_in_parts_of(
            paths,
            &inputs,
            &opts,
            &stage(),
            needs,
            &Unobserved,
            part_bytes,
        )
        .expect("inputs")
        .expect("no kustomization");
        let report = Report::from_resolved(
            &streamed.sources,
            streamed.resolved,
            streamed.count,
            streamed.list,
            &streamed.secrets,
        );
        let mut parts = Vec::new();
        crate::report::write_json(&mut parts, &report).expect("written");
        (
            String::from_utf8(whole).expect("UTF-8"),
            String::from_utf8(parts).expect("UTF-8"),
        )
    }

    #[test]
    fn parts_report_what_the_whole_pipeline_reports() {
        let dir = std::env::temp_dir().join(format!("drydock-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut text = String::from("# leading comment\n");
        for i in 0..60 {
            text.push_str(&format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i} # 注释\ndata:\n  k: \"{}\"\n  on: yes\n",
                "日".repeat(i % 7)
            ));
            match i % 12 {
                0 => text.push_str("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: \"2\"\n  selectr: {}\n"),
                2 => text.push_str("--- a: b\n"),
                3 => text.push_str("---\nkind: Pod\napiVersion: v1\nmetadata:\n  name: p\n  name: q\nspec:\n  containers: [\n"),
                5 => text.push_str("---\n# only a comment\n---\n"),
                6 => text.push_str("---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: not base64!\nkey\n"),
                8 => text.push_str("---\napiVersion: v1\nkind: Service\nmetadata：\n  name: x\n"),
                9 => text.push_str("---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: l}\n  data: {a: 1.10}\n"),
                10 => text.push_str("---\nkind: Thing\napiVersion: example.com/v1\nmetadata:\n\tname: t\n"),
                _ => {}
            }
        }
        let big = dir.join("stream.yaml");
        std::fs::write(&big, &text).expect("written");
        let empty = dir.join("empty.yaml");
        std::fs::write(&empty, "# nothing\n").expect("written");
        let paths = vec![
            big.display().to_string(),
            empty.display().to_string(),
            dir.join("missing.yaml").display().to_string(),
        ];
        for part_bytes in [1, 40, 333, 4096, PART_BYTES] {
            let (whole, parts) = both_ways(&paths, part_bytes, Needs::default());
            assert_eq!(whole, parts, "parts of {part_bytes} bytes");
        }
        let (whole, parts) = both_ways(
            &paths,
            64,
            Needs {
                text: true,
                objects: true,
            },
        );
        assert_eq!(whole, parts);
        assert!(whole.contains("yaml-syntax") && whole.contains("schema-unknown-field"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn repeats_are_dropped_only_where_explained() {
        use crate::diagnostic::Target;
        use crate::yaml::DocSpan;
        let doc = DocSpan {
            file: FileId(0),
            start: 0,
            end: 10,
            line: 1,
            dialect: Default::default(),
        };
        let at = |p: &str| Location::Pointer {
            doc,
            pointer: p.to_owned(),
            target: Target::Value,
        };
        let diags = vec![
            Diagnostic::new(&codes::YAML11_STRING_FIELD, "explained").at(at("/data/a")),
            Diagnostic::new(&codes::SCHEMA_TYPE, "repeat").at(at("/data/a")),
            Diagnostic::new(&codes::SCHEMA_TYPE, "other").at(at("/data/b")),
        ];
        let kept: Vec<String> = without_repeats(diags)
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(kept, ["explained", "other"]);
    }
}
