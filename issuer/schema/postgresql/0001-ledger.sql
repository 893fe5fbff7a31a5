-- Card issuer ledger on PostgreSQL, version 1: the ledger as SQLite's version 3 has it
-- (issuer/schema/sqlite/), the same tables, columns, CHECKs and indexes, so that both
-- engines read the same. Integers are bigint (SQLite's are 64-bit), blobs bytea, times
-- TEXT in UTC as 'YYYY-MM-DDTHH:MM:SSZ'. Every text column compares bytewise (COLLATE
-- "C") like SQLite's: plan codes, serials and times then sort the same on both engines,
-- whatever the database's locale.

-- Settings of this installation: the issuer prefix of serials, the next sequence.
CREATE TABLE setting (
    key   text COLLATE "C" PRIMARY KEY,
    value text COLLATE "C" NOT NULL
);

CREATE TABLE plan (
    code        text COLLATE "C" PRIMARY KEY,   -- "1y"
    months      bigint NOT NULL CHECK (months > 0),
    price_cents bigint NOT NULL CHECK (price_cents >= 0),
    currency    text COLLATE "C" NOT NULL,      -- ISO 4217
    gtin        text COLLATE "C" NOT NULL DEFAULT '',
    created_at  text COLLATE "C" NOT NULL
);

CREATE TABLE terminal (
    id         text COLLATE "C" PRIMARY KEY,
    store_id   text COLLATE "C" NOT NULL,
    secret     bytea NOT NULL,                  -- 32 bytes; only the issuer's role reads it
    created_at text COLLATE "C" NOT NULL
);

CREATE TABLE batch (
    id         text COLLATE "C" PRIMARY KEY,    -- "B000001"
    plan       text COLLATE "C" NOT NULL REFERENCES plan(code),
    count      bigint NOT NULL,
    created_at text COLLATE "C" NOT NULL
);

CREATE TABLE card (
    serial       text COLLATE "C" PRIMARY KEY,
    plan         text COLLATE "C" NOT NULL REFERENCES plan(code),
    batch        text COLLATE "C" REFERENCES batch(id), -- NULL for on-demand cards
    pin_hmac     bytea NOT NULL UNIQUE,         -- HMAC-SHA256(issuer key, PIN); never the PIN
    status       text COLLATE "C" NOT NULL DEFAULT 'issued'
                 CHECK (status IN ('issued', 'active', 'redeemed', 'blocked')),
    store_id     text COLLATE "C",
    activated_at text COLLATE "C",
    redeemed_at  text COLLATE "C",
    account      text COLLATE "C"               -- who redeemed it
);
CREATE INDEX card_by_batch ON card(batch);

-- Terminal requests by the sending terminal's own request_id (the idempotency key) with
-- the answer given, so the same request always gets the same answer. A reversal of a
-- request never seen leaves a row of kind 'reversal' that refuses it later.
CREATE TABLE request (
    request_id  text COLLATE "C" NOT NULL,
    kind        text COLLATE "C" NOT NULL CHECK (kind IN ('activation', 'card', 'reversal')),
    terminal    text COLLATE "C" NOT NULL,
    store_id    text COLLATE "C" NOT NULL,
    serial      text COLLATE "C",
    plan        text COLLATE "C",               -- on-demand cards: the plan asked for
    amount      bigint,
    currency    text COLLATE "C",
    state       text COLLATE "C" NOT NULL CHECK (state IN ('active', 'voided', 'reversed', 'refused')),
    http_status bigint NOT NULL,
    answer      text COLLATE "C" NOT NULL,      -- the JSON body answered (an on-demand card's
                                                -- with "pin": null: the PIN is sent once)
    created_at  text COLLATE "C" NOT NULL,
    changed_at  text COLLATE "C" NOT NULL,
    PRIMARY KEY (store_id, terminal, request_id)
);
CREATE INDEX request_by_serial ON request(serial);

-- Customers' subscriptions, extended by redemptions.
CREATE TABLE subscription (
    account    text COLLATE "C" PRIMARY KEY,
    expires_at text COLLATE "C" NOT NULL
);

-- Refused redemptions, per subject ("account:..." or "address:..."), for the lockout.
CREATE TABLE redemption_refusal (
    subject text COLLATE "C" NOT NULL,
    at      bigint NOT NULL                     -- Unix seconds
);
CREATE INDEX redemption_refusal_by_subject ON redemption_refusal(subject, at);

-- Every state change: who, what, when, request_id, outcome. Append-only.
CREATE TABLE audit (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         text COLLATE "C" NOT NULL,
    actor      text COLLATE "C" NOT NULL,      -- "operator", "terminal:T1", "customer"
    action     text COLLATE "C" NOT NULL,
    serial     text COLLATE "C",
    request_id text COLLATE "C",
    outcome    text COLLATE "C" NOT NULL,
    detail     text COLLATE "C"
);

-- The journal heads terminals sent (ReUp-Journal-Head), so that a terminal's journal
-- rolled back or rebuilt behind its back can be told from the one that was here.
-- Append-only. A head counts ('head') only when its sequence number is above every head
-- the terminal sent before; one that goes back, or names another hash at a sequence
-- number already recorded, is kept as an 'anomaly' and changes nothing.
CREATE TABLE journal_head (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id text COLLATE "C" NOT NULL,
    terminal text COLLATE "C" NOT NULL,
    seq      bigint NOT NULL CHECK (seq > 0),
    hash     text COLLATE "C" NOT NULL CHECK (length(hash) = 64),
    kind     text COLLATE "C" NOT NULL CHECK (kind IN ('head', 'anomaly')),
    seen_at  text COLLATE "C" NOT NULL
);
CREATE INDEX journal_head_by_terminal ON journal_head(store_id, terminal, kind, seq);

-- Append-only, twice over. The triggers refuse every UPDATE, DELETE and TRUNCATE, even
-- one that matches no row and even a superuser's; the privileges are taken away as well,
-- from everyone and from the role that owns the ledger, so that a stray statement fails
-- before it reaches a trigger. (The owner could grant them back and drop the triggers:
-- that takes a deliberate act, and leaves DDL in the server's log.)
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the audit log is append-only');
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the audit log is append-only');
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the audit log is append-only');
CREATE TRIGGER journal_head_no_update BEFORE UPDATE ON journal_head
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the journal heads are append-only');
CREATE TRIGGER journal_head_no_delete BEFORE DELETE ON journal_head
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the journal heads are append-only');
CREATE TRIGGER journal_head_no_truncate BEFORE TRUNCATE ON journal_head
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the journal heads are append-only');
REVOKE UPDATE, DELETE, TRUNCATE ON audit, journal_head FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit, journal_head FROM CURRENT_USER;
