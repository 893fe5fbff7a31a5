-- Card issuer ledger, version 2: a request_id is the sending terminal's own. The same
-- UUID from two terminals names two requests, and a reversal or void reaches only the
-- requests of the terminal that sends it. Rows of version 1 keep their terminal and store.
CREATE TABLE request_v2 (
    request_id  TEXT NOT NULL,
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
    changed_at  TEXT NOT NULL,
    PRIMARY KEY (store_id, terminal, request_id)
);
INSERT INTO request_v2 (request_id, kind, terminal, store_id, serial, plan, amount, currency, state,
                        http_status, answer, created_at, changed_at)
    SELECT request_id, kind, terminal, store_id, serial, plan, amount, currency, state,
           http_status, answer, created_at, changed_at FROM request;
DROP TABLE request;
ALTER TABLE request_v2 RENAME TO request;
CREATE INDEX request_by_serial ON request(serial);
