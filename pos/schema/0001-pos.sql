-- The terminal's journal. Every change is one transaction with synchronous=FULL, written
-- before anything is sent to the issuer (docs/design.md, "Exactly once at the counter"). The
-- tables hold the current state; `entry` holds every change as a hash chain, which
-- `reup-pos verify` replays against the tables. No PIN is ever stored: cashiers' PINs
-- only as salted PBKDF2 hashes, cards' PINs not at all.

CREATE TABLE cashier (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
    pin_salt   BLOB NOT NULL,
    pin_hash   BLOB NOT NULL, -- PBKDF2-HMAC-SHA256(PIN, salt, 100000 rounds)
    created_at TEXT NOT NULL
);

CREATE TABLE shift (
    id            INTEGER PRIMARY KEY,
    cashier       TEXT NOT NULL REFERENCES cashier(id),
    training      INTEGER NOT NULL DEFAULT 0,
    float_cents   INTEGER NOT NULL,
    opened_at     TEXT NOT NULL,
    closed_at     TEXT,
    counted_cents INTEGER,
    z_number      INTEGER UNIQUE
);
-- at most one open shift on a terminal
CREATE UNIQUE INDEX shift_open ON shift((closed_at IS NULL)) WHERE closed_at IS NULL;

CREATE TABLE sale (
    id           INTEGER PRIMARY KEY,
    request_id   TEXT NOT NULL UNIQUE,
    shift        INTEGER NOT NULL REFERENCES shift(id),
    kind         TEXT NOT NULL CHECK (kind IN ('activation', 'on_demand')),
    serial       TEXT, -- an on-demand card's comes with the answer
    plan         TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    tender       TEXT NOT NULL CHECK (tender IN ('cash', 'card')),
    cash_cents   INTEGER NOT NULL,
    change_cents INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('sending', 'approved', 'declined', 'reversal_pending',
                                                'reversed', 'void_pending', 'voided')),
    auth_code    TEXT,
    message      TEXT,
    training     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    changed_at   TEXT NOT NULL
);
CREATE INDEX sale_by_shift ON sale(shift);

-- Store and forward: reversals and voids the issuer has not acknowledged yet, and
-- receipts the printer has not printed yet.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('reversal', 'void', 'receipt')),
    sale       INTEGER NOT NULL REFERENCES sale(id),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL, -- unix seconds
    last_error TEXT,
    done_at    TEXT
);
CREATE INDEX outbox_due ON outbox(next_at) WHERE done_at IS NULL;

-- The issuer's catalog as last fetched: prices for training shifts, which never ask.
CREATE TABLE catalog (
    code         TEXT PRIMARY KEY,
    months       INTEGER NOT NULL,
    price_cents  INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    fetched_at   TEXT NOT NULL
);

-- Z reports, numbered, written once at the close of a shift.
CREATE TABLE zreport (
    number     INTEGER PRIMARY KEY,
    shift      INTEGER NOT NULL UNIQUE REFERENCES shift(id),
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE entry (
    seq  INTEGER PRIMARY KEY,
    at   TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL, -- JSON
    prev BLOB NOT NULL, -- the hash of the entry before (32 zero bytes for the first)
    hash BLOB NOT NULL  -- SHA-256 over prev, seq, at, type and body
);

CREATE TRIGGER entry_no_update BEFORE UPDATE ON entry BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER entry_no_delete BEFORE DELETE ON entry BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER zreport_no_update BEFORE UPDATE ON zreport BEGIN SELECT RAISE(ABORT, 'Z reports are immutable'); END;
CREATE TRIGGER zreport_no_delete BEFORE DELETE ON zreport BEGIN SELECT RAISE(ABORT, 'Z reports are immutable'); END;
CREATE TRIGGER sale_no_delete BEFORE DELETE ON sale BEGIN SELECT RAISE(ABORT, 'sales are never deleted'); END;
