//! The fast YAML scanner is a pure speed-up: on every input, the event stream
//! drydock parses (`yaml::fast::Events`) is exactly saphyr's, events, scalar
//! text and style, span markers and the first syntax error included; and the
//! scanner alone either gives up or produces saphyr's events. Checked on every
//! YAML file of the fixtures, the overlays and the shared corpora (when they
//! are there), on generated streams, and on many mutations of them.

#[path = "support/gen_stream.rs"]
mod gen_stream;

use std::path::{Path, PathBuf};

use drydock::yaml::fast::{Events, scan_all};
use saphyr_parser::{Event, Parser, ScanError, Span};

type Item<'a> = Result<(Event<'a>, Span), ScanError>;

/// saphyr's events up to and including the first error.
fn saphyr(text: &str) -> Vec<Item<'_>> {
    let mut out = Vec::new();
    for item in Parser::new_from_str(text) {
        let failed = item.is_err();
        out.push(item);
        if failed {
            break;
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    inputs: usize,
    /// Inputs the scanner read alone from start to end.
    fast: usize,
    /// Inputs where saphyr took over at least once.
    handed_over: usize,
}

fn excerpt(text: &str) -> String {
    let mut end = text.len().min(3000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Asserts that both event streams are saphyr's; returns whether the scanner
/// read the whole input alone.
fn check(text: &str, what: &str, tally: &mut Tally) -> bool {
    let want = saphyr(text);
    let events = Events::new(text);
    let got: Vec<Item<'_>> = events.collect();
    if got != want {
        let i = got
            .iter()
            .zip(&want)
            .position(|(g, w)| g != w)
            .unwrap_or(got.len().min(want.len()));
        panic!(
            "{what}: event {i} differs\n  fast:   {:?}\n  saphyr: {:?}\n(lengths {} and {})\n--- input ---\n{}",
            got.get(i),
            want.get(i),
            got.len(),
            want.len(),
            excerpt(text)
        );
    }
    let mut handed = Events::new(text);
    for _ in handed.by_ref() {}
    tally.inputs += 1;
    if handed.stats().0 > 0 {
        tally.handed_over += 1;
    }
    match scan_all(text) {
        Some(alone) => {
            let expected: Vec<(Event<'_>, Span)> = want
                .into_iter()
                .map(|w| {
                    w.unwrap_or_else(|e| {
                        panic!("{what}: scanner read an input saphyr rejects: {e}")
                    })
                })
                .collect();
            assert_eq!(alone, expected, "{what}: scanner alone\n{}", excerpt(text));
            assert_eq!(handed.stats().0, 0, "{what}: handed over though it scans");
            tally.fast += 1;
            true
        }
        None => false,
    }
}

/// xorshift64: the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

const INSERTS: &[&str] = &[
    " ",
    "  ",
    ": ",
    ":",
    "#",
    " #",
    "'",
    "\"",
    "''",
    "\\",
    "- ",
    "-",
    "\n",
    "\n\n",
    "[",
    "]",
    "{",
    "}",
    ",",
    "|",
    ">",
    "|-",
    "x",
    "é",
    "\t",
    "&a ",
    "*a",
    "!!str ",
    "? ",
    "---\n",
    "...\n",
    "%",
    "@",
    "\r\n",
    "\u{feff}",
    "\"a\\nb\" ",
    "{}",
    "[]",
    "0",
];

/// Variants of `text`: truncations, deleted and inserted characters, changed
/// indentation, moved lines.
fn mutations(text: &str, seed: u64, every_byte_below: usize) -> Vec<String> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::new();
    let n = text.len();
    if n == 0 {
        return out;
    }
    // Truncations: every few bytes for small inputs, else spread out.
    let step = if n <= every_byte_below { 3 } else { n / 48 + 1 };
    let mut cut = rng.below(step);
    while cut < n {
        out.push(text[..boundary(text, cut)].to_owned());
        cut += step;
    }
    for _ in 0..8 {
        let i = boundary(text, rng.below(n));
        let j = boundary(text, i + 1 + rng.below(3));
        out.push(format!("{}{}", &text[..i], &text[j.max(i)..]));
    }
    for _ in 0..16 {
        let i = boundary(text, rng.below(n + 1));
        let ins = INSERTS[rng.below(INSERTS.len())];
        out.push(format!("{}{ins}{}", &text[..i], &text[i..]));
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for _ in 0..8 {
        let k = rng.below(lines.len());
        let mut v: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        match rng.below(5) {
            0 => v[k].insert(0, ' '),
            1 => v[k].insert_str(0, "  "),
            2 => {
                let trimmed = v[k].strip_prefix("  ").or_else(|| v[k].strip_prefix(' '));
                if let Some(t) = trimmed {
                    v[k] = t.to_owned();
                }
            }
            3 => {
                let l = v[k].clone();
                v.insert(k, l);
            }
            _ => {
                let l = v.remove(k);
                let to = rng.below(v.len() + 1);
                v.insert(to, l);
            }
        }
        out.push(v.concat());
    }
    out
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> Vec<(PathBuf, String)> {
    let root = root();
    let mut files = Vec::new();
    for dir in [
        "fixtures",
        "overlays",
        "../shared/fixtures",
        "../shared/corpora/krusty",
    ] {
        yaml_files(&root.join(dir), &mut files);
    }
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

#[test]
fn every_corpus_file_and_its_mutations_parse_as_saphyr_parses_them() {
    let files = corpus();
    assert!(files.len() >= 100, "only {} YAML files found", files.len());
    let mut whole = Tally::default();
    let mut mutated = Tally::default();
    for (i, (path, text)) in files.iter().enumerate() {
        let what = path.display().to_string();
        check(text, &what, &mut whole);
        for (k, m) in mutations(text, i as u64 * 7919 + 1, 2048)
            .iter()
            .enumerate()
        {
            check(m, &format!("{what} (mutation {k})"), &mut mutated);
        }
    }
    eprintln!(
        "corpus: {} files, {} read by the scanner alone, saphyr took over in {}; mutations: {}, {} alone, {} handed over",
        whole.inputs,
        whole.fast,
        whole.handed_over,
        mutated.inputs,
        mutated.fast,
        mutated.handed_over
    );
    // The scanner is really used, and mutations really reach saphyr.
    assert!(
        whole.fast * 2 > whole.inputs,
        "the scanner read too few files alone"
    );
    assert!(mutated.handed_over * 10 > mutated.inputs);
}

#[test]
fn the_overlay_example_is_read_by_the_scanner_alone() {
    let mut files = Vec::new();
    yaml_files(&root().join("overlays"), &mut files);
    assert!(files.len() >= 10);
    let mut tally = Tally::default();
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        assert!(
            check(&text, &p.display().to_string(), &mut tally),
            "{} is not read by the scanner alone",
            p.display()
        );
    }
}

#[test]
fn generated_streams_are_read_by_the_scanner_alone() {
    let mut tally = Tally::default();
    for seed in [1u64, 7, 0x00d0_c4ed] {
        let (text, _) = gen_stream::generate(600, 40, seed);
        assert!(
            check(&text, &format!("generated stream {seed}"), &mut tally),
            "generated stream {seed} is not read by the scanner alone"
        );
        // Its documents one by one, each mutated.
        let docs: Vec<&str> = text.split("\n---\n").take(60).collect();
        for (i, doc) in docs.iter().enumerate() {
            let doc = format!("---\n{doc}\n");
            check(&doc, &format!("generated {seed} doc {i}"), &mut tally);
            for (k, m) in mutations(&doc, seed ^ ((i as u64 + 1) * 31), 1500)
                .iter()
                .enumerate()
            {
                check(
                    m,
                    &format!("generated {seed} doc {i} mutation {k}"),
                    &mut tally,
                );
            }
        }
    }
    // A slice of a stream truncated at every byte.
    let (text, _) = gen_stream::generate(12, 0, 3);
    let part = &text[..boundary(&text, 4000)];
    for cut in 0..=part.len() {
        if part.is_char_boundary(cut) {
            check(&part[..cut], &format!("generated prefix {cut}"), &mut tally);
        }
    }
}

/// Inputs whose spans are easy to get wrong.
const CASES: &[&str] = &[
    "",
    "\n",
    "# only a comment",
    "a: 1",
    "a: 1\n",
    "a:\n",
    "a:",
    "a:\n  b: 1\n  c:\n    - x\n    - y\nd: 2",
    "a:\n- x\n- y\nb: 1\n",
    "a:\n- x\n- y\n",
    "a:\n  - x\n  -  y\n",
    "- a: 1\n  b: 2\n- c\n- - d\n  - e\n",
    "- a: 1\n  b:\n  - x\n  c:\n    d: e\n",
    "---\n---\n...\n---\na: 1\n...\n",
    "--- # c\na: 1\n--- \nb: 2\n",
    "...\n...\na: 1\n",
    "a: 1\n...\nb: 2\n",
    "a: 'x''y'\nb: \"q\\\"\\n\\t\\u00e9\\x41\\/\"  # c\nc: \"\"\n'k y': \"v\"\n",
    "a: \"x\" \nb: 'y'   \n",
    "key with spaces: value with  spaces   # comment\nk2: v#not-comment\n",
    "url: http://x:80/a\nt: 12:30\nn: -1\nd: -x\n",
    "a: |\n  line1\n    more\n\n  line3\n\nb: >\n  folded\n  text\n\n  para\n   indented\n  back\nc: |-\n  strip\n\n\nd: |+\n  keep\n\n\ne: x\n",
    "a: |\n  no newline at end",
    "a: |\n  x\n  ",
    "a: |\n\n  after blank\n",
    "- |\n  in seq\n- >-\n  folded\n  seq\n",
    "a:\n  b: |\n    deep\n  c: 1\n",
    "a: [x, \"y\", 'z', 1.5]\nb: {k: v, 'q': \"w\"}\nc: []\nd: {}\ne: [ a , b ]  # c\nf: [[a], {b: c}]\n",
    "- [a, b]\n- {a: b}\n",
    "a: 日本語\nb: \"é\" # ü\n# 注释\nc: |\n  日志\n  é\n",
    "a: 1\n  b: 2\n",
    "a: x\n  y\n",
    "a: x # c\n  y\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "? a\n: b\n",
    "a: [x,\n  y]\n",
    "a: \"multi\n  line\"\n",
    "a:\tb\n",
    "a: b: c\n",
    "- a\nb: c\n",
    "a: 1\na: 2\n",
    "  a: 1\n  b: 2\n",
    "a: 1\n---\n  b: 2\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: [x]y\n",
    "a: {x: }\n",
    "a: [x, ]\n",
    "a: [x,,y]\n",
    "a: 'unterminated\n",
    "a: |2\n  x\n",
    "a: |\n x\n  y\n",
    "a: -\n",
    "- \n- a\n",
    "-\n  a: 1\n",
    "a:\n  - b\n  c: d\n",
    "a: \"x\\q\"\n",
];

#[test]
fn tricky_inputs_parse_as_saphyr_parses_them() {
    let mut tally = Tally::default();
    for (i, case) in CASES.iter().enumerate() {
        check(case, &format!("case {i}"), &mut tally);
        for (k, m) in mutations(case, i as u64 + 11, 4096).iter().enumerate() {
            check(m, &format!("case {i} mutation {k}"), &mut tally);
        }
    }
    // The common constructs take the fast path.
    for case in &CASES[..30] {
        assert!(scan_all(case).is_some(), "not scanned: {case:?}");
    }
}
