#!/usr/bin/env bash
# check-po.sh SOURCE_DIR: every translatable string of clmrs-field has a
# French translation that is neither missing nor fuzzy, and fr.po compiles.
# Extracts a fresh template from po/POTFILES.in the way meson's glib preset does.
set -euo pipefail
src=${1:?usage: check-po.sh SOURCE_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -v '^#' "$src/po/POTFILES.in" | sed '/^$/d' > "$tmp/files"
(cd "$src" && xgettext --from-code=UTF-8 --add-comments --package-name=clmrs-field \
   --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
   --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
   -f "$tmp/files" -o "$tmp/fresh.pot")
msgfmt --check -o /dev/null "$src/po/fr.po"

# msgcmp ignores untranslated and fuzzy entries of fr.po: a string listed
# here has no usable French translation
if ! msgcmp "$src/po/fr.po" "$tmp/fresh.pot" 2> "$tmp/missing"; then
  echo "po/fr.po lacks French for these strings of the sources:"
  msgmerge --quiet --no-fuzzy-matching "$src/po/fr.po" "$tmp/fresh.pot" -o "$tmp/merged.po"
  msgattrib --untranslated --no-obsolete "$tmp/merged.po" | grep -A3 '^#:' || true
  exit 1
fi
count=$(grep -c '^msgid ' "$tmp/fresh.pot")
echo "po/fr.po: all $((count - 1)) strings translated"
