#!/usr/bin/env bash
# Relais benchmark (issue 10): one command, a table of figures. See bench/README.md.
#   bench/run.sh [--n 100000] [--clients 8] [--reply-rate 200] [--reply-seconds 30]
#                [--pg-host 127.0.0.1] [--pg-port 5432] [--pg-user postgres] [--pg-password ...]
#                [--pg-start true [--pg-conf 'key = value' ...]]
#                [--xmx 2g] [--gc parallel|g1|serial] [--relais-opt camunda.bpm.job-execution.max-pool-size=16 ...]
set -euo pipefail
cd "$(dirname "$0")/.."

built_jar() { ls target/relais-*.jar 2>/dev/null | grep -v original | head -n 1 || true; }
jar=$(built_jar)
# Only a Spring Boot jar will do (a failed repackage leaves the plain jar behind). Asked of unzip
# itself: `unzip -l | grep -q` fails under pipefail when grep stops reading early (SIGPIPE).
boot_jar() { unzip -Z1 "$1" 'BOOT-INF/lib/*' >/dev/null 2>&1; }
if [ -n "$jar" ] && ! boot_jar "$jar"; then jar=""; fi
driver=target/test-classes/io/relais/bench/Benchmark.class
if [ -z "$jar" ] || [ -n "$(find src/main processes pom.xml -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "== building the jar (./mvnw -o -q -DskipTests package)"
  if ! ./mvnw -o -q -DskipTests package || ! boot_jar "$(built_jar)"; then
    # Offline machines may lack the repackage plugin's dependencies: run from the test class path.
    echo "== no jar: running the benchmark through Maven (BenchmarkRun, node on the test class path)"
    exec ./mvnw -o test -Dtest=BenchmarkRun -Dsurefire.excludedGroups=none -Dgroups=benchmark -Drelais.bench.args="$*"
  fi
  jar=$(built_jar)
elif [ ! -f "$driver" ] || [ -n "$(find src/test/java/io/relais/bench -newer "$driver" -print -quit)" ]; then
  echo "== compiling the benchmark driver (./mvnw -o -q test-compile)"
  ./mvnw -o -q test-compile
fi

# The driver needs only the JDK and the PostgreSQL JDBC driver: take the one inside the jar.
libdir=target/bench/lib
mkdir -p "$libdir"
pgjar=$(ls "$libdir"/postgresql-*.jar 2>/dev/null | head -n 1 || true)
if [ -z "$pgjar" ]; then
  entry=$(jar tf "$jar" | grep 'BOOT-INF/lib/postgresql-.*\.jar' | head -n 1)
  (cd "$libdir" && jar xf "../../../$jar" "$entry" && mv "$entry" . && rm -rf BOOT-INF)
  pgjar=$(ls "$libdir"/postgresql-*.jar | head -n 1)
fi

# --pg-start true: a PostgreSQL server of the benchmark's own, configured as production would be
# (bench/README.md, "A server of its own"), instead of the one at --pg-host/--pg-port.
pg_start=false
pg_conf=()
pass=()
pg_port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --pg-start) pg_start="$2"; shift 2 ;;
    --pg-conf) pg_conf+=("$2"); shift 2 ;;
    --pg-port) pg_port="$2"; pass+=("$1" "$2"); shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done
if [ "$pg_start" != true ]; then
  if [ ${#pg_conf[@]} -gt 0 ]; then echo "--pg-conf needs --pg-start true" >&2; exit 2; fi
  exec java -Xmx1g -cp "target/test-classes:$pgjar" io.relais.bench.Benchmark --jar "$jar" "${pass[@]}"
fi

pgbin=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_port=${pg_port:-5433}
pgdata=$(mktemp -d "${TMPDIR:-/tmp}/relais-bench-pg.XXXXXX")
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: the server runs as the postgres account.
  chown postgres "$pgdata"
  as_pg=(runuser -u postgres --)
fi
stop_pg() {
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pgdata"
}
trap stop_pg EXIT
"${as_pg[@]}" "$pgbin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
ram_mb=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
shared_mb=$((ram_mb / 4)); [ "$shared_mb" -gt 8192 ] && shared_mb=8192
{
  echo "# production settings for a machine of ${ram_mb} MB shared with the Relais node (bench/README.md)"
  echo "listen_addresses = '127.0.0.1'"
  echo "port = $pg_port"
  echo "unix_socket_directories = '$pgdata'"
  echo "max_connections = 200"
  echo "shared_buffers = ${shared_mb}MB"
  echo "effective_cache_size = $((ram_mb / 2))MB"
  echo "maintenance_work_mem = 512MB"
  echo "autovacuum = on"
  for kv in "${pg_conf[@]}"; do echo "$kv"; done
} >>"$pgdata/postgresql.conf"
echo "== PostgreSQL of the benchmark's own on 127.0.0.1:$pg_port ($pgdata): shared_buffers ${shared_mb}MB, autovacuum on${pg_conf[*]:+, ${pg_conf[*]}}"
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 120 start >/dev/null
java -Xmx1g -cp "target/test-classes:$pgjar" io.relais.bench.Benchmark --jar "$jar" "${pass[@]}" \
  --pg-host 127.0.0.1 --pg-port "$pg_port" --pg-user postgres --pg-password ""
