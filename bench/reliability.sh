#!/usr/bin/env bash
# Fault-injection suite at full size (issue 11): bench/reliability.sh [journeys, default 10000].
# Needs PostgreSQL on $RELAIS_TEST_PG_HOST:$RELAIS_TEST_PG_PORT (default 127.0.0.1:5432, trust) and,
# for the PostgreSQL-restart scenario, the server binaries (/usr/lib/postgresql/*/bin) to start a
# throwaway cluster of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./mvnw -o test -Dtest='FaultInjectionTest' -Dsurefire.failIfNoSpecifiedTests=false -Dsurefire.excludedGroups=benchmark \
  -Drelais.reliability.journeys="${1:-10000}"
