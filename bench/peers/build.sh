#!/usr/bin/env bash
# Builds the Flink and Spark peers (bench/peers/{common,flink,spark}) with
# Maven and writes each peer's runtime classpath to
# bench/peers/<peer>/target/classpath.txt, which bench/peers/compare.ts reads.
# Offline first: after one build everything is in ~/.m2, so rebuilds need no
# network; the first build (or a new dependency) goes online once.
#
#   bash bench/peers/build.sh          # prints the two classpath files
set -euo pipefail
cd "$(dirname "$0")"
command -v mvn >/dev/null || { echo "bench/peers/build.sh: Maven (mvn) is needed to build the peers" >&2; exit 1; }
command -v java >/dev/null || { echo "bench/peers/build.sh: a JDK (17 or newer) is needed to build the peers" >&2; exit 1; }

goals=(package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime)
if ! mvn -o -q -B "${goals[@]}" >target-build.log 2>&1; then
  echo "bench/peers/build.sh: offline build failed (dependencies not in ~/.m2 yet?); building online" >&2
  mvn -q -B "${goals[@]}" >target-build.log 2>&1 || { cat target-build.log >&2; exit 1; }
fi
rm -f target-build.log
for peer in flink spark; do
  test -s "$peer/target/classpath.txt" || { echo "bench/peers/build.sh: $peer/target/classpath.txt missing" >&2; exit 1; }
  echo "$PWD/$peer/target/classpath.txt"
done
