#!/usr/bin/env python3
"""Transactions and statements per reply, from PostgreSQL's statement log.

Reads a server log written with log_min_duration_statement = 0 (bench/log-window.sh turns it on
for a run's measured reply window) and prints, per reply:
  - the transactions, grouped by their first two statements ("auto" = a statement outside any
    transaction block, i.e. an autocommit transaction of its own), with their average length;
  - the statements by total time (parse + bind + execute), with their calls.
A reply is counted as one `insert into inbound_queue` (the webhook stores each inbound message with
one), unless --replies says how many to divide by.

    bench/pg-log-transactions.py /var/log/postgresql/postgresql-15-main.log relais_bench_1234 14:21:54 14:22:13
"""
import argparse
import collections
import re

LINE = re.compile(r'^\d{4}-\d\d-\d\d (\d\d:\d\d:\d\d)\.\d+ \S+ \[(\d+)\] \S+@(\S+) LOG:  '
                  r'(?:duration: ([\d.]+) ms  )?(statement|execute|bind|parse)[^:]*: (.*)$')


def normalised(sql):
    sql = re.sub(r'\s+', ' ', sql.strip())
    sql = re.sub(r"'[^']*'", '?', sql)
    return re.sub(r'\$\d+', '?', sql)[:120]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('log')
    p.add_argument('database')
    p.add_argument('start', help='hh:mm:ss, inclusive')
    p.add_argument('end', help='hh:mm:ss, inclusive')
    p.add_argument('--replies', type=float, help='divide by this instead of the inbound_queue inserts')
    p.add_argument('--top', type=int, default=40)
    a = p.parse_args()

    open_tx = {}
    transactions = collections.Counter()
    lengths = collections.Counter()
    calls = collections.Counter()
    millis = collections.Counter()
    statements = 0
    total_ms = 0.0
    with open(a.log, errors='replace') as log:
        for line in log:
            m = LINE.match(line)
            if not m:
                continue
            at, pid, db, duration, verb, sql = m.groups()
            if db != a.database or not a.start <= at <= a.end:
                continue
            sql = normalised(sql)
            ms = float(duration) if duration else 0.0
            total_ms += ms
            millis[sql[:100]] += ms
            if verb in ('parse', 'bind'):
                continue
            calls[sql[:100]] += 1
            upper = sql.upper()
            if upper.startswith('BEGIN') or upper.startswith('START TRANSACTION'):
                open_tx[pid] = []
                continue
            if upper.startswith('COMMIT') or upper.startswith('ROLLBACK'):
                body = open_tx.pop(pid, None) or []
                key = ('tx', ' | '.join(dict.fromkeys(s[:55] for s in body[:2])) or '(empty)')
                transactions[key] += 1
                lengths[key] += len(body)
                continue
            statements += 1
            if pid in open_tx:
                open_tx[pid].append(sql)
            else:
                key = ('auto', sql[:110])
                transactions[key] += 1
                lengths[key] += 1

    replies = a.replies or sum(c for s, c in calls.items() if s.lower().startswith('insert into inbound_queue'))
    if not replies:
        raise SystemExit('no reply in the window (no insert into inbound_queue); give --replies')
    print(f'{replies:.0f} replies; per reply: {sum(transactions.values()) / replies:.2f} transactions, '
          f'{statements / replies:.2f} statements, {total_ms / replies:.2f} ms of statement time')
    print('--- transactions per reply (kind, average statements, first statements)')
    for key, c in transactions.most_common(a.top):
        print(f'{c / replies:7.3f} {key[0]:4} {lengths[key] / c:5.1f}  {key[1]}')
    print('--- statements by time per reply (ms, calls)')
    for sql, ms in millis.most_common(a.top):
        print(f'{ms / replies:7.3f} ms {calls[sql] / replies:6.2f}  {sql}')


if __name__ == '__main__':
    main()
