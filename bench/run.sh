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

exec java -Xmx1g -cp "target/test-classes:$pgjar" io.relais.bench.Benchmark --jar "$jar" "$@"
