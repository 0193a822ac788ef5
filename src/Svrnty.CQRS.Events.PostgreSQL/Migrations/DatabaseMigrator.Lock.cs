using System.Globalization;
using Dapper;
using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL.Migrations;

/// <summary>
/// The migration lock: a session-level advisory lock per schema, taken with <c>pg_try_advisory_lock</c> in a loop until
/// <see cref="PostgresEventStreamingOptions.MigrationLockTimeout"/>, so that no migrator's session sits in a server-side
/// lock wait that outlives its client, and a start that cannot get it fails with a <see cref="MigrationException"/>
/// naming the session that holds it. The migrator's session is also bounded while it holds the lock: its
/// <c>lock_timeout</c> ends a script's wait for a table lock (and is lifted before the payload index work, whose waits
/// for running transactions are lock waits), <c>idle_in_transaction_session_timeout</c> ends a
/// transaction whose client stopped sending, <c>client_connection_check_interval</c> (PostgreSQL 14 and later) ends a
/// running statement whose client is gone, and TCP keepalives on both ends (the session data source) end a session
/// whose peer vanished. When the session ends, the lock goes with it.
/// </summary>
public sealed partial class DatabaseMigrator
{
    /// <summary>How often the server checks, during a long statement of the migrator, that its client is still there.</summary>
    internal static readonly TimeSpan ClientCheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long the migrator's session may sit idle inside a transaction before the server ends it.</summary>
    internal static readonly TimeSpan IdleInTransactionTimeout = TimeSpan.FromMinutes(1);

    // Values as milliseconds; client_connection_check_interval only where the server knows it (PostgreSQL 14+).
    private const string SessionLimitsSql = """
        SELECT set_config(s.name, s.value, false)
        FROM (VALUES ('lock_timeout', @lockTimeout), ('idle_in_transaction_session_timeout', @idleTimeout),
                     ('client_connection_check_interval', @checkInterval)) AS s(name, value)
        WHERE EXISTS (SELECT 1 FROM pg_settings p WHERE p.name = s.name)
        """;

    private const string HoldersSql = """
        SELECT a.pid AS Pid, a.application_name AS ApplicationName, a.usename AS UserName, host(a.client_addr) AS ClientAddress,
               a.state AS State, a.backend_start AS BackendStart
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::int8 = @LockClass AND l.objid::int8 = (hashtext(@schema)::int8 & 4294967295)
        """;

    /// <summary>Bounds the migrator's session (see the type's remarks) and takes the migration lock of the schema, or
    /// throws a <see cref="MigrationException"/> naming its holder once <see cref="PostgresEventStreamingOptions.MigrationLockTimeout"/>
    /// has passed.</summary>
    private async Task AcquireMigrationLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var schema = _database.SchemaName;
        await connection.ExecuteAsync(new CommandDefinition(SessionLimitsSql, new
        {
            lockTimeout = Milliseconds(_lockTimeout),
            idleTimeout = Milliseconds(IdleInTransactionTimeout),
            checkInterval = Milliseconds(ClientCheckInterval),
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);

        var started = _time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(50);
        var logged = false;
        while (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@LockClass, hashtext(@schema))",
                   new { LockClass, schema }, cancellationToken: cancellationToken)).ConfigureAwait(false))
        {
            var left = _lockTimeout - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw await LockTimeoutAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            if (!logged)
            {
                Log.WaitingForMigrationLock(_logger, schema);
                logged = true;
            }

            await Task.Delay(delay < left ? delay : left, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    private async Task<MigrationException> LockTimeoutAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var schema = _database.SchemaName;
        var holders = (await connection.QueryAsync<LockHolder>(new CommandDefinition(HoldersSql, new { LockClass, schema },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var who = holders.Count == 0
            ? "a session that released it just now (try again)"
            : string.Join("; ", holders.Select(h =>
                $"session pid {h.Pid} (application_name '{h.ApplicationName}', user '{h.UserName}'" +
                (h.ClientAddress is null ? "" : $", client {h.ClientAddress}") +
                (h.State is null ? "" : $", state '{h.State}'") +
                (h.BackendStart is { } since ? $", connected since {since.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}" : "") + ")"));
        Log.MigrationLockTimedOut(_logger, schema, _lockTimeout, holders.FirstOrDefault()?.Pid, holders.FirstOrDefault()?.ApplicationName);
        return new MigrationException(
            $"Timed out after {_lockTimeout.TotalSeconds:0.#} s (MigrationLockTimeout) waiting for the migration lock of schema \"{schema}\", held by {who}. " +
            "Another instance may still be migrating: let it finish and start again. If that session is stuck, end it with " +
            (holders.Count == 0 ? "pg_terminate_backend(pid)" : $"SELECT pg_terminate_backend({holders[0].Pid})") +
            "; its migration rolls back and the lock is released. Nothing was changed by this start.")
        {
            HolderProcessId = holders.FirstOrDefault()?.Pid,
            HolderApplicationName = holders.FirstOrDefault()?.ApplicationName,
        };
    }

    private static string Milliseconds(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private sealed record LockHolder(int Pid, string? ApplicationName, string? UserName, string? ClientAddress, string? State, DateTime? BackendStart);
}
