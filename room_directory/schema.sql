-- The room directory's SQLite schema (the embedded default).
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
    tags            TEXT NOT NULL DEFAULT '[]'   -- JSON array of strings
);
CREATE INDEX IF NOT EXISTS rooms_by_status ON rooms (status);
