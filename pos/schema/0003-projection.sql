-- The journal is the source of truth (docs/pos.md, "The journal can be checked"): from
-- here on every entry holds every column it sets, the tables are applied from the entries,
-- and `reup-pos verify` replays the chain into a fresh database and compares the two.
-- Entries written before held only some columns and cannot be replayed, so a journal that
-- has any data is marked here for a checkpoint: at its first opening the program appends
-- one entry holding every row of every table, and the replay starts from it. The mark is
-- dropped with that write; a new, empty journal needs none.
CREATE TABLE checkpoint_due (reason TEXT NOT NULL);
INSERT INTO checkpoint_due (reason)
SELECT 'written before entries held every column'
 WHERE EXISTS (SELECT 1 FROM entry) OR EXISTS (SELECT 1 FROM cashier) OR EXISTS (SELECT 1 FROM sale)
    OR EXISTS (SELECT 1 FROM catalog);
