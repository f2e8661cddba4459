//! The project journal: an append-only, hash-chained log of every change.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the
//! entry's own fields (canonical JSON), so editing, deleting or reordering an
//! entry breaks the chain at a place [`verify`] names. Entries are appended
//! in the same SQLite transaction as the change they record.
//!
//! Invariant: nothing here updates or deletes a journal row. The chain is
//! tamper-*evident*, not tamper-proof: someone who rewrites every later hash
//! can forge it, which is why an approval also records a snapshot hash that
//! goes into the signed report.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry given its fields and the previous hash.
pub fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    detail: &str,
    prev_hash: &str,
) -> String {
    // Canonical form: a JSON array, so no field can bleed into another.
    let canonical = serde_json::json!([seq, at, actor, action, detail, prev_hash]).to_string();
    let mut h = Sha256::new();
    h.update(canonical.as_bytes());
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// Appends an entry; call inside the transaction that makes the change.
pub fn append(
    conn: &Connection,
    at: &str,
    actor: &str,
    action: &str,
    detail: &serde_json::Value,
) -> rusqlite::Result<String> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let detail = detail.to_string();
    let hash = entry_hash(seq, at, actor, action, &detail, &prev);
    conn.execute(
        "INSERT INTO journal (seq, at, actor, action, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![seq, at, actor, action, detail, prev, hash],
    )?;
    Ok(hash)
}

/// The latest entry of `action` (e.g. `review.submit`): (actor, at).
pub fn last_of(conn: &Connection, action: &str) -> rusqlite::Result<Option<(String, String)>> {
    conn.query_row(
        "SELECT actor, at FROM journal WHERE action = ?1 ORDER BY seq DESC LIMIT 1",
        params![action],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// All entries in order.
pub fn entries(conn: &Connection) -> rusqlite::Result<Vec<Entry>> {
    let mut st = conn.prepare(
        "SELECT seq, at, actor, action, detail, prev_hash, hash FROM journal ORDER BY seq",
    )?;
    let rows = st.query_map([], |r| {
        let detail: String = r.get(4)?;
        Ok(Entry {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
            prev_hash: r.get(5)?,
            hash: r.get(6)?,
        })
    })?;
    rows.collect()
}

/// One break in the chain.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Break {
    /// The entry where the chain breaks (its sequence number as stored).
    pub seq: i64,
    pub kind: BreakKind,
    /// Action and time of the entry, to name it to a person.
    pub action: String,
    pub at: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The entry's content does not match its hash: it was edited.
    Edited,
    /// The entry does not follow the one before it: an entry before it was
    /// deleted, or entries were reordered.
    Unlinked,
    /// Sequence numbers skip: entries are missing.
    Gap,
}

/// Verifies the chain; returns every break found (empty = intact) and the head hash.
pub fn verify(conn: &Connection) -> rusqlite::Result<(Vec<Break>, usize, Option<String>)> {
    let mut st = conn.prepare(
        "SELECT seq, at, actor, action, detail, prev_hash, hash FROM journal ORDER BY rowid",
    )?;
    let mut rows = st.query([])?;
    verify_rows(&mut rows)
}

/// Keeps another copy's journal exactly as received, as its own chain named
/// by its head hash (call inside the merge's transaction). Returns false
/// when that chain was imported before (nothing written).
pub fn import_chain(
    conn: &Connection,
    theirs: &Connection,
    source: String,
    at: &str,
    by: &str,
) -> rusqlite::Result<bool> {
    let mut st = theirs.prepare(
        "SELECT seq, at, actor, action, detail, prev_hash, hash FROM journal ORDER BY rowid",
    )?;
    type Raw = (i64, String, String, String, String, String, String);
    let rows: Vec<Raw> = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let Some(head) = rows.last().map(|e| e.6.clone()) else {
        return Ok(false);
    };
    let n = conn.execute(
        "INSERT OR IGNORE INTO journal_chain (head_hash, source, entries, imported_at, imported_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![head, source, rows.len() as i64, at, by],
    )?;
    if n == 0 {
        return Ok(false);
    }
    for e in &rows {
        // Exactly as received: the stored detail text, not re-serialised.
        conn.execute(
            "INSERT INTO journal_import (chain, seq, at, actor, action, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![head, e.0, e.1, e.2, e.3, e.4, e.5, e.6],
        )?;
    }
    Ok(true)
}

/// An imported chain and what verifying it found.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImportedChain {
    pub head_hash: String,
    pub source: String,
    pub entries: usize,
    pub imported_at: String,
    pub imported_by: String,
    /// Breaks found (empty = intact, and its last entry's hash is the head).
    pub breaks: Vec<Break>,
}

/// Verifies every imported chain on its own.
pub fn verify_imported(conn: &Connection) -> rusqlite::Result<Vec<ImportedChain>> {
    let mut st = conn.prepare(
        "SELECT head_hash, source, entries, imported_at, imported_by FROM journal_chain ORDER BY imported_at, head_hash",
    )?;
    let chains: Vec<(String, String, i64, String, String)> = st
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (head, source, entries, imported_at, imported_by) in chains {
        let mut st = conn.prepare(
            "SELECT seq, at, actor, action, detail, prev_hash, hash FROM journal_import WHERE chain = ?1 ORDER BY seq",
        )?;
        let mut rows = st.query(params![head])?;
        let (mut breaks, n, last) = verify_rows(&mut rows)?;
        if n as i64 != entries || last.as_deref() != Some(head.as_str()) {
            breaks.push(Break {
                seq: n as i64,
                kind: BreakKind::Gap,
                action: "journal_chain".into(),
                at: imported_at.clone(),
            });
        }
        out.push(ImportedChain {
            head_hash: head,
            source,
            entries: n,
            imported_at,
            imported_by,
            breaks,
        });
    }
    Ok(out)
}

fn verify_rows(
    rows: &mut rusqlite::Rows<'_>,
) -> rusqlite::Result<(Vec<Break>, usize, Option<String>)> {
    let mut breaks = Vec::new();
    let mut prev_hash = GENESIS.to_string();
    let mut prev_seq = 0i64;
    let mut n = 0usize;
    while let Some(r) = rows.next()? {
        n += 1;
        let seq: i64 = r.get(0)?;
        let at: String = r.get(1)?;
        let actor: String = r.get(2)?;
        let action: String = r.get(3)?;
        let detail: String = r.get(4)?;
        let stored_prev: String = r.get(5)?;
        let stored_hash: String = r.get(6)?;
        let brk = |kind| Break {
            seq,
            kind,
            action: action.clone(),
            at: at.clone(),
        };
        if seq != prev_seq + 1 {
            breaks.push(brk(BreakKind::Gap));
        }
        if entry_hash(seq, &at, &actor, &action, &detail, &stored_prev) != stored_hash {
            breaks.push(brk(BreakKind::Edited));
        } else if stored_prev != prev_hash {
            breaks.push(brk(BreakKind::Unlinked));
        }
        prev_hash = stored_hash;
        prev_seq = seq;
    }
    Ok((breaks, n, (n > 0).then_some(prev_hash)))
}
