#!/usr/bin/env bash
# Creates .interop/ (git-ignored): a Python venv with the pinned engines the cross-engine suite
# drives (PySpark + Delta Lake, delta-rs), and the Delta jars resolved once into an Ivy cache there.
# Idempotent: a stamp file records what was installed; a second run with the same pins is a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."
# Pins: Spark 3.5 + Delta 3.3 (the newest Delta for Spark 3.5), delta-rs as the `deltalake` package.
PINS=(pyspark==3.5.7 delta-spark==3.3.2 deltalake==1.6.6 pyarrow==21.0.0)
DIR=.interop
STAMP="$DIR/stamp"
WANT="${PINS[*]} jars-v1"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$DIR/venv/bin/python" ]; then
  echo "interop: engines ready in $DIR ($(cat "$STAMP"))"
  exit 0
fi
command -v python3 >/dev/null || { echo "error: python3 is needed for the interop suite" >&2; exit 1; }
command -v java >/dev/null || { echo "error: a JDK (17) is needed for Spark in the interop suite" >&2; exit 1; }
mkdir -p "$DIR"
rm -f "$STAMP"
[ -x "$DIR/venv/bin/python" ] || python3 -m venv "$DIR/venv"
t0=$(date +%s.%N)
"$DIR/venv/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
t1=$(date +%s.%N)
# Resolve the Delta jars now (from Maven Central into $DIR/ivy), so the tests never wait on it.
SPARK_LOCAL_IP=127.0.0.1 INTEROP_DIR="$DIR" "$DIR/venv/bin/python" test/interop/engines.py --warm-up
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "interop: pip install %.1f s, Delta jars %.1f s\n", b - a, c - b }'
echo "$WANT" > "$STAMP"
echo "interop: engines installed in $DIR"
