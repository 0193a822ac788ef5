#!/usr/bin/env bash
# Where does a single-event append spend its time on the server? Runs pgbench (no .NET, no network stack beyond the
# loopback socket) on a throwaway cluster with the benchmark's settings, against our real schema (the embedded
# migration, schema "diag"), and compares:
#   raw-insert-pk-only           INSERT into a table with our columns and only a primary key (the npgsql-raw limit)
#   raw-insert-events-table      the same INSERT into our events table, with all its indexes, offset from a sequence
#   append-statement-diag_*      the statement the store sends for a single event, on the schema as shipped (full: no
#                                payload index since migration 003), with the optional GIN payload index
#                                (gin: EnablePayloadIndex), and with only the primary key and the event-id unique index
#                                (keys); "+prepared" cases run it prepared, as the store's data source does
#                                (Max Auto Prepare), the others parse and plan it on every call
#   append-statement-x100-diag_* the batch form of the statement, 100 events per call
# each for one event per transaction and for batches of 100 (x100), then EXPLAIN ANALYZE of the single-event statement.
# (Before the "one shape" refactor the fallback was a PL/pgSQL function, append_events; its figures in
# docs/benchmarks.md were measured with the earlier version of this script.)
# Usage: bash bench/diagnostics/append-cost.sh [transactions per case, default 5000]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-5000}
bin=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort | tail -1)")")
dir=$(mktemp -d /tmp/svrnty-diag-XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; as=(runuser -u postgres --); fi
port=$(( 20000 + RANDOM % 20000 ))
trap '"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=1GB -c max_wal_size=4GB" start >/dev/null
psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres)
bench=("$bin/pgbench" -n -h 127.0.0.1 -p "$port" -U postgres -c 1 postgres)

# Three copies of our schema: as shipped, with the optional payload index, and with only the primary key and the
# event-id unique index (the two the append relies on).
for schema in diag_full diag_gin diag_keys; do
  cat src/Svrnty.CQRS.Events.PostgreSQL/Migrations/0*.sql | sed "s/__schema__/$schema/g" | "${psql[@]}" -c "CREATE SCHEMA $schema" -f -
done
"${psql[@]}" <<'SQL'
CREATE INDEX ix_events_data ON diag_gin.events USING gin ((data::jsonb) jsonb_path_ops);
DROP INDEX diag_keys.ix_events_correlation_id, diag_keys.ix_events_event_type,
           diag_keys.ix_events_stream_created_at, diag_keys.ix_events_created_at;
CREATE TABLE diag_full.raw_events (LIKE diag_full.events INCLUDING DEFAULTS, PRIMARY KEY (stream_name, stream_offset));
CREATE SEQUENCE diag_full.offsets;
SQL
json='{"eventId":"0199a7c2-7d55-7b8e-9c1e-3f1a2b3c4d5e","correlationId":"req-0042","occurredAt":"2025-01-01T00:00:00+00:00","orderId":"order-000123456","customerId":"customer-003456","currency":"EUR","total":155.97,"lines":[{"sku":"sku-00042","quantity":1,"unitPrice":49.99},{"sku":"sku-00017","quantity":2,"unitPrice":24.99}]}'
row="gen_random_uuid()::text, 'OrderPlaced', 'req-0042', '$json', now(), now()"
echo "INSERT INTO diag_full.raw_events VALUES ('raw', nextval('diag_full.offsets'), $row);" > "$dir/raw-insert-pk-only.sql"
echo "INSERT INTO diag_full.events VALUES ('table', nextval('diag_full.offsets'), $row);" > "$dir/raw-insert-events-table.sql"
echo "INSERT INTO diag_full.raw_events SELECT 'rawb', nextval('diag_full.offsets'), $row FROM generate_series(1, 100);" > "$dir/raw-insert-pk-only-x100.sql"
echo "INSERT INTO diag_full.events SELECT 'tableb', nextval('diag_full.offsets'), $row FROM generate_series(1, 100);" > "$dir/raw-insert-events-table-x100.sql"
for schema in diag_full diag_gin diag_keys; do
  cat > "$dir/append-statement-x100-$schema.sql" <<EOF
WITH r AS (INSERT INTO $schema.streams AS t (stream_name, next_offset, created_at, updated_at) VALUES ('stmtb', 100, now(), now())
  ON CONFLICT (stream_name) DO UPDATE SET next_offset = t.next_offset + 100, updated_at = excluded.updated_at
  RETURNING t.next_offset - 100 AS first),
e AS (INSERT INTO $schema.events (stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent)
  SELECT 'stmtb', r.first + g - 1, gen_random_uuid()::text, 'OrderPlaced', 'req-0042', '$json', now(), now(), NULL FROM r, generate_series(1, 100) g)
SELECT r.first + 99, pg_notify('$schema', 'sstmtb') FROM r;
EOF
  cat > "$dir/append-statement-$schema.sql" <<EOF
WITH r AS (INSERT INTO $schema.streams AS t (stream_name, next_offset, created_at, updated_at) VALUES ('stmt', 1, now(), now())
  ON CONFLICT (stream_name) DO UPDATE SET next_offset = t.next_offset + 1, updated_at = excluded.updated_at
  RETURNING t.next_offset - 1 AS first),
e AS (INSERT INTO $schema.events (stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent)
  SELECT 'stmt', r.first, gen_random_uuid()::text, 'OrderPlaced', 'req-0042', '$json', now(), now(), NULL FROM r)
SELECT r.first, pg_notify('$schema', 'sstmt') FROM r;
EOF
done

cases=(raw-insert-pk-only raw-insert-pk-only+prepared raw-insert-events-table
       append-statement-diag_full append-statement-diag_full+prepared append-statement-diag_gin+prepared append-statement-diag_keys+prepared)
batch_cases=(raw-insert-pk-only-x100 raw-insert-events-table-x100 append-statement-x100-diag_full append-statement-x100-diag_gin append-statement-x100-diag_keys)
declare -A best
tps() {
  local mode=extended; [[ "$1" == *+prepared ]] && mode=prepared
  "${bench[@]}" -M "$mode" -t "$2" -f "$dir/${1%+prepared}.sql" 2>&1 | sed -n 's/^tps = \([0-9]*\).*/\1/p'
}
# Interleaved rounds, best of each: the machine is shared, and the best round is the least disturbed one.
for round in 1 2 3; do
  for c in "${cases[@]}"; do t=$(tps "$c" "$n"); [ "${best[$c]:-0}" -ge "$t" ] || best[$c]=$t; done
  for c in "${batch_cases[@]}"; do t=$(tps "$c" $(( n / 20 ))); [ "${best[$c]:-0}" -ge "$t" ] || best[$c]=$t; done
done
echo "pgbench -M extended (+prepared: -M prepared) -c 1, autocommit, best of 3 interleaved rounds ($n single appends, $(( n / 20 )) batches of 100 per round):"
for c in "${cases[@]}" "${batch_cases[@]}"; do
  per=1; [[ "$c" == *x100* ]] && per=100
  printf '  %-32s %7s tx/s  %9s events/s\n' "$c" "${best[$c]}" "$(( best[$c] * per ))"
done

echo
echo "EXPLAIN ANALYZE of the single-event append statement on the schema as shipped, after 500 warm-up calls:"
for i in $(seq 500); do cat "$dir/append-statement-diag_full.sql"; done | "${psql[@]}" >/dev/null
sed 's/^WITH/EXPLAIN (ANALYZE, COSTS OFF) WITH/' "$dir/append-statement-diag_full.sql" | "${psql[@]}" -P pager=off | cut -c1-150
