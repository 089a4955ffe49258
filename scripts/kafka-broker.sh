#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft, broker and controller in one JVM)
# on free loopback ports, for millrace's Kafka tests and for trying the Kafka
# examples locally.
#
#   scripts/kafka-broker.sh fetch            fetch the broker's jars once (Maven) into the cache
#   scripts/kafka-broker.sh start  [--dir D] [--owner-pid P]
#                                            start a broker in the background, print its bootstrap address;
#                                            with --owner-pid, the broker is stopped when process P ends
#   scripts/kafka-broker.sh status [--dir D] print the bootstrap address of the running broker (exit 3: none)
#   scripts/kafka-broker.sh stop   [--dir D] stop the broker this folder's start started, and delete its data
#
# Each broker lives in its own state folder (default: .kafka-broker/ in the
# repository; tests use a temporary one), which holds its configuration,
# data, log, pid file and bootstrap address. `stop` only stops the process
# recorded there, and only if it is still the broker of that folder.
#
# Environment: MILLRACE_KAFKA_CACHE (jar cache, default
# ~/.cache/millrace/kafka-4.4.0), MILLRACE_KAFKA_START_TIMEOUT_S (default 180).
set -euo pipefail

KAFKA_VERSION=4.4.0
LOG4J_VERSION=2.24.3
REPO="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${MILLRACE_KAFKA_CACHE:-${HOME}/.cache/millrace/kafka-${KAFKA_VERSION}}"
LIB="$CACHE/lib"
START_TIMEOUT_S="${MILLRACE_KAFKA_START_TIMEOUT_S:-180}"

die() {
  echo "kafka-broker: $*" >&2
  exit 1
}

# The jars of kafka_2.13 and a log4j binding for its SLF4J logging, resolved by Maven once.
fetch() {
  if [ -f "$LIB/.complete" ]; then return 0; fi
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed once to fetch the broker's jars into $CACHE"
  command -v java >/dev/null 2>&1 || die "a Java runtime (17 or newer) is needed to run the broker"
  mkdir -p "$CACHE"
  local work
  work="$(mktemp -d "$CACHE/fetch.XXXXXX")"
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.millrace</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>${LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
EOF
  echo "kafka-broker: fetching Apache Kafka ${KAFKA_VERSION} jars into $LIB (once)" >&2
  if ! (cd "$work" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/lib" >"$work/mvn.log" 2>&1); then
    cat "$work/mvn.log" >&2
    rm -rf "$work"
    die "Maven could not fetch org.apache.kafka:kafka_2.13:${KAFKA_VERSION}"
  fi
  touch "$work/lib/.complete"
  # Another fetch may have finished first: keep whichever is in place.
  mv -T "$work/lib" "$LIB" 2>/dev/null || true
  rm -rf "$work"
  [ -f "$LIB/.complete" ] || die "the jar cache $LIB is incomplete; delete it and fetch again"
}

STATE="$REPO/.kafka-broker"
OWNER_PID=""
parse_dir() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir)
        [ $# -ge 2 ] || die "--dir needs a folder"
        STATE="$2"
        shift 2
        ;;
      --owner-pid)
        [ $# -ge 2 ] || die "--owner-pid needs a process id"
        OWNER_PID="$2"
        shift 2
        ;;
      *) die "unknown argument '$1'" ;;
    esac
  done
  mkdir -p "$STATE"
  STATE="$(cd "$STATE" && pwd)"
}

# The pid in the state folder, if that process is alive and is this folder's broker.
running_pid() {
  [ -f "$STATE/broker.pid" ] || return 1
  local pid
  pid="$(cat "$STATE/broker.pid")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STATE/server.properties" || return 1
  echo "$pid"
}

free_ports() {
  node -e '
    const net = require("node:net");
    const take = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => ok(s)); });
    Promise.all([take(), take()]).then((ss) => { console.log(ss.map((s) => s.address().port).join(" ")); ss.forEach((s) => s.close()); });'
}

accepts_connections() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  if pid="$(running_pid)"; then
    cat "$STATE/bootstrap"
    return 0
  fi
  fetch
  local ports broker_port controller_port cluster_id
  ports="$(free_ports)"
  broker_port="${ports% *}"
  controller_port="${ports#* }"
  # A random id in base64url, never starting with "-" (one in 64 would, and StorageTool then reads it as an option,
  # failing with "argument --cluster-id/-t: expected one argument"): Kafka's own Uuid.randomUuid() rejects those too.
  cluster_id="$(node -e 'let id; do id = require("node:crypto").randomBytes(16).toString("base64url"); while (id.startsWith("-")); console.log(id)')"
  rm -rf "$STATE/data"
  cat >"$STATE/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controller_port}
listeners=PLAINTEXT://127.0.0.1:${broker_port},CONTROLLER://127.0.0.1:${controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:${broker_port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${STATE}/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
transaction.max.timeout.ms=900000
EOF
  cat >"$STATE/log4j2.properties" <<EOF
rootLogger.level=WARN
rootLogger.appenderRef.out.ref=OUT
appender.out.type=Console
appender.out.name=OUT
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
logger.raft.name=kafka.server.KafkaRaftServer
logger.raft.level=INFO
EOF
  local java_opts=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx512m -Xss1m "-Dlog4j2.configurationFile=$STATE/log4j2.properties")
  if ! java "${java_opts[@]}" -cp "$LIB/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$STATE/server.properties" >"$STATE/format.log" 2>&1; then
    cat "$STATE/format.log" >&2
    die "formatting the broker's storage in $STATE/data failed"
  fi
  nohup java "${java_opts[@]}" -cp "$LIB/*" kafka.Kafka "$STATE/server.properties" >"$STATE/broker.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$STATE/broker.pid"
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until grep -q "Kafka Server started" "$STATE/broker.log" 2>/dev/null && accepts_connections "$broker_port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$STATE/broker.log" >&2
      rm -f "$STATE/broker.pid"
      die "the broker exited while starting (log: $STATE/broker.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 40 "$STATE/broker.log" >&2
      stop_pid "$pid"
      die "the broker did not start within ${START_TIMEOUT_S}s (log: $STATE/broker.log)"
    fi
    sleep 0.5
  done
  echo "127.0.0.1:${broker_port}" >"$STATE/bootstrap"
  if [ -n "$OWNER_PID" ]; then watch_owner "$OWNER_PID" "$pid"; fi
  cat "$STATE/bootstrap"
}

# A test run that is killed cannot stop its broker: a watcher stops it when the run's process is gone.
watch_owner() {
  local owner="$1" broker="$2"
  (
    trap '' HUP
    while kill -0 "$owner" 2>/dev/null && kill -0 "$broker" 2>/dev/null; do sleep 2; done
    if kill -0 "$broker" 2>/dev/null; then
      echo "kafka-broker: process $owner ended; stopping broker $broker" >>"$STATE/broker.log"
      stop_pid "$broker"
      rm -rf "$STATE"
    fi
  ) </dev/null >/dev/null 2>&1 &
  disown || true
}

stop_pid() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$STATE/broker.pid"
}

stop() {
  if pid="$(running_pid)"; then stop_pid "$pid"; fi
  rm -rf "$STATE/data" "$STATE/broker.pid" "$STATE/bootstrap"
}

status() {
  if running_pid >/dev/null; then
    cat "$STATE/bootstrap"
  else
    echo "kafka-broker: no broker running for $STATE" >&2
    exit 3
  fi
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  fetch) fetch ;;
  start)
    parse_dir "$@"
    start
    ;;
  stop)
    parse_dir "$@"
    stop
    ;;
  status)
    parse_dir "$@"
    status
    ;;
  *) die "usage: $0 fetch | start [--dir D] | stop [--dir D] | status [--dir D]" ;;
esac
