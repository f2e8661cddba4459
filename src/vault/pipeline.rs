//! The streaming engine: one read of the input feeds SHA-256, SM3 and
//! (optionally) a writer, each on its own thread, through a small pool of
//! fixed-size buffers that is recycled. Memory use is `POOL * CHUNK_SIZE`
//! whatever the input size.
//!
//! ```text
//!   caller thread (reader)          consumer threads
//!   ┌──────────────────┐  Arc<Chunk>  ┌─────────┐
//!   │ fill buffer      │─────────────▶│ SHA-256 │──┐
//!   │ progress(bytes)  │─────────────▶│ SM3     │──┼─▶ last holder sends the
//!   │ check cancel     │─────────────▶│ writer  │──┘   buffer back (return
//!   │ take free buffer │◀─────────────────────────────  channel) for reuse
//!   └──────────────────┘
//! ```
//!
//! Each buffer is shared read-only by the consumers through an `Arc`; the
//! consumer that drops the last reference (`Arc::into_inner`) returns it to
//! the reader. A consumer that fails (only the writer can) sets a flag, keeps
//! draining and recycling so the reader can never block on a lost buffer, and
//! the reader stops at its next chunk.

use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;

use sha2::{Digest, Sha256};
use sm3::Sm3;

use super::VaultError;

/// Size of one read buffer. Inputs up to this size are hashed on the calling
/// thread; larger ones go through the threaded pipeline.
pub const CHUNK_SIZE: usize = 1 << 20;

/// Number of buffers in flight at most (memory bound: `POOL * CHUNK_SIZE`).
const POOL: usize = 6;

/// Above this size `verify` hashes a stored file with the threaded pipeline
/// rather than sequentially on its worker thread.
pub(crate) const PIPELINE_THRESHOLD: u64 = 8 * CHUNK_SIZE as u64;

/// Which digests to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashSel {
    /// SHA-256 only.
    Sha256,
    /// SM3 only.
    Sm3,
    /// SHA-256 and SM3, side by side, from the same read.
    Both,
}

impl HashSel {
    fn sha256(self) -> bool {
        matches!(self, HashSel::Sha256 | HashSel::Both)
    }
    fn sm3(self) -> bool {
        matches!(self, HashSel::Sm3 | HashSel::Both)
    }
}

/// Raw result of one pass.
pub(crate) struct Raw {
    pub sha256: Option<[u8; 32]>,
    pub sm3: Option<[u8; 32]>,
    pub size: u64,
}

/// Where a copy of the bytes goes, and the path to name in errors.
pub(crate) type Sink<'a> = (&'a mut (dyn Write + Send), &'a Path);

pub(crate) struct Chunk {
    buf: Box<[u8]>,
    len: usize,
}

impl Chunk {
    pub(crate) fn new() -> Chunk {
        Chunk {
            buf: vec![0u8; CHUNK_SIZE].into_boxed_slice(),
            len: 0,
        }
    }

    fn data(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn is_full(&self) -> bool {
        self.len == self.buf.len()
    }

    /// Reads until the buffer is full or the input ends.
    fn fill(&mut self, r: &mut dyn Read) -> io::Result<()> {
        self.len = 0;
        while self.len < self.buf.len() {
            match r.read(&mut self.buf[self.len..]) {
                Ok(0) => break,
                // `min` guards against a reader that claims more than it was given.
                Ok(n) => self.len += n.min(self.buf.len() - self.len),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

fn cancelled(path: &Path) -> VaultError {
    VaultError::Cancelled {
        path: path.to_path_buf(),
    }
}

/// One pass over `src`: hashes as selected, copies into `sink` if given.
/// `progress` gets the number of bytes read so far (called on this thread);
/// `cancel` is checked after every buffer.
pub(crate) fn run(
    src: &mut dyn Read,
    src_path: &Path,
    sel: HashSel,
    sink: Option<Sink<'_>>,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Raw, VaultError> {
    if cancel.load(Ordering::Relaxed) {
        return Err(cancelled(src_path));
    }
    let mut first = Chunk::new();
    first.fill(src).map_err(|e| VaultError::io(src_path, e))?;
    if first.is_full() {
        return threaded(first, src, src_path, sel, sink, progress, cancel);
    }
    // Small input: everything is in one buffer already, no threads needed.
    let data = first.data();
    let raw = Raw {
        sha256: sel.sha256().then(|| Sha256::digest(data).into()),
        sm3: sel.sm3().then(|| Sm3::digest(data).into()),
        size: data.len() as u64,
    };
    if let Some((w, path)) = sink {
        w.write_all(data).map_err(|e| VaultError::io(path, e))?;
    }
    progress(raw.size);
    if cancel.load(Ordering::Relaxed) {
        return Err(cancelled(src_path));
    }
    Ok(raw)
}

/// Hashes `src` on the calling thread with a caller-owned buffer (used by
/// `verify`, whose parallelism is across files).
pub(crate) fn sequential(src: &mut dyn Read, sel: HashSel, buf: &mut Chunk) -> io::Result<Raw> {
    let mut sha = sel.sha256().then(Sha256::new);
    let mut sm3 = sel.sm3().then(Sm3::new);
    let mut size = 0u64;
    loop {
        buf.fill(src)?;
        let data = buf.data();
        if let Some(h) = sha.as_mut() {
            h.update(data);
        }
        if let Some(h) = sm3.as_mut() {
            h.update(data);
        }
        size += data.len() as u64;
        if !buf.is_full() {
            break;
        }
    }
    Ok(Raw {
        sha256: sha.map(|h| h.finalize().into()),
        sm3: sm3.map(|h| h.finalize().into()),
        size,
    })
}

/// Gives a buffer back to the reader if we hold the last reference.
fn recycle(chunk: Arc<Chunk>, ret: &mpsc::Sender<Chunk>) {
    if let Some(c) = Arc::into_inner(chunk) {
        // The reader may have finished already; then the buffer is just freed.
        let _ = ret.send(c);
    }
}

fn join<T>(h: thread::ScopedJoinHandle<'_, T>) -> T {
    // A consumer only panics on a bug (or allocation failure); re-raise it
    // rather than invent a result.
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

fn threaded(
    first: Chunk,
    src: &mut dyn Read,
    src_path: &Path,
    sel: HashSel,
    sink: Option<Sink<'_>>,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Raw, VaultError> {
    let failed = AtomicBool::new(false);
    let failed = &failed;
    thread::scope(|s| {
        let (ret_tx, ret_rx) = mpsc::channel::<Chunk>();
        let mut senders: Vec<mpsc::Sender<Arc<Chunk>>> = Vec::with_capacity(3);

        let sha = sel.sha256().then(|| {
            let (tx, rx) = mpsc::channel::<Arc<Chunk>>();
            senders.push(tx);
            let ret = ret_tx.clone();
            s.spawn(move || {
                let mut h = Sha256::new();
                for c in rx {
                    h.update(c.data());
                    recycle(c, &ret);
                }
                <[u8; 32]>::from(h.finalize())
            })
        });
        let sm3 = sel.sm3().then(|| {
            let (tx, rx) = mpsc::channel::<Arc<Chunk>>();
            senders.push(tx);
            let ret = ret_tx.clone();
            s.spawn(move || {
                let mut h = Sm3::new();
                for c in rx {
                    h.update(c.data());
                    recycle(c, &ret);
                }
                <[u8; 32]>::from(h.finalize())
            })
        });
        let mut sink_path = None;
        let writer = sink.map(|(w, path)| {
            sink_path = Some(path);
            let (tx, rx) = mpsc::channel::<Arc<Chunk>>();
            senders.push(tx);
            let ret = ret_tx.clone();
            s.spawn(move || -> io::Result<()> {
                let mut res = Ok(());
                for c in rx {
                    if res.is_ok() {
                        if let Err(e) = w.write_all(c.data()) {
                            failed.store(true, Ordering::Relaxed);
                            res = Err(e);
                        }
                    }
                    recycle(c, &ret);
                }
                res
            })
        });
        // Only consumers hold return senders: if they all end, recv() fails
        // instead of blocking.
        drop(ret_tx);

        let read = read_loop(
            first, src, src_path, &senders, &ret_rx, failed, progress, cancel,
        );
        drop(senders); // ends the consumers' loops

        let sha = sha.map(join);
        let sm3 = sm3.map(join);
        let written = writer.map(join);
        let size = read?;
        if let (Some(Err(e)), Some(path)) = (written, sink_path) {
            return Err(VaultError::io(path, e));
        }
        Ok(Raw {
            sha256: sha,
            sm3,
            size,
        })
    })
}

#[allow(clippy::too_many_arguments)]
fn read_loop(
    first: Chunk,
    src: &mut dyn Read,
    src_path: &Path,
    senders: &[mpsc::Sender<Arc<Chunk>>],
    ret_rx: &mpsc::Receiver<Chunk>,
    failed: &AtomicBool,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<u64, VaultError> {
    let mut allocated = 1;
    let mut total = 0u64;
    let mut chunk = first;
    loop {
        if chunk.len == 0 {
            return Ok(total);
        }
        let full = chunk.is_full();
        total += chunk.len as u64;
        let shared = Arc::new(chunk);
        for tx in senders {
            if tx.send(Arc::clone(&shared)).is_err() {
                // A consumer is gone (it panicked); its join re-raises that.
                return Ok(total);
            }
        }
        let mine = Arc::into_inner(shared);
        progress(total);
        if cancel.load(Ordering::Relaxed) {
            return Err(cancelled(src_path));
        }
        if failed.load(Ordering::Relaxed) || !full {
            return Ok(total);
        }
        chunk = match mine {
            Some(c) => c,
            None => match ret_rx.try_recv() {
                Ok(c) => c,
                Err(_) if allocated < POOL => {
                    allocated += 1;
                    Chunk::new()
                }
                Err(_) => match ret_rx.recv() {
                    Ok(c) => c,
                    Err(_) => return Ok(total),
                },
            },
        };
        chunk.fill(src).map_err(|e| VaultError::io(src_path, e))?;
    }
}
