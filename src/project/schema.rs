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
];

/// The schema version this build writes.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;
