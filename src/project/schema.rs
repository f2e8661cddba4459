//! The project database schema and its migrations, versioned by SQLite's
//! `user_version`. Each migration moves the schema up by one version inside
//! the caller's transaction. Invariant: a migration is never edited once
//! released; a change is a new migration appended to [`MIGRATIONS`].

/// Migration `i` moves the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the first schema.
    r#"
CREATE TABLE project (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    name          TEXT NOT NULL,
    assessee      TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('third-party', 'self-check')),
    organisation  TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'in_review', 'approved')),
    revision      INTEGER NOT NULL DEFAULT 1,
    state_by      TEXT,
    state_at      TEXT,
    snapshot_hash TEXT
);
CREATE TABLE project_pack (
    pack_id      TEXT PRIMARY KEY,
    pack_version TEXT NOT NULL,
    position     INTEGER NOT NULL
);
CREATE TABLE scope_answer (
    question    TEXT PRIMARY KEY,
    value       TEXT NOT NULL,           -- JSON: true | 3 | "BJ" | ["OEM","PLT"]
    answered_by TEXT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE TABLE verdict (
    requirement   TEXT PRIMARY KEY,
    verdict       TEXT NOT NULL CHECK (verdict IN ('conform', 'partial', 'nonconform', 'na', 'unassessed')),
    note          TEXT NOT NULL DEFAULT '',
    assessor      TEXT NOT NULL,
    at            TEXT NOT NULL,
    inferred_from TEXT,                  -- requirement whose verdict proposed this one
    confirmed     INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('examine', 'interview', 'test')),
    note         TEXT NOT NULL DEFAULT '',
    collected_at TEXT NOT NULL,
    collected_by TEXT NOT NULL
);
CREATE TABLE evidence_revision (
    evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
    revision      INTEGER NOT NULL,
    original_name TEXT NOT NULL,
    original_path TEXT NOT NULL,
    size          INTEGER NOT NULL,
    modified_at   TEXT,
    sha256        TEXT NOT NULL,
    sm3           TEXT NOT NULL,
    added_at      TEXT NOT NULL,
    added_by      TEXT NOT NULL,
    PRIMARY KEY (evidence_id, revision)
) WITHOUT ROWID;
CREATE INDEX evidence_revision_sha256 ON evidence_revision(sha256);
CREATE TABLE evidence_link (
    requirement TEXT NOT NULL,
    evidence_id INTEGER NOT NULL REFERENCES evidence(id),
    linked_by   TEXT NOT NULL,
    linked_at   TEXT NOT NULL,
    PRIMARY KEY (requirement, evidence_id)
) WITHOUT ROWID;
CREATE INDEX evidence_link_evidence ON evidence_link(evidence_id);
CREATE TABLE finding (
    id          INTEGER PRIMARY KEY,
    requirement TEXT NOT NULL,
    title       TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
    owner       TEXT NOT NULL DEFAULT '',
    due         TEXT,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fixed', 'verified')),
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE journal (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,             -- JSON
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
"#,
    // 1 -> 2: the project keeps the checklists it is assessed against, and
    // verdicts carried over a pack upgrade wait to be judged again.
    r#"
CREATE TABLE pack_source (
    name      TEXT PRIMARY KEY,          -- pack/<ID>.toml | questions.toml | mappings/<file>.toml
    role      TEXT NOT NULL CHECK (role IN ('pack', 'questions', 'mappings')),
    pack_id   TEXT,
    version   TEXT,
    sha256    TEXT NOT NULL,
    text      TEXT NOT NULL,
    stored_at TEXT NOT NULL
);
ALTER TABLE verdict ADD COLUMN rejudge TEXT;   -- JSON {zh, en}: why the verdict must be judged again
"#,
    // 2 -> 3: trigger events of the compliance calendar (src/calendar.rs).
    r#"
CREATE TABLE calendar_event (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,           -- a requirement id with a triggered deadline (SH26-18) or a named kind (change-30)
    date        TEXT NOT NULL,           -- YYYY-MM-DD: the day the event happened
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
"#,
    // 3 -> 4: the data a regulator-grade report rests on (project information,
    // observations, finding analysis, evidence document details, the basis of
    // scope answers) and summaries parsed from evidence files (tool output).
    r#"
CREATE TABLE project_info (
    key    TEXT PRIMARY KEY,             -- e.g. assessee, client, team, objects, report_number, time_zone
    value  TEXT NOT NULL,                -- JSON
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
ALTER TABLE verdict ADD COLUMN observation TEXT NOT NULL DEFAULT '';   -- 现状描述
ALTER TABLE finding ADD COLUMN description TEXT NOT NULL DEFAULT '';   -- 问题描述
ALTER TABLE finding ADD COLUMN threat TEXT NOT NULL DEFAULT '';
ALTER TABLE finding ADD COLUMN impact TEXT CHECK (impact IN ('high', 'medium', 'low'));
ALTER TABLE finding ADD COLUMN likelihood TEXT CHECK (likelihood IN ('high', 'medium', 'low'));
ALTER TABLE finding ADD COLUMN recommendation TEXT NOT NULL DEFAULT '';
ALTER TABLE finding ADD COLUMN time_limit TEXT NOT NULL DEFAULT '';    -- suggested, e.g. 30 days
ALTER TABLE evidence ADD COLUMN doc_version TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE scope_answer ADD COLUMN basis TEXT NOT NULL DEFAULT '';    -- on what evidence the answer rests
CREATE TABLE evidence_summary (
    evidence_id INTEGER NOT NULL REFERENCES evidence(id),
    revision    INTEGER NOT NULL,
    kind        TEXT NOT NULL,           -- cyclonedx | spdx | trivy | grype | nmap | pdf-signature | ...
    summary     TEXT NOT NULL,           -- JSON
    made_at     TEXT NOT NULL,
    PRIMARY KEY (evidence_id, revision, kind)
) WITHOUT ROWID;
"#,
    // 4 -> 5: several assessors, one engagement (src/bundle, src/assess/merge.rs):
    // stable UUIDs (rows made before this migration get deterministic v5 UUIDs
    // from `fill_uuids`; rows inserted later a random v4 from the triggers),
    // assignments, the history of verdicts and scope answers (the base of a
    // three-way merge), imported journal chains, and the last cycle's verdicts.
    r#"
ALTER TABLE project ADD COLUMN uuid TEXT;
ALTER TABLE evidence ADD COLUMN uuid TEXT;
ALTER TABLE finding ADD COLUMN uuid TEXT;
ALTER TABLE calendar_event ADD COLUMN uuid TEXT;
CREATE UNIQUE INDEX evidence_uuid ON evidence(uuid);
CREATE UNIQUE INDEX finding_uuid ON finding(uuid);
CREATE UNIQUE INDEX calendar_event_uuid ON calendar_event(uuid);
CREATE TRIGGER project_new_uuid AFTER INSERT ON project WHEN NEW.uuid IS NULL BEGIN
    UPDATE project SET uuid = (SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', (random() & 3) + 1, 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))) WHERE id = NEW.id;
END;
CREATE TRIGGER evidence_new_uuid AFTER INSERT ON evidence WHEN NEW.uuid IS NULL BEGIN
    UPDATE evidence SET uuid = (SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', (random() & 3) + 1, 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))) WHERE id = NEW.id;
END;
CREATE TRIGGER finding_new_uuid AFTER INSERT ON finding WHEN NEW.uuid IS NULL BEGIN
    UPDATE finding SET uuid = (SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', (random() & 3) + 1, 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))) WHERE id = NEW.id;
END;
CREATE TRIGGER calendar_event_new_uuid AFTER INSERT ON calendar_event WHEN NEW.uuid IS NULL BEGIN
    UPDATE calendar_event SET uuid = (SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', (random() & 3) + 1, 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))) WHERE id = NEW.id;
END;
CREATE TABLE assignment (
    pattern  TEXT PRIMARY KEY,           -- a requirement, section or pack id, or a glob (N134-*)
    assignee TEXT NOT NULL,
    set_by   TEXT NOT NULL,
    set_at   TEXT NOT NULL
);
-- Every version a verdict or scope answer had in this project (kept by
-- triggers): a version the other copy still holds but this one has seen is
-- older, not a conflict.
-- (The triggers test for an existing row rather than use INSERT OR IGNORE: an
-- upsert's conflict handling would override the trigger's OR IGNORE.)
CREATE TABLE verdict_history (
    requirement TEXT NOT NULL,
    verdict     TEXT NOT NULL,
    note        TEXT NOT NULL,
    assessor    TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (requirement, verdict, note, assessor, at)
) WITHOUT ROWID;
INSERT OR IGNORE INTO verdict_history SELECT requirement, verdict, note, assessor, at FROM verdict;
CREATE TRIGGER verdict_history_insert AFTER INSERT ON verdict BEGIN
    INSERT INTO verdict_history SELECT NEW.requirement, NEW.verdict, NEW.note, NEW.assessor, NEW.at
    WHERE NOT EXISTS (SELECT 1 FROM verdict_history WHERE requirement = NEW.requirement AND verdict = NEW.verdict AND note = NEW.note AND assessor = NEW.assessor AND at = NEW.at);
END;
CREATE TRIGGER verdict_history_update AFTER UPDATE ON verdict BEGIN
    INSERT INTO verdict_history SELECT NEW.requirement, NEW.verdict, NEW.note, NEW.assessor, NEW.at
    WHERE NOT EXISTS (SELECT 1 FROM verdict_history WHERE requirement = NEW.requirement AND verdict = NEW.verdict AND note = NEW.note AND assessor = NEW.assessor AND at = NEW.at);
END;
CREATE TABLE scope_history (
    question    TEXT NOT NULL,
    value       TEXT NOT NULL,
    answered_by TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (question, value, answered_by, answered_at)
) WITHOUT ROWID;
INSERT OR IGNORE INTO scope_history SELECT question, value, answered_by, answered_at FROM scope_answer;
CREATE TRIGGER scope_history_insert AFTER INSERT ON scope_answer BEGIN
    INSERT INTO scope_history SELECT NEW.question, NEW.value, NEW.answered_by, NEW.answered_at
    WHERE NOT EXISTS (SELECT 1 FROM scope_history WHERE question = NEW.question AND value = NEW.value AND answered_by = NEW.answered_by AND answered_at = NEW.answered_at);
END;
CREATE TRIGGER scope_history_update AFTER UPDATE ON scope_answer BEGIN
    INSERT INTO scope_history SELECT NEW.question, NEW.value, NEW.answered_by, NEW.answered_at
    WHERE NOT EXISTS (SELECT 1 FROM scope_history WHERE question = NEW.question AND value = NEW.value AND answered_by = NEW.answered_by AND answered_at = NEW.answered_at);
END;
-- Journals of other copies, kept exactly as received (each its own chain).
CREATE TABLE journal_chain (
    head_hash   TEXT PRIMARY KEY,
    source      TEXT NOT NULL,           -- the other copy's project uuid
    entries     INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);
CREATE TABLE journal_import (
    chain     TEXT NOT NULL REFERENCES journal_chain(head_hash),
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (chain, seq)
) WITHOUT ROWID;
-- The previous cycle's verdicts (project clone): shown as reference only.
CREATE TABLE previous_verdict (
    requirement TEXT PRIMARY KEY,
    verdict     TEXT NOT NULL,
    note        TEXT NOT NULL,
    assessor    TEXT NOT NULL,
    at          TEXT NOT NULL,
    source      TEXT NOT NULL            -- the source project's snapshot hash
);
"#,
];

/// The schema version this build writes.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// The namespace of the deterministic (v5) UUIDs given to rows that existed
/// before migration 5.
pub const UUID_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6a1f_4e0c_9b2d_5d1e_8f37_2c4b_a0e9_7d15);

fn v5(parts: &[&str]) -> String {
    // Canonical: a JSON array, so no field bleeds into another.
    let name = serde_json::json!(parts).to_string();
    uuid::Uuid::new_v5(&UUID_NAMESPACE, name.as_bytes()).to_string()
}

/// After migration 5 (run in the migrating transaction): rows without a UUID
/// get one derived from stable content, so two copies of a project made
/// before migrating get the same UUIDs. The project: (created_at, created_by,
/// name); evidence: (project, id, first revision's SHA-256, collected_at,
/// title); finding: (project, id, created_at, created_by); calendar event:
/// (project, id, kind, date, recorded_at).
pub(crate) fn fill_uuids(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    use rusqlite::{params, OptionalExtension};
    let project: Option<(String, String, String, Option<String>)> = tx
        .query_row(
            "SELECT created_at, created_by, name, uuid FROM project",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((created_at, created_by, name, uuid)) = project else {
        return Ok(());
    };
    let pu = match uuid {
        Some(u) => u,
        None => {
            let u = v5(&["project", &created_at, &created_by, &name]);
            tx.execute("UPDATE project SET uuid = ?1", params![u])?;
            u
        }
    };
    let rows: Vec<(i64, String, String, String)> = tx
        .prepare(
            "SELECT e.id, COALESCE((SELECT sha256 FROM evidence_revision r WHERE r.evidence_id = e.id ORDER BY revision LIMIT 1), ''),
                    e.collected_at, e.title FROM evidence e WHERE e.uuid IS NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, sha, at, title) in rows {
        let u = v5(&["evidence", &pu, &id.to_string(), &sha, &at, &title]);
        tx.execute(
            "UPDATE evidence SET uuid = ?1 WHERE id = ?2",
            params![u, id],
        )?;
    }
    let rows: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, created_at, created_by FROM finding WHERE uuid IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, at, by) in rows {
        let u = v5(&["finding", &pu, &id.to_string(), &at, &by]);
        tx.execute("UPDATE finding SET uuid = ?1 WHERE id = ?2", params![u, id])?;
    }
    let rows: Vec<(i64, String, String, String)> = tx
        .prepare("SELECT id, kind, date, recorded_at FROM calendar_event WHERE uuid IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, kind, date, at) in rows {
        let u = v5(&["calendar_event", &pu, &id.to_string(), &kind, &date, &at]);
        tx.execute(
            "UPDATE calendar_event SET uuid = ?1 WHERE id = ?2",
            params![u, id],
        )?;
    }
    Ok(())
}
