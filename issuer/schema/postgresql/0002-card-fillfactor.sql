-- Card issuer ledger on PostgreSQL, version 2: room in every page of the card table for
-- the new version of its rows. An activation, a redemption or a void changes a card's
-- status, store and times, none of them indexed: with room on the page PostgreSQL makes
-- the new version there (a HOT update) and writes no index entry. That is less work, and
-- under SERIALIZABLE it keeps two writers that change neighbouring cards at the same moment
-- from colliding: an index entry written into a page of card_pkey that another
-- transaction read (every lookup of a serial reads one) counts as a conflict with it, and
-- one of the two would have to run again. Pages written before this keep what room they
-- have; cards made from now on get it. Nothing changes on SQLite.
ALTER TABLE card SET (fillfactor = 50);
