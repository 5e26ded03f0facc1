#!/usr/bin/env bash
# Logs every statement of PostgreSQL (log_min_duration_statement = 0) during the measured reply
# window of a bench/run.sh started beside it: from the moment W answers are recorded (the warm-up
# done) until W + M are. Then: bench/pg-log-transactions.py (bench/README.md, "Transactions and
# statements of one reply"). Needs a superuser on the server the run uses (ALTER SYSTEM).
#
#   bench/log-window.sh 1250 600 &   # W = the run's warm-up replies, M = reply-rate x reply-seconds
#   bench/run.sh --n 5000 --reply-rate 40 --reply-seconds 15
set -euo pipefail
W=${1:?warm-up replies}
M=${2:?measured replies}
PSQL=(psql -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" -Atq)
db=""
while [ -z "$db" ]; do
  db=$("${PSQL[@]}" -c "select datname from pg_database where datname like 'relais_bench_%' order by oid desc limit 1")
  sleep 2
done
answers() {
  "${PSQL[@]}" -d "$db" -c "select count(*) from act_hi_actinst where act_id_ = 'Task_SendBotAnswer' and end_time_ is not null" 2>/dev/null || echo 0
}
# polls every 2 s: the count reads the activity history, and the run measures the database
while [ "$(answers)" -lt "$W" ]; do sleep 2; done
trap '"${PSQL[@]}" -c "alter system reset log_min_duration_statement" -c "select pg_reload_conf()" >/dev/null' EXIT
"${PSQL[@]}" -c "alter system set log_min_duration_statement = 0" -c "select pg_reload_conf()" >/dev/null
echo "database $db: logging from $(date -u +%T)"
while [ "$(answers)" -lt "$((W + M))" ]; do sleep 2; done
echo "database $db: logging until $(date -u +%T)"
