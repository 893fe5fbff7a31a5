-- The print ledger: which serial went into which print job and whether that job
-- completed, so a batch resumes without a card printed twice or skipped. It holds
-- serials, never PINs.

-- Our own print jobs. CUPS's job id is kept for messages only: cupsd reuses ids after
-- a restart, so a job is known by its own id (also sent as the CUPS job-name).
CREATE TABLE job (
    id          INTEGER PRIMARY KEY,
    batch       TEXT NOT NULL,
    printer     TEXT NOT NULL,
    server      TEXT NOT NULL,
    cups_job    INTEGER,
    cards       INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('sending', 'queued', 'completed', 'failed', 'unknown')),
    message     TEXT,
    created_at  TEXT NOT NULL,
    finished_at TEXT
);

-- One row per card of every batch seen. status: pending (not sent yet), queued (in a
-- job not finished), printed, failed (its job did not complete: send again),
-- possibly_printed (its job was in flight when the print server went away).
CREATE TABLE card (
    serial     TEXT PRIMARY KEY,
    batch      TEXT NOT NULL,
    seq        INTEGER NOT NULL, -- the row's place in its batch file
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'queued', 'printed', 'failed', 'possibly_printed')),
    job        INTEGER REFERENCES job(id),
    prints     INTEGER NOT NULL DEFAULT 0, -- completed jobs that held it; above 1 only by --reprint
    changed_at TEXT NOT NULL
);
CREATE INDEX card_by_batch ON card(batch, seq);
CREATE INDEX card_by_job ON card(job);
