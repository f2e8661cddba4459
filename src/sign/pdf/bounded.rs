//! lopdf with bounds, for every PDF that comes from outside: signature
//! verification (and signing) here, the evidence preview in
//! `crate::evidence`. The parse runs on its own thread with a known stack
//! (lopdf bounds object nesting at 100 levels; the stack leaves room for it
//! in debug builds too), one PDF at a time; objects past a cap are dropped
//! and the load refused; object streams are inflated under a per-stream cap
//! and a budget for the whole file; a panic in the parser (or in the work
//! done on the parsed document) is a refusal, never a crash of the caller.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use lopdf::{Document, Object, ObjectId};

use crate::i18n::Text;
use crate::t;

/// The bounds of one parse.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PdfLimits {
    /// Objects kept (top-level and inside object streams); one more is a
    /// refusal.
    pub max_objects: usize,
    /// No object or cross-reference stream may inflate past this (bytes).
    pub max_stream: usize,
    /// All object streams together may inflate to at most this (bytes).
    pub max_inflated: usize,
    /// Stack of the parsing thread (bytes).
    pub stack: usize,
}

/// Why a bounded parse refused a PDF.
#[derive(Debug)]
pub(crate) enum PdfLoadError {
    /// More than `max_objects` objects.
    TooManyObjects(usize),
    /// A stream inflates past `max_stream`, or all past `max_inflated`.
    Inflates { max_stream: usize, max_total: usize },
    /// lopdf's own error.
    Parse(String),
    /// The parser (or the work on the document) panicked, or its thread
    /// could not be started.
    Crashed,
}

impl PdfLoadError {
    /// The reason, in zh and en (the caller adds the file name).
    pub(crate) fn text(&self) -> Text {
        match self {
            PdfLoadError::TooManyObjects(max) => t!(
                "该 PDF 对象过多（超过 {max} 个），拒绝读取",
                "this PDF has too many objects (over {max}); refused"
            ),
            PdfLoadError::Inflates {
                max_stream,
                max_total,
            } => {
                let (s, a) = (max_stream >> 20, max_total >> 20);
                t!(
                    "该 PDF 的压缩流解压后过大（单个超过 {s} MiB 或合计超过 {a} MiB，疑似压缩炸弹），拒绝读取",
                    "this PDF's compressed streams inflate too far (one past {s} MiB or all past {a} MiB: a decompression bomb?); refused"
                )
            }
            PdfLoadError::Parse(e) => t!("无法解析该 PDF：{e}", "this PDF cannot be read: {e}"),
            PdfLoadError::Crashed => t!(
                "无法读取该 PDF（解析器出错）",
                "this PDF could not be read (the parser failed)"
            ),
        }
    }
}

/// One bounded parse at a time: lopdf's per-object hook is a plain `fn`,
/// so its counters and limits are statics.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
static OBJECTS: AtomicUsize = AtomicUsize::new(0);
static MAX_OBJECTS: AtomicUsize = AtomicUsize::new(0);
static INFLATED: AtomicUsize = AtomicUsize::new(0);
static MAX_STREAM: AtomicUsize = AtomicUsize::new(0);
static MAX_INFLATED: AtomicUsize = AtomicUsize::new(0);
static TOO_MANY: AtomicBool = AtomicBool::new(false);
static TOO_BIG: AtomicBool = AtomicBool::new(false);

/// lopdf's per-object hook: counts objects and drops every one past the
/// cap; inflates object streams itself, under the per-stream cap and what
/// is left of the budget (lopdf then finds them already inflated).
fn bounded_object(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    if OBJECTS.fetch_add(1, Ordering::Relaxed) >= MAX_OBJECTS.load(Ordering::Relaxed) {
        TOO_MANY.store(true, Ordering::Relaxed);
        return None;
    }
    if let Object::Stream(s) = obj {
        if s.dict.has_type(b"ObjStm") && s.is_compressed() {
            let left = MAX_INFLATED
                .load(Ordering::Relaxed)
                .saturating_sub(INFLATED.load(Ordering::Relaxed));
            let cap = MAX_STREAM.load(Ordering::Relaxed).min(left);
            match s.decompress_with_limit(cap) {
                Ok(()) => {
                    INFLATED.fetch_add(s.content.len(), Ordering::Relaxed);
                }
                Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                })) => {
                    TOO_BIG.store(true, Ordering::Relaxed);
                    return None;
                }
                // A damaged stream: lopdf skips it, as it would anyway.
                Err(_) => {}
            }
        }
    }
    // lopdf keeps `obj` itself for top-level objects and the returned copy
    // for objects inside object streams.
    Some((id, obj.clone()))
}

/// Parses `pdf` within `limits` on a thread of its own and runs `then` on
/// the document there (so that the document is also dropped there). A
/// refusal, a parse error or a panic comes back as [`PdfLoadError`].
pub(crate) fn with_pdf<T: Send>(
    pdf: &[u8],
    limits: &PdfLimits,
    then: impl FnOnce(Document) -> T + Send,
) -> Result<T, PdfLoadError> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    OBJECTS.store(0, Ordering::Relaxed);
    INFLATED.store(0, Ordering::Relaxed);
    TOO_MANY.store(false, Ordering::Relaxed);
    TOO_BIG.store(false, Ordering::Relaxed);
    MAX_OBJECTS.store(limits.max_objects, Ordering::Relaxed);
    MAX_STREAM.store(limits.max_stream, Ordering::Relaxed);
    MAX_INFLATED.store(limits.max_inflated, Ordering::Relaxed);
    let limits = *limits;
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("pdf-parse".into())
            .stack_size(limits.stack)
            .spawn_scoped(scope, move || {
                let options = lopdf::LoadOptions {
                    filter: Some(bounded_object),
                    max_decompressed_size: Some(limits.max_stream),
                    ..Default::default()
                };
                let loaded = Document::load_mem_with_options(pdf, options);
                // The caps first: a refused object can make the parse fail.
                if TOO_MANY.load(Ordering::Relaxed) {
                    return Err(PdfLoadError::TooManyObjects(limits.max_objects));
                }
                if TOO_BIG.load(Ordering::Relaxed) {
                    return Err(PdfLoadError::Inflates {
                        max_stream: limits.max_stream,
                        max_total: limits.max_inflated,
                    });
                }
                let doc = loaded.map_err(|e| match e {
                    lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                        ..
                    }) => PdfLoadError::Inflates {
                        max_stream: limits.max_stream,
                        max_total: limits.max_inflated,
                    },
                    e => PdfLoadError::Parse(e.to_string()),
                })?;
                // Encrypted files are loaded without the hook: count again.
                if doc.objects.len() > limits.max_objects {
                    return Err(PdfLoadError::TooManyObjects(limits.max_objects));
                }
                Ok(then(doc))
            });
        match worker {
            Ok(w) => w.join().unwrap_or(Err(PdfLoadError::Crashed)),
            Err(_) => Err(PdfLoadError::Crashed),
        }
    })
}
