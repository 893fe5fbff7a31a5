-- Card issuer ledger, version 3: the journal heads terminals sent (ReUp-Journal-Head), so
-- that a terminal's journal rolled back or rebuilt behind its back can be told from the
-- one that was here. Append-only. A head counts ('head') only when its sequence number is
-- above every head the terminal sent before; one that goes back, or names another hash at
-- a sequence number already recorded, is kept as an 'anomaly' and changes nothing.
CREATE TABLE journal_head (
    id       INTEGER PRIMARY KEY,
    store_id TEXT NOT NULL,
    terminal TEXT NOT NULL,
    seq      INTEGER NOT NULL CHECK (seq > 0),
    hash     TEXT NOT NULL CHECK (length(hash) = 64),
    kind     TEXT NOT NULL CHECK (kind IN ('head', 'anomaly')),
    seen_at  TEXT NOT NULL
);
CREATE INDEX journal_head_by_terminal ON journal_head(store_id, terminal, kind, seq);
CREATE TRIGGER journal_head_no_update BEFORE UPDATE ON journal_head BEGIN SELECT RAISE(ABORT, 'the journal heads are append-only'); END;
CREATE TRIGGER journal_head_no_delete BEFORE DELETE ON journal_head BEGIN SELECT RAISE(ABORT, 'the journal heads are append-only'); END;
