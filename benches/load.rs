//! Loading throughput: a 20 MB multi-document stream of realistic manifests
//! parsed into objects, on one thread and on all of them.
//!
//! Run with `cargo bench --bench load`. Peak memory is measured on the whole
//! binary by `scripts/bench-load.sh`.

#[path = "support/manifests.rs"]
mod manifests;

use std::time::Instant;

use drydock::load::load_text;
use drydock::source::FileId;
use drydock::yaml::LoadOptions;

fn measure(text: &str, runs: usize) -> (f64, f64, usize) {
    let opts = LoadOptions::default();
    let mut rates = Vec::new();
    let mut objects = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let (resources, diags) = load_text(FileId(0), text, &opts);
        let secs = t.elapsed().as_secs_f64();
        assert!(diags.is_empty(), "the generated stream must load cleanly");
        objects = resources.len();
        drop(resources);
        rates.push(text.len() as f64 / secs / 1e6);
    }
    rates.sort_by(f64::total_cmp);
    (rates[rates.len() - 1], rates[rates.len() / 2], objects)
}

fn main() {
    let mb: usize = std::env::var("DRYDOCK_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let text = manifests::stream(mb * 1_000_000);
    println!(
        "input: {:.1} MB, {} documents",
        text.len() as f64 / 1e6,
        text.matches("\n---\n").count() + 1
    );
    for threads in [
        1,
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    ] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let (best, median, objects) = pool.install(|| measure(&text, 7));
        println!(
            "load, {threads} thread(s): best {best:.1} MB/s, median {median:.1} MB/s ({objects} objects)"
        );
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
