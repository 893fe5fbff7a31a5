-- Store locator database, version 3: the place labels of the offline map (locator/labels.h).
-- Each place's rank is the map zoom level from which it is labelled; the R*Tree holds
-- its position and that zoom (min_zoom = max_zoom) so that a view and a zoom are one
-- search. Empty in a database migrated from version 2 until an import builds it.
CREATE VIRTUAL TABLE label_box USING rtree(place, min_lon, max_lon, min_lat, max_lat, min_zoom, max_zoom);
