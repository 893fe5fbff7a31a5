-- Store locator database, version 1: gazetteer, stores and their spatial indexes.
-- Folded columns hold locator/fold.c's matching form of the name next to them.

CREATE TABLE country (
    code   TEXT PRIMARY KEY,            -- ISO 3166-1 alpha-2
    iso3   TEXT NOT NULL DEFAULT '',
    name   TEXT NOT NULL,
    folded TEXT NOT NULL
);
CREATE INDEX country_by_folded ON country(folded);

CREATE TABLE admin1 (
    country      TEXT NOT NULL,
    code         TEXT NOT NULL,         -- GeoNames admin1 code: "WY" for Wyoming
    name         TEXT NOT NULL,
    folded       TEXT NOT NULL,
    ascii_folded TEXT NOT NULL,
    PRIMARY KEY (country, code)
) WITHOUT ROWID;

CREATE TABLE place (
    id         INTEGER PRIMARY KEY,     -- GeoNames geonameid
    name       TEXT NOT NULL,
    ascii      TEXT NOT NULL,
    country    TEXT NOT NULL,
    admin1     TEXT NOT NULL,
    lat        REAL NOT NULL,
    lon        REAL NOT NULL,
    population INTEGER NOT NULL,
    feature    TEXT NOT NULL
);

-- Every folded name of a place: its name and ASCII name (primary = 1) and its
-- alternate names (primary = 0). Ranking columns live in the key so that a lookup by
-- name is one index range.
CREATE TABLE place_name (
    folded     TEXT NOT NULL,
    is_primary INTEGER NOT NULL,
    population INTEGER NOT NULL,
    place      INTEGER NOT NULL,
    PRIMARY KEY (folded, is_primary, population, place)
) WITHOUT ROWID;
CREATE INDEX place_name_by_place ON place_name(place);

-- Trigram index over the distinct folded primary names, for "did you mean" suggestions.
CREATE VIRTUAL TABLE name_trigram USING fts5(folded, tokenize = 'trigram');

CREATE TABLE postal (
    country     TEXT NOT NULL,
    code        TEXT NOT NULL,
    place       TEXT NOT NULL,
    admin1      TEXT NOT NULL,
    admin1_name TEXT NOT NULL,
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    PRIMARY KEY (code, country, place)
) WITHOUT ROWID;

CREATE TABLE chain (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE,
    folded TEXT NOT NULL UNIQUE
);

CREATE TABLE store (
    rowid   INTEGER PRIMARY KEY,
    id      TEXT NOT NULL UNIQUE,       -- the list's stable id ("WM00001")
    chain   INTEGER NOT NULL REFERENCES chain(id),
    name    TEXT NOT NULL,
    address TEXT NOT NULL,
    city    TEXT NOT NULL,
    region  TEXT NOT NULL,
    postal  TEXT NOT NULL,
    country TEXT NOT NULL,
    lat     REAL NOT NULL,
    lon     REAL NOT NULL,
    extras  TEXT                        -- JSON object of further columns, or NULL
);

-- Spatial indexes (locator/geoindex.h), one per point set: 1 = stores, 2 = places.
-- The tree's node boxes are stored in blocks (subtrees of up to 8 levels) in
-- geoindex_node, the points of each leaf in geoindex_leaf; both keyed by
-- set * 2^32 + block or leaf number, so a query reads only what it descends into.
CREATE TABLE geoindex (
    point_set INTEGER PRIMARY KEY,
    count     INTEGER NOT NULL,
    leaf_size INTEGER NOT NULL,
    built_at  TEXT NOT NULL
);
CREATE TABLE geoindex_node (
    key   INTEGER PRIMARY KEY,
    boxes BLOB NOT NULL
);
CREATE TABLE geoindex_leaf (
    key    INTEGER PRIMARY KEY,
    points BLOB NOT NULL
);
