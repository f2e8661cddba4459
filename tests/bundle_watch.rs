//! Progress and cancel of the long bundle operations (`bundle::Watch`, what
//! the desktop app's progress modal shows and its Cancel button sets):
//! progress counts up to the bytes read, in order; a cancelled export, import
//! or merge returns the cancelled error and leaves nothing behind (no bundle,
//! no project folder, no temporary folder, no journal entry).

mod common;

use common::scratch;
use iovaudit::assess::merge::{MergeOptions, Take};
use iovaudit::bundle::{self, crypto::KdfParams, ExportOptions, Watch};
use iovaudit::project::Project;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

const PW: &[u8] = b"watch-pw";

fn opts() -> ExportOptions {
    ExportOptions {
        with_evidence: true,
        // Small Argon2id cost: the test is about progress, not the KDF.
        kdf: Some(KdfParams {
            m_cost: 1024,
            t_cost: 1,
            p_cost: 1,
        }),
        ..Default::default()
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn journal_len(p: &Project) -> i64 {
    p.conn()
        .query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0))
        .expect("count journal")
}

#[test]
fn progress_counts_up_and_cancel_leaves_nothing() {
    let root = scratch("bundle-watch");
    let lib = iovaudit::pack::builtin().expect("library");
    let p = iovaudit::demo::create(&root.join("p.iovaudit"), lib).expect("demo");

    // Export with progress: monotonic, ends at the total.
    let seen = Mutex::new(Vec::<(u64, u64)>::new());
    let progress = |d: u64, t: u64| seen.lock().expect("lock").push((d, t));
    let never = AtomicBool::new(false);
    let out = root.join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    let file = out.join("a.iovbundle");
    let m = bundle::export_with(
        &p,
        "甲",
        PW,
        &file,
        &opts(),
        Watch {
            progress: &progress,
            cancel: &never,
        },
    )
    .expect("export");
    let seen = seen.into_inner().expect("lock");
    assert!(!seen.is_empty());
    let plain: u64 = m.files.iter().map(|f| f.size).sum();
    assert_eq!(
        seen.last().copied(),
        Some((plain, plain)),
        "{:?}",
        seen.last()
    );
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress goes back"
    );
    assert!(m.files.len() > 1, "the demo's evidence is carried");

    // Export cancelled at the first buffer: an error that says so, no file.
    let cancel = AtomicBool::new(false);
    let stop = |_: u64, _: u64| cancel.store(true, Ordering::SeqCst);
    let out2 = root.join("out2");
    std::fs::create_dir_all(&out2).expect("mkdir");
    let e = bundle::export_with(
        &p,
        "甲",
        PW,
        &out2.join("b.iovbundle"),
        &opts(),
        Watch {
            progress: &stop,
            cancel: &cancel,
        },
    )
    .expect_err("cancelled export");
    assert_eq!(e.to_string(), bundle::cancelled_error().to_string());
    assert!(e.zh().contains("已取消"), "{}", e.zh());
    assert_eq!(leftovers(&out2), Vec::<String>::new());

    // Import cancelled while decrypting: no project, no temporary folder.
    let cancel = AtomicBool::new(false);
    let stop = |_: u64, _: u64| cancel.store(true, Ordering::SeqCst);
    let dest = root.join("dest");
    std::fs::create_dir_all(&dest).expect("mkdir");
    let e = bundle::import_with(
        &file,
        PW,
        &dest.join("q.iovaudit"),
        "乙",
        Watch {
            progress: &stop,
            cancel: &cancel,
        },
    )
    .expect_err("cancelled import");
    assert_eq!(e.to_string(), bundle::cancelled_error().to_string());
    assert_eq!(leftovers(&dest), Vec::<String>::new());

    // The same bundle imports when not cancelled (progress reaches the end).
    let last = Mutex::new((0u64, 0u64));
    let progress = |d: u64, t: u64| *last.lock().expect("lock") = (d, t);
    bundle::import_with(
        &file,
        PW,
        &dest.join("q.iovaudit"),
        "乙",
        Watch {
            progress: &progress,
            cancel: &never,
        },
    )
    .expect("import");
    let (d, t) = last.into_inner().expect("lock");
    assert!(d > 0 && d <= t, "{d} / {t}");

    // Merge cancelled: nothing written to the project, no temporary folder.
    drop(p);
    let mut p = Project::open(&root.join("p.iovaudit")).expect("reopen");
    let before = journal_len(&p);
    let cancel = AtomicBool::new(false);
    let stop = |_: u64, _: u64| cancel.store(true, Ordering::SeqCst);
    let e = bundle::merge_file_with(
        &mut p,
        "甲",
        &file,
        PW,
        &MergeOptions {
            take: Some(Take::Ours),
            ..Default::default()
        },
        Watch {
            progress: &stop,
            cancel: &cancel,
        },
    )
    .expect_err("cancelled merge");
    assert_eq!(e.to_string(), bundle::cancelled_error().to_string());
    assert_eq!(journal_len(&p), before);
    let names = leftovers(p.dir());
    assert!(
        !names.iter().any(|n| n.contains("bundle-merge")),
        "{names:?}"
    );
}
