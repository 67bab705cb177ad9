//! Pages compressed in one call with a deflate state kept per thread.
//!
//! tower-http's compression layer builds a fresh encoder for every answer; for a page of a
//! few kilobytes, allocating and clearing its tables cost as much as compressing
//! (docs/benchmarks.md, "Portal pages under load"). Pages are compressed here instead, and
//! the layer leaves an answer that already has a `Content-Encoding` alone.
//!
//! Most pages a public portal serves are the same for every visitor who is not logged in
//! (home, catalogue, a procedure's page): the last compressed pages are kept, and a page
//! identical to one of them, byte for byte, is not compressed again.

use axum::body::Bytes;
use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, OnceLock};

/// How many compressed pages are kept; all are dropped when it is full.
const MEMO_ENTRIES: usize = 512;

/// Compressed pages by the hash of their text; the text is kept to compare.
type Memo = Mutex<HashMap<u64, (Bytes, Bytes)>>;

fn memo() -> &'static Memo {
    static MEMO: OnceLock<Memo> = OnceLock::new();
    MEMO.get_or_init(|| Mutex::new(HashMap::new()))
}

/// `html` compressed: the kept copy if the same page was compressed lately; `html` back
/// if it could not be.
pub(crate) fn page(html: String) -> Result<Bytes, String> {
    let mut h = DefaultHasher::new();
    html.as_bytes().hash(&mut h);
    let key = h.finish();
    if let Ok(m) = memo().lock()
        && let Some((text, packed)) = m.get(&key)
        && text.as_ref() == html.as_bytes()
    {
        return Ok(packed.clone());
    }
    let Some(packed) = gzip(html.as_bytes()).map(Bytes::from) else {
        return Err(html);
    };
    if let Ok(mut m) = memo().lock() {
        if m.len() >= MEMO_ENTRIES {
            m.clear();
        }
        m.insert(key, (Bytes::from(html), packed.clone()));
    }
    Ok(packed)
}

/// Answers smaller than this are sent as they are (as the layer does for JSON).
pub(crate) const MIN_SIZE: usize = 1024;

thread_local! {
    static DEFLATE: RefCell<Option<Compress>> = const { RefCell::new(None) };
}

/// `data` as a gzip member (RFC 1952), at the fastest level; `None` if deflate failed.
pub(crate) fn gzip(data: &[u8]) -> Option<Vec<u8>> {
    DEFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let deflate = slot.get_or_insert_with(|| Compress::new(Compression::fast(), false));
        deflate.reset();
        // Header: magic, deflate, no flags, no time, no extra flags, unknown system.
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
        loop {
            if out.capacity() - out.len() < 256 {
                out.reserve(data.len() / 2 + 256);
            }
            let read = usize::try_from(deflate.total_in()).ok()?;
            match deflate.compress_vec(&data[read..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(_) => continue,
                Err(_) => {
                    // A state left half-way is not reused.
                    *slot = None;
                    return None;
                }
            }
        }
        let mut crc = Crc::new();
        crc.update(data);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        Some(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .expect("a gzip stream");
        out
    }

    #[test]
    fn what_is_compressed_decompresses_to_itself_however_often_the_state_is_reused() {
        let page = "<p>Thủ tục đăng ký khai sinh</p>\n".repeat(300);
        for text in [page.as_bytes(), b"", b"x", page.as_bytes()] {
            let packed = gzip(text).expect("compressed");
            assert_eq!(gunzip(&packed), text);
        }
        let packed = gzip(page.as_bytes()).expect("compressed");
        assert!(
            packed.len() * 5 < page.len(),
            "{} of {}",
            packed.len(),
            page.len()
        );
    }

    #[test]
    fn a_page_compressed_again_is_the_kept_copy_and_another_is_not() {
        let a = format!("<p>{}</p>", "Đăng ký khai sinh ".repeat(200));
        let b = format!("<p>{}</p>", "Đăng ký kết hôn ".repeat(200));
        let first = page(a.clone()).expect("compressed");
        let again = page(a.clone()).expect("compressed");
        assert_eq!(first.as_ptr(), again.as_ptr(), "the kept copy");
        let other = page(b.clone()).expect("compressed");
        assert_eq!(gunzip(&other), b.as_bytes());
        assert_eq!(gunzip(&again), a.as_bytes());
    }

    #[test]
    fn a_large_answer_that_needs_several_rounds_is_whole() {
        // Little repetition: the output outgrows the first reservation.
        let text: Vec<u8> = (0u32..400_000)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        assert_eq!(gunzip(&gzip(&text).expect("compressed")), text);
    }
}
