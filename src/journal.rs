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
