#!/bin/sh
# Instructions per document of extraction on the bundled sample, counted by callgrind (noise-free, unlike time).
#
#   bench/callgrind_extract.sh [CHECKOUT [PACKAGE]]     e.g. bench/callgrind_extract.sh ../wt-old flows
#
# Runs bench/extract_rounds.py under valgrind with 5 rounds and with 0 rounds (same setup and warm-up) and
# prints (Ir(5) - Ir(0)) / (5 rounds x documents). CHECKOUT defaults to this one, PACKAGE to fazhi (flows for
# commits before the rename); PYTHON to the venv's python. Takes a few minutes.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
checkout=$(cd "${1:-$here}" && pwd)
package=${2:-fazhi}
python=${PYTHON:-$here/.venv/bin/python}
out=$(mktemp -d)
for rounds in 0 5; do
    (cd "$checkout" && PYTHONPATH="$checkout" PYTHONHASHSEED=0 valgrind --tool=callgrind \
        --callgrind-out-file="$out/cg.$rounds" "$python" "$here/bench/extract_rounds.py" "$rounds" \
        --package "$package") >"$out/log.$rounds" 2>&1 || { cat "$out/log.$rounds"; exit 1; }
done
docs=$(grep -o '^[0-9]* documents' "$out/log.5" | cut -d' ' -f1)
ir() { grep '^summary:' "$1" | awk '{print $2}'; }
i0=$(ir "$out/cg.0"); i5=$(ir "$out/cg.5")
echo "$checkout ($package): $(grep documents "$out/log.5")"
echo "instructions per document: $(( (i5 - i0) / (5 * docs) ))  (Ir 5 rounds $i5, 0 rounds $i0; profiles in $out)"
