#!/bin/sh
# The tree is formatted with the root .clang-format: lists each file that is not.
# usage: format-check.sh SOURCE_DIR
set -eu
cd "$1"
files=$(find common db i18n locator issuer printing pos tests bench -name '*.[ch]' -not -path '*/corpus/*' 2>/dev/null | sort)
bad=0
for f in $files; do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f (run: clang-format -i $f)" >&2
        bad=1
    fi
done
[ "$bad" -eq 0 ] && echo "$(echo "$files" | wc -l) files formatted"
exit "$bad"
