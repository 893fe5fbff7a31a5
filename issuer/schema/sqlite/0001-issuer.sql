-- Card issuer ledger, version 1. synchronous=FULL: an answered request is on disk.

-- Settings of this installation: the issuer prefix of serials, the next sequence.
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE plan (
    code        TEXT PRIMARY KEY,          -- "1y"
    months      INTEGER NOT NULL CHECK (months > 0),
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    currency    TEXT NOT NULL,             -- ISO 4217
    gtin        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE terminal (
    id         TEXT PRIMARY KEY,
    store_id   TEXT NOT NULL,
    secret     BLOB NOT NULL,              -- 32 bytes; the database file is mode 0600
    created_at TEXT NOT NULL
);

CREATE TABLE batch (
    id         TEXT PRIMARY KEY,           -- "B000001"
    plan       TEXT NOT NULL REFERENCES plan(code),
    count      INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE card (
    serial       TEXT PRIMARY KEY,
    plan         TEXT NOT NULL REFERENCES plan(code),
    batch        TEXT REFERENCES batch(id), -- NULL for on-demand cards
    pin_hmac     BLOB NOT NULL UNIQUE,      -- HMAC-SHA256(issuer key, PIN); never the PIN
    status       TEXT NOT NULL DEFAULT 'issued'
                 CHECK (status IN ('issued', 'active', 'redeemed', 'blocked')),
    store_id     TEXT,
    activated_at TEXT,
    redeemed_at  TEXT,
    account      TEXT                       -- who redeemed it
);
CREATE INDEX card_by_batch ON card(batch);

-- Terminal requests by their request_id (the idempotency key) with the answer given,
-- so the same request_id always gets the same answer, also after a restart. A reversal
-- of a request never seen leaves a row of kind 'reversal' that refuses it later.
CREATE TABLE request (
    request_id  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('activation', 'card', 'reversal')),
    terminal    TEXT NOT NULL,
    store_id    TEXT NOT NULL,
    serial      TEXT,
    plan        TEXT,                        -- on-demand cards: the plan asked for
    amount      INTEGER,
    currency    TEXT,
    state       TEXT NOT NULL CHECK (state IN ('active', 'voided', 'reversed', 'refused')),
    http_status INTEGER NOT NULL,
    answer      TEXT NOT NULL,               -- the JSON body answered (an on-demand card's
                                             -- with "pin": null: the PIN is sent once)
    created_at  TEXT NOT NULL,
    changed_at  TEXT NOT NULL
);
CREATE INDEX request_by_serial ON request(serial);

-- Customers' subscriptions, extended by redemptions.
CREATE TABLE subscription (
    account    TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);

-- Refused redemptions, per subject ("account:..." or "address:..."), for the lockout.
CREATE TABLE redemption_refusal (
    subject TEXT NOT NULL,
    at      INTEGER NOT NULL                 -- Unix seconds
);
CREATE INDEX redemption_refusal_by_subject ON redemption_refusal(subject, at);

-- Every state change: who, what, when, request_id, outcome. Append-only.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,              -- "operator", "terminal:T1", "customer"
    action     TEXT NOT NULL,
    serial     TEXT,
    request_id TEXT,
    outcome    TEXT NOT NULL,
    detail     TEXT
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
