#!/bin/sh
# Assemble the locator page into OUT: the page in each language (index.LANG.html, rendered
# from the template index.html by reup-pagegen; index.html is the English one), its other
# files, the npm packages it uses (from web/node_modules, which the set-up installs) and a
# gzip copy of each text file for clients that accept it. Built beside OUT and renamed into
# place, so the server never sees half a page.
# usage: assemble.sh WEB_SOURCE_DIR OUT_DIR PAGEGEN
set -eu
src=$1 out=$2 pagegen=$3
nm=$src/node_modules
for f in leaflet/dist/leaflet.js leaflet/dist/leaflet.css topojson-client/dist/topojson-client.min.js \
         world-atlas/countries-50m.json us-atlas/states-10m.json us-atlas/counties-10m.json; do
    if [ ! -f "$nm/$f" ]; then
        echo "assemble.sh: $nm/$f is missing: install the page's packages with ./setup.sh build (npm ci in web/)" >&2
        exit 1
    fi
done
tmp=$out.new
rm -rf "$tmp"
mkdir -p "$tmp/vendor/licenses" "$tmp/atlas"
for lang in en da es; do
    "$pagegen" "$lang" "$src/index.html" "$tmp/index.$lang.html" locate. plan. lang. date.
done
cp "$tmp/index.en.html" "$tmp/index.html"
cp "$src/app.js" "$src/style.css" "$src/favicon.svg" "$tmp/"
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/topojson-client/dist/topojson-client.min.js" "$tmp/vendor/"
cp "$nm/world-atlas/countries-50m.json" "$nm/us-atlas/states-10m.json" "$nm/us-atlas/counties-10m.json" "$tmp/atlas/"
for p in leaflet topojson-client world-atlas us-atlas; do
    cp "$nm/$p/LICENSE" "$tmp/vendor/licenses/$p.txt"
done
find "$tmp" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.json' -o -name '*.svg' \) \
    -exec gzip -9 -n -k {} \;
rm -rf "$out.old"
[ ! -d "$out" ] || mv "$out" "$out.old"
mv "$tmp" "$out"
rm -rf "$out.old"
