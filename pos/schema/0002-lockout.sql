-- Wrong PINs lock a cashier: five in a row lock them for 15 minutes (docs/pos.md). Kept
-- here, not in a program's memory, so that restarting the terminal does not lift a lock;
-- every change is also an entry of the chain ('cashier_pins', 'cashier_unlock'), which
-- `reup-pos verify` replays against these columns.
ALTER TABLE cashier ADD COLUMN failed_pins INTEGER NOT NULL DEFAULT 0; -- wrong PINs in a row
ALTER TABLE cashier ADD COLUMN locked_until INTEGER; -- unix seconds; NULL: not locked
