//! Writes the benchmark's manifest stream to stdout: `gen_manifests [MB]`.

#[path = "../benches/support/manifests.rs"]
mod manifests;

use std::io::Write;

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let text = manifests::stream(mb * 1_000_000);
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
