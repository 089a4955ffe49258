#!/usr/bin/env bash
# Apache Flink and Apache Spark job servers for millrace's --runner=flink|spark,
# built from the Maven registry (Beam's *-job-server jars are not served there,
# but the runner libraries are, and they hold the drivers).
#
#   scripts/engines.sh prepare flink|spark|python|cluster   resolve a classpath (or Beam's Python SDK) into the cache
#   scripts/engines.sh start flink|spark [--flinkMaster=host:port|--sparkMaster=url]   start a job server on free loopback ports
#   scripts/engines.sh stop [flink|spark]                   stop what `start` started (its pid file only)
#   scripts/engines.sh classpath flink|spark                print the classpath folder
#   scripts/engines.sh verify flink|spark                   run Beam's Python word count against a started job server
#
# The cache is $MILLRACE_CACHE (default ~/.cache/millrace); later runs reuse it.
set -euo pipefail

BEAM_VERSION=2.62.0
FLINK_VERSION=1.19
SPARK_VERSION=3.5.0
CACHE="${MILLRACE_CACHE:-$HOME/.cache/millrace}"
RUN_DIR="$CACHE/run"
HERE="$(cd "$(dirname "$0")" && pwd)"

die() { echo "engines.sh: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
lib_dir() { echo "$CACHE/beam-$BEAM_VERSION-$1/lib"; }

dependencies_of() {
  case "$1" in
    flink)
      echo "org.apache.beam beam-runners-flink-$FLINK_VERSION $BEAM_VERSION"
      echo "org.slf4j slf4j-simple 1.7.36"
      ;;
    spark)
      echo "org.apache.beam beam-runners-spark-3 $BEAM_VERSION"
      # Beam marks Spark itself `provided`: a job server must bring it.
      echo "org.apache.spark spark-core_2.12 $SPARK_VERSION"
      echo "org.apache.spark spark-streaming_2.12 $SPARK_VERSION"
      echo "org.slf4j slf4j-simple 1.7.36"
      ;;
    *) die "unknown engine '$1' (flink or spark)" ;;
  esac
}

generated_pom() {
  local engine="$1"
  echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
  echo "<groupId>dev.millrace</groupId><artifactId>$engine-job-server-classpath</artifactId><version>1</version><packaging>pom</packaging>"
  echo '<dependencies>'
  dependencies_of "$engine" | while read -r g a v; do
    echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
  done
  echo '</dependencies></project>'
}

prepare_classpath() {
  local engine="$1" lib
  lib="$(lib_dir "$engine")"
  if [ -f "$lib/.complete" ]; then
    echo "$engine classpath already in $lib ($(ls "$lib" | wc -l) jars)"
    return
  fi
  command -v mvn >/dev/null || die "mvn is needed to resolve the $engine classpath (apt-get install maven)"
  local work start
  work="$(dirname "$lib")/pom"
  mkdir -p "$work" "$lib"
  generated_pom "$engine" >"$work/pom.xml"
  start=$(now_ms)
  mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib" >"$work/mvn.log" 2>&1 ||
    { tail -30 "$work/mvn.log" >&2; die "resolving the $engine classpath failed (log: $work/mvn.log)"; }
  touch "$lib/.complete"
  echo "$engine classpath: $(ls "$lib" | wc -l) jars, $(du -sh "$lib" | cut -f1) in $lib; took $(( ($(now_ms) - start) / 1000 )) s"
}

prepare_python() {
  local venv="$CACHE/beam-python-$BEAM_VERSION" start
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import apache_beam' 2>/dev/null; then
    echo "Beam's Python SDK already in $venv"
    return
  fi
  start=$(now_ms)
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "apache-beam==$BEAM_VERSION" >"$CACHE/beam-python-pip.log" 2>&1 ||
    { tail -30 "$CACHE/beam-python-pip.log" >&2; die "pip install apache-beam failed"; }
  echo "Beam's Python SDK $BEAM_VERSION in $venv; took $(( ($(now_ms) - start) / 1000 )) s"
}

start_job_server() {
  local engine="$1"; shift
  mkdir -p "$RUN_DIR"
  if [ -f "$RUN_DIR/$engine.pid" ] && kill -0 "$(cat "$RUN_DIR/$engine.pid")" 2>/dev/null; then
    die "a $engine job server started here is still running (pid $(cat "$RUN_DIR/$engine.pid")); stop it first"
  fi
  [ -f "$HERE/../dist/runners/portable/engines/job_server_main.js" ] || (cd "$HERE/.." && npm run --silent build)
  # One implementation of the java command line: the Node module that --runner=flink|spark uses.
  node "$HERE/../dist/runners/portable/engines/job_server_main.js" "$engine" --runDir="$RUN_DIR" "$@"
}

stop_job_server() {
  local engines=("$@") e pid
  [ ${#engines[@]} -gt 0 ] || engines=(flink spark)
  for e in "${engines[@]}"; do
    [ -f "$RUN_DIR/$e.pid" ] || continue
    pid="$(cat "$RUN_DIR/$e.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      # `start` put the server in a process group of its own (pgid = pid): end it and what it forked.
      kill -- "-$pid" 2>/dev/null || kill "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid"; fi
      echo "stopped the $e job server (pid $pid)"
    fi
    rm -f "$RUN_DIR/$e.pid" "$RUN_DIR/$e.endpoint"
  done
}

verify_with_python() {
  local engine="$1" endpoint venv="$CACHE/beam-python-$BEAM_VERSION" out start
  [ -f "$RUN_DIR/$engine.endpoint" ] || die "no $engine job server started here: scripts/engines.sh start $engine"
  [ -x "$venv/bin/python" ] || die "no Beam Python SDK: scripts/engines.sh prepare python"
  endpoint="$(cat "$RUN_DIR/$engine.endpoint")"
  out="$(mktemp -d)"
  printf 'to be or not to be\nthat is the question\nto be is to do\n' >"$out/input.txt"
  start=$(now_ms)
  "$venv/bin/python" -m apache_beam.examples.wordcount --runner=PortableRunner --job_endpoint="$endpoint" \
    --environment_type=LOOPBACK --input="$out/input.txt" --output="$out/counts" >"$out/python.log" 2>&1 ||
    { tail -40 "$out/python.log" >&2; die "Beam's Python word count failed on $engine"; }
  grep -qx 'be: 3' "$out"/counts* || { cat "$out"/counts* >&2; die "unexpected word count output on $engine"; }
  echo "$engine is healthy: Beam's Python word count (LOOPBACK) ran in $(( ($(now_ms) - start) / 1000 )) s; output in $out"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  prepare)
    [ $# -gt 0 ] || die "prepare what? flink, spark, python or cluster"
    for what in "$@"; do
      case "$what" in
        python) prepare_python ;;
        cluster) prepare_classpath flink ;;
        *) prepare_classpath "$what" ;;
      esac
    done
    ;;
  start) [ $# -gt 0 ] || die "start flink or spark"; start_job_server "$@" ;;
  stop) stop_job_server "$@" ;;
  classpath) lib_dir "${1:?flink or spark}" ;;
  verify) verify_with_python "${1:?flink or spark}" ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || exit 2 ;;
esac
