-- Store locator database, version 2: each name's own spelling beside its folded form, so
-- that autocomplete can offer the alternate name the typed prefix matched as it is
-- written, accents and all. NULL in rows imported before version 2; an import fills it.
ALTER TABLE place_name ADD COLUMN spelled TEXT;
