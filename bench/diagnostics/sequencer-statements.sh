#!/usr/bin/env bash
# Runs benchmark workloads against a server with pg_stat_statements loaded and prints what the log sequencer's
# statements cost per call (calls, mean ms, shared buffers per call), per schema: the server-side A/B behind
# docs/benchmarks.md ("log_pending is scanned whole"). Run it in each tree being compared.
#   bench/diagnostics/sequencer-statements.sh "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres" [workloads]
# The server needs shared_preload_libraries=pg_stat_statements; psql reads PGHOST/PGPORT/PGUSER/PGDATABASE.
set -euo pipefail
cs=${1:?an Npgsql connection string to a server with pg_stat_statements}
workloads=${2:-log-follow,append-single}
cd "$(dirname "$0")/../.."
psql -qAt -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
uptime
dotnet run -c Release --project bench/Svrnty.CQRS.Events.Benchmarks -- --workloads "$workloads" --connection "$cs"
psql -At -F ' | ' -c "
  SELECT calls, round(mean_exec_time::numeric, 3), round((shared_blks_hit + shared_blks_read)::numeric / calls, 1),
         left(regexp_replace(query, '\s+', ' ', 'g'), 90)
  FROM pg_stat_statements WHERE query LIKE '%log_pending%' ORDER BY query"
