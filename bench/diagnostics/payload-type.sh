#!/usr/bin/env bash
# What does the type of the payload column cost? Runs pgbench (no .NET) on a throwaway cluster with the benchmark's
# settings against three copies of our events table (the shipped migrations, then the column altered), one per type:
#   jsonb  parsed into PostgreSQL's binary form on every insert and printed back to text on every read; rewrites the
#          text (key order, whitespace, duplicate keys, numbers), so it cannot return a payload byte for byte
#   json   the text as given, validated as JSON on every insert, returned as stored
#   text   the text as given, not validated (the application validates it)
# with no payload index (the default), for: the store's single-event append statement, its batch form (100 events in
# one array parameter), and a read of 1,000 events from a random page of a 20,000-event stream. The payload is always a
# bound parameter (pgbench -M prepared sends variables as parameters), so every call pays the type's input function.
# Usage: bash bench/diagnostics/payload-type.sh [single appends per case and round, default 10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10000}
bin=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort | tail -1)")")
dir=$(mktemp -d /tmp/svrnty-payload-XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; as=(runuser -u postgres --); fi
port=$(( 20000 + RANDOM % 20000 ))
trap '"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=1GB -c max_wal_size=4GB" start >/dev/null
psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres)
bench=("$bin/pgbench" -n -M prepared -h 127.0.0.1 -p "$port" -U postgres -c 1 postgres)

json='{"eventId":"0199a7c2-7d55-7b8e-9c1e-3f1a2b3c4d5e","correlationId":"req-0042","occurredAt":"2025-01-01T00:00:00+00:00","orderId":"order-000123456","customerId":"customer-003456","currency":"EUR","total":155.97,"lines":[{"sku":"sku-00042","quantity":1,"unitPrice":49.99},{"sku":"sku-00017","quantity":2,"unitPrice":24.99}]}'
element="\"$(printf '%s' "$json" | sed 's/\\/\\\\/g; s/"/\\"/g')\""
array=$(for i in $(seq 100); do printf '%s,' "$element"; done)
array="{${array%,}}"

types=(jsonb json text)
for type in "${types[@]}"; do
  schema="pt_$type"
  cat src/Svrnty.CQRS.Events.PostgreSQL/Migrations/0*.sql | sed "s/__schema__/$schema/g" | "${psql[@]}" -c "CREATE SCHEMA $schema" -f -
  "${psql[@]}" -c "DROP INDEX IF EXISTS $schema.ix_events_data" -c "ALTER TABLE $schema.events ALTER COLUMN data TYPE $type USING data::$type"
  cat > "$dir/single-$type.sql" <<EOF
WITH r AS (INSERT INTO $schema.streams AS t (stream_name, next_offset, created_at, updated_at) VALUES ('single', 1, now(), now())
  ON CONFLICT (stream_name) DO UPDATE SET next_offset = t.next_offset + 1, updated_at = excluded.updated_at
  RETURNING t.next_offset - 1 AS first),
e AS (INSERT INTO $schema.events (stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent)
  SELECT 'single', r.first, gen_random_uuid()::text, 'OrderPlaced', 'req-0042', :json::$type, now(), now(), NULL FROM r)
SELECT r.first FROM r;
EOF
  cat > "$dir/batch-$type.sql" <<EOF
WITH r AS (INSERT INTO $schema.streams AS t (stream_name, next_offset, created_at, updated_at) VALUES ('batch', 100, now(), now())
  ON CONFLICT (stream_name) DO UPDATE SET next_offset = t.next_offset + 100, updated_at = excluded.updated_at
  RETURNING t.next_offset - 100 AS first),
e AS (INSERT INTO $schema.events (stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent)
  SELECT 'batch', r.first + b.ord - 1, gen_random_uuid()::text, 'OrderPlaced', 'req-0042', b.data, now(), now(), NULL
  FROM r, unnest(:array::$type[]) WITH ORDINALITY AS b(data, ord))
SELECT r.first + 99 FROM r;
EOF
  cat > "$dir/read-$type.sql" <<EOF
\set from random(0, 19) * 1000
SELECT stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent FROM $schema.events
WHERE stream_name = 'read' AND stream_offset >= :from ORDER BY stream_offset LIMIT 1000;
EOF
  "${psql[@]}" -c "INSERT INTO $schema.events (stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at)
    SELECT 'read', g - 1, gen_random_uuid()::text, 'OrderPlaced', 'req-0042', '$json'::$type, now(), now() FROM generate_series(1, 20000) g" \
    -c "VACUUM ANALYZE $schema.events"
done

declare -A best
run() { # case file, transactions
  "${bench[@]}" -t "$2" -D json="$json" -D array="$array" -f "$dir/$1.sql" 2>&1 | sed -n 's/^tps = \([0-9]*\).*/\1/p'
}
# Interleaved rounds, best of each: the machine is shared, and the best round is the least disturbed one. Each round
# starts with another type, so that no type always runs right after the same one.
for round in 0 1 2 3 4; do
  for k in 0 1 2; do
    type=${types[$(( (round + k) % 3 ))]}
    for c in "single-$type:$n" "batch-$type:$(( n / 20 ))" "read-$type:$(( n / 40 ))"; do
      t=$(run "${c%%:*}" "${c##*:}"); [ "${best[${c%%:*}]:-0}" -ge "$t" ] || best[${c%%:*}]=$t
    done
  done
done
echo "pgbench -M prepared -c 1, autocommit, no payload index, best of 5 rotated rounds ($n single appends, $(( n / 20 )) batches of 100, $(( n / 40 )) pages of 1,000 per round):"
printf '  %-6s %20s %22s %22s\n' type "single (events/s)" "batch x100 (events/s)" "read (events/s)"
for type in "${types[@]}"; do
  printf '  %-6s %20s %22s %22s\n' "$type" "${best[single-$type]}" "$(( best[batch-$type] * 100 ))" "$(( best[read-$type] * 1000 ))"
done
