//! The embedded schema bundle: one zstd frame holding every bundled version.
//!
//! Decompressed content (see `schemas/generate.py`):
//!
//! ```text
//! {"format":1,"versions":[["1.20",offset,length],...]}\n<v1.20 JSON><v1.21 JSON>...
//! ```
//!
//! Offsets count from the byte after the newline. The whole stream is decoded once per
//! process (a few milliseconds); each version's JSON is parsed only when asked for.

use std::sync::OnceLock;

use ruzstd::decoding::FrameDecoder;
use serde::Deserialize;

/// The committed artefact, byte for byte.
pub(crate) static ARTEFACT: &[u8] = include_bytes!("../../schemas/k8s-v1.20-v1.37.json.zst");

/// The only content layout this module understands.
const FORMAT: u32 = 1;

pub(crate) struct Bundle {
    payload: Vec<u8>,
    /// Offset of the payload in `payload` (the header is kept in front of it).
    start: usize,
    versions: Vec<(String, usize, usize)>,
}

#[derive(Deserialize)]
struct Header {
    format: u32,
    versions: Vec<(String, usize, usize)>,
}

/// The decoded bundle, shared by the whole process.
pub(crate) fn bundle() -> &'static Bundle {
    static BUNDLE: OnceLock<Bundle> = OnceLock::new();
    BUNDLE.get_or_init(|| match decode(ARTEFACT) {
        Ok(bundle) => bundle,
        // The artefact is compiled in and covered by tests; failing here means a broken build.
        Err(err) => panic!("embedded Kubernetes schema bundle is unreadable: {err}"),
    })
}

pub(crate) fn decode(compressed: &[u8]) -> Result<Bundle, String> {
    let mut decoder = FrameDecoder::new();
    let mut probe = compressed;
    decoder
        .init(&mut probe)
        .map_err(|e| format!("zstd frame header: {e}"))?;
    let size = usize::try_from(decoder.content_size())
        .map_err(|_| "zstd content size does not fit in memory".to_owned())?;
    if size == 0 {
        return Err("zstd frame does not record its content size".to_owned());
    }
    let mut payload = Vec::with_capacity(size);
    decoder
        .decode_all_to_vec(compressed, &mut payload)
        .map_err(|e| format!("zstd: {e}"))?;
    if payload.len() != size {
        return Err(format!(
            "zstd: decoded {} bytes, frame says {size}",
            payload.len()
        ));
    }

    let newline = memchr::memchr(b'\n', &payload).ok_or("bundle has no header line")?;
    let header: Header =
        serde_json::from_slice(&payload[..newline]).map_err(|e| format!("bundle header: {e}"))?;
    if header.format != FORMAT {
        return Err(format!(
            "bundle format {} (expected {FORMAT})",
            header.format
        ));
    }
    let start = newline + 1;
    let body = payload.len() - start;
    for (name, offset, len) in &header.versions {
        if offset.checked_add(*len).is_none_or(|end| end > body) {
            return Err(format!("bundle range of {name} is out of bounds"));
        }
    }
    Ok(Bundle {
        payload,
        start,
        versions: header.versions,
    })
}

impl Bundle {
    /// Names of the versions in the bundle, oldest first.
    #[cfg(test)]
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.versions.iter().map(|(name, _, _)| name.as_str())
    }

    /// The JSON document of one version.
    pub(crate) fn version(&self, name: &str) -> Option<&[u8]> {
        let (_, offset, len) = self.versions.iter().find(|(n, _, _)| n == name)?;
        let from = self.start + offset;
        Some(&self.payload[from..from + len])
    }
}
