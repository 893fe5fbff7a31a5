-- A sale costs the same whatever the journal holds (docs/benchmarks.md): the two lookups
-- every sale makes by something other than a key get an index. Recovery at every start
-- looks for sales still 'sending' (a handful at most, so a partial index of them only);
-- refusing a card sold before looks the card's serial up.
CREATE INDEX sale_sending ON sale(id) WHERE state = 'sending';
CREATE INDEX sale_by_serial ON sale(serial);
