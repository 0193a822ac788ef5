using System.Diagnostics;
using Dapper;
using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL.Migrations;

/// <summary>
/// The optional payload index (<see cref="PostgresEventStreamingOptions.EnablePayloadIndex"/>): a GIN index on
/// <c>data::jsonb</c> for containment queries on payloads. It is not in the migrations, which run in transactions and
/// would lock the events table while the index builds: after them, the migrator builds or drops it
/// <c>CONCURRENTLY</c>, which leaves appends and reads running, under an advisory lock of its own that it only tries to
/// take (another instance holding it is already doing the work).
/// </summary>
public sealed partial class DatabaseMigrator
{
    /// <summary>The name of the payload index on the <c>events</c> table.</summary>
    internal const string PayloadIndexName = "ix_events_data";

    private const string PayloadIndexStateSql = """
        SELECT i.indisvalid FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = @schema AND c.relname = @name
        """;

    internal static string PayloadIndexCreateSql(string schema) =>
        $"CREATE INDEX CONCURRENTLY IF NOT EXISTS {PayloadIndexName} ON {schema}.events USING gin ((data::jsonb) jsonb_path_ops)";

    internal static string PayloadIndexDropSql(string schema) => $"DROP INDEX CONCURRENTLY IF EXISTS {schema}.{PayloadIndexName}";

    /// <summary>Creates the payload index when the option is on and it is missing (or left invalid by a build that
    /// failed), drops it when the option is off and it exists. Costs one catalog query when there is nothing to do.</summary>
    private async Task ApplyPayloadIndexAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (IsAsWanted(await PayloadIndexStateAsync(connection, cancellationToken).ConfigureAwait(false)))
        {
            return;
        }

        var schema = _database.SchemaName;
        var key = schema + "/payload-index";
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@LockClass, hashtext(@key))",
                new { LockClass, key }, cancellationToken: cancellationToken)).ConfigureAwait(false))
        {
            Log.PayloadIndexBusy(_logger, schema);
            return;
        }

        try
        {
            var valid = await PayloadIndexStateAsync(connection, cancellationToken).ConfigureAwait(false);
            if (IsAsWanted(valid))
            {
                return;
            }

            // The session's lock_timeout (MigrationLockTimeout, set for the migrations) would end the build's waits for
            // transactions already running, which are lock waits: the build waits as long as they run.
            await connection.ExecuteAsync(new CommandDefinition("SELECT set_config('lock_timeout', '0', false)",
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            if (valid is not null)
            {
                // Unwanted, or invalid: a build that failed (or was cancelled) leaves an index that costs every write and
                // serves no read.
                await RunAsync(PayloadIndexDropSql(_database.Schema)).ConfigureAwait(false);
                Log.DroppedPayloadIndex(_logger, schema, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            if (_payloadIndex)
            {
                Log.CreatingPayloadIndex(_logger, schema);
                await RunAsync(PayloadIndexCreateSql(_database.Schema)).ConfigureAwait(false);
                Log.CreatedPayloadIndex(_logger, schema, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        catch (PostgresException e)
        {
            throw new MigrationException(
                $"Could not {(_payloadIndex ? "create" : "drop")} the payload index {PayloadIndexName} of schema \"{schema}\" (EnablePayloadIndex = {_payloadIndex}): " +
                $"PostgreSQL error {e.SqlState}: {e.MessageText}. Appends and reads were not blocked; the next start tries again.",
                e);
        }
        finally
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@LockClass, hashtext(@key))",
                    new { LockClass, key }, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            }
            catch (NpgsqlException) when (connection.State != System.Data.ConnectionState.Open)
            {
                // The connection broke, and the session's lock went with it.
            }
        }

        async Task RunAsync(string sql)
        {
            // No timeout: on a large table the build takes as long as it takes, without blocking writes.
            var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>True when the index is valid, false when it exists but is invalid, null when it does not exist.</summary>
    private Task<bool?> PayloadIndexStateAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool?>(new CommandDefinition(PayloadIndexStateSql,
            new { schema = _database.SchemaName, name = PayloadIndexName }, cancellationToken: cancellationToken));

    private bool IsAsWanted(bool? valid) => _payloadIndex ? valid == true : valid is null;
}
