-- The room directory's SQLite schema (the embedded default).
-- Columns added after a release are also listed in sqlite.py's _ADDED_COLUMNS (per table)
-- so that an older file is brought up to date when it is opened.
CREATE TABLE IF NOT EXISTS rooms (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    stream_key_hash TEXT NOT NULL,
    host            TEXT NOT NULL DEFAULT '',
    genre           TEXT NOT NULL DEFAULT '',
    topics          TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    description     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'idle',
    show_id         TEXT,
    live_since      REAL,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL,
    tags            TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    art_url         TEXT NOT NULL DEFAULT '',
    scheduled_start REAL,
    private         INTEGER NOT NULL DEFAULT 0,
    join_code       TEXT
);
CREATE INDEX IF NOT EXISTS rooms_by_status ON rooms (status);

CREATE TABLE IF NOT EXISTS leases (
    room_id TEXT PRIMARY KEY,
    node_id TEXT NOT NULL,
    until   REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS publisher_keys (
    room_id    TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL,
    role       TEXT NOT NULL DEFAULT 'cohost',
    muted      INTEGER NOT NULL DEFAULT 0,
    revoked    INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    show_id    TEXT,  -- guest keys only: the one show they work in
    PRIMARY KEY (room_id, key_id)
);

CREATE TABLE IF NOT EXISTS shows (
    room_id              TEXT NOT NULL,
    show_id              TEXT NOT NULL,
    started_at           REAL NOT NULL,
    ended_at             REAL,
    duration             REAL NOT NULL DEFAULT 0,
    segments             INTEGER NOT NULL DEFAULT 0,
    title                TEXT NOT NULL DEFAULT '',
    genre                TEXT NOT NULL DEFAULT '',
    host                 TEXT NOT NULL DEFAULT '',
    peak_listeners       INTEGER NOT NULL DEFAULT 0,
    listeners_per_minute TEXT NOT NULL DEFAULT '[]',  -- JSON array of integers
    PRIMARY KEY (room_id, show_id)
);
CREATE INDEX IF NOT EXISTS shows_by_start ON shows (started_at);

CREATE TABLE IF NOT EXISTS messages (
    room_id    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    text       TEXT NOT NULL,
    sender     TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    PRIMARY KEY (room_id, message_id)
);
CREATE INDEX IF NOT EXISTS messages_by_room ON messages (room_id, created_at);

-- listeners' raised hands: one per request to speak, in a room and show
CREATE TABLE IF NOT EXISTS hands (
    room_id      TEXT NOT NULL,
    hand_id      TEXT NOT NULL,
    show_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    line         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT 'queued',
    token_hash   TEXT NOT NULL DEFAULT '',
    call_in_code TEXT,
    key_id       TEXT,
    via          TEXT NOT NULL DEFAULT 'web',
    created_at   REAL NOT NULL,
    updated_at   REAL NOT NULL,
    version      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, hand_id)
);
CREATE INDEX IF NOT EXISTS hands_by_room ON hands (room_id, created_at);
CREATE UNIQUE INDEX IF NOT EXISTS hands_by_code ON hands (room_id, call_in_code)
    WHERE call_in_code IS NOT NULL;

-- listener ids seen per room and minute (epoch seconds // 60), from CloudFront's access logs
CREATE TABLE IF NOT EXISTS listener_minutes (
    room_id  TEXT NOT NULL,
    minute   INTEGER NOT NULL,
    listener TEXT NOT NULL,
    PRIMARY KEY (room_id, minute, listener)
) WITHOUT ROWID;
