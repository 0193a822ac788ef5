using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.PostgreSQL.Execution;

/// <summary>
/// The one way every store reaches PostgreSQL. Before the first operation it checks that the schema is at the version
/// this library needs (<see cref="SchemaVersionGuard"/>); it opens a pooled connection, runs the operation, and retries
/// transient errors as the operation's <see cref="Repeat"/> allows, for as long as the retry budget lasts
/// (<see cref="PostgresRetryOptions.MaxDuration"/>: jittered exponential backoff on the injected <see cref="TimeProvider"/>,
/// long enough by default to span a server restart or a standby's promotion). When an error says the connection is gone
/// (the server restarted, the backend was terminated) or that no primary was found, the pool's idle connections and
/// the multi-host data source's knowledge of which host is the primary are cleared: they died with the server, and
/// each would otherwise fail one more operation. A commit whose wait for synchronous replication was cancelled
/// (<see cref="SyncReplicationWatch"/>) is never reported as a success nor retried: it throws
/// <see cref="EventStoreDurabilityUnconfirmedException"/>. Each retry is logged and added to the current span as an
/// event. The stores' statements are built once per schema and passed in; nothing else opens a pooled connection.
/// </summary>
internal sealed class PostgresExecutor(
    IOptions<PostgresEventStreamingOptions> options,
    PostgresDatabase database,
    SchemaVersionGuard guard,
    TimeProvider time,
    ILogger<PostgresExecutor> logger)
{
    /// <summary>A bound on attempts besides the time budget, which never binds with real delays (about a dozen fit in the
    /// default 15 s) but ends the loop when the clock does not move (a fake <see cref="TimeProvider"/> in a test).</summary>
    internal const int AttemptLimit = 100;

    private readonly PostgresRetryOptions _options = options.Value.Retry;

    /// <summary>The database: schema name and data sources.</summary>
    public PostgresDatabase Database => database;

    /// <summary>The schema-version check alone, for work on a connection the application owns (its own transaction).</summary>
    public ValueTask EnsureSchemaAsync(CancellationToken cancellationToken) => guard.EnsureCurrentAsync(cancellationToken);

    /// <summary>Runs one statement, <paramref name="sql"/>, on a pooled connection: <paramref name="execute"/> adds the
    /// parameters and executes it.</summary>
    public Task<T> RunAsync<T>(string operation, Repeat repeat, string sql, Func<NpgsqlCommand, CancellationToken, Task<T>> execute,
        CancellationToken cancellationToken) =>
        ExecuteAsync(operation, repeat, async (connection, ct) =>
        {
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                return await execute(command, ct).ConfigureAwait(false);
            }
        }, cancellationToken);

    /// <summary>Runs <paramref name="action"/> on a pooled connection (for an operation that may need a second statement
    /// on the same connection, or uses Dapper), retried as <paramref name="repeat"/> allows. The last error is thrown
    /// unchanged, but for a missing privilege (<see cref="PermissionErrors"/>).</summary>
    public Task<T> ExecuteAsync<T>(string operation, Repeat repeat, Func<NpgsqlConnection, CancellationToken, Task<T>> action,
        CancellationToken cancellationToken) =>
        PermissionErrors.TranslateAsync(ExecuteCoreAsync(operation, repeat, action, cancellationToken), database, operation);

    private async Task<T> ExecuteCoreAsync<T>(string operation, Repeat repeat, Func<NpgsqlConnection, CancellationToken, Task<T>> action,
        CancellationToken cancellationToken)
    {
        await guard.EnsureCurrentAsync(cancellationToken).ConfigureAwait(false);
        var started = time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            NpgsqlException failure;
            NpgsqlConnection connection;
            try
            {
                connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (TransientErrors.IsTransientAtOpen(e))
            {
                // Nothing was sent, so any operation may go again.
                ClearIfBroken(e);
                if (!await BackoffAsync(operation, e, attempt, started, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                continue;
            }

            await using (connection.ConfigureAwait(false))
            {
                var watch = new SyncReplicationWatch();
                connection.Notice += watch.OnNotice;
                try
                {
                    var result = await action(connection, cancellationToken).ConfigureAwait(false);
                    if (watch.Notice is not null)
                    {
                        throw Unconfirmed(watch, operation, null);
                    }

                    return result;
                }
                catch (Exception e) when (watch.Notice is not null && e is not EventStoreDurabilityUnconfirmedException)
                {
                    // The session ended (or the call was cancelled) after the commit gave up waiting for the standby: the
                    // write is there, unconfirmed. Never retried, so that a repeat finding it cannot report a success.
                    throw Unconfirmed(watch, operation, e);
                }
                catch (NpgsqlException e)
                {
                    failure = e;
                }
                finally
                {
                    connection.Notice -= watch.OnNotice;
                }
            }

            // The connection went back to the pool broken, so it was discarded; the idle ones likely died with it.
            ClearIfBroken(failure);
            if (repeat != Repeat.Safe || !TransientErrors.IsTransient(failure)
                || !await BackoffAsync(operation, failure, attempt, started, cancellationToken).ConfigureAwait(false))
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }
    }

    private EventStoreDurabilityUnconfirmedException Unconfirmed(SyncReplicationWatch watch, string operation, Exception? cause)
    {
        var error = watch.Unconfirmed(operation, cause);
        Log.DurabilityUnconfirmed(logger, error, operation);
        Activity.Current?.AddEvent(new ActivityEvent("durability_unconfirmed", tags: new ActivityTagsCollection { ["db.operation.name"] = operation }));
        return error;
    }

    private void ClearIfBroken(NpgsqlException e)
    {
        if (TransientErrors.BreaksConnection(e))
        {
            database.DataSource.Clear();
        }

        // A multi-host data source remembers which host was the primary (Host Recheck Seconds, 10 s by default); after a
        // failover that memory points at the dead server or calls the promoted one a standby.
        if ((TransientErrors.BreaksConnection(e) || TransientErrors.IsNoSuitableHost(e)) && database.DataSource is NpgsqlMultiHostDataSource hosts)
        {
            hosts.ClearDatabaseStates();
        }
    }

    /// <summary>Waits before the next attempt, when the retry budget allows one; false when it is spent (or the caller
    /// cancelled), and the error goes to the caller.</summary>
    private async Task<bool> BackoffAsync(string operation, NpgsqlException e, int attempt, long started, CancellationToken cancellationToken)
    {
        var elapsed = time.GetElapsedTime(started);
        var error = e is PostgresException pg ? pg.SqlState : e.InnerException?.GetType().Name ?? e.GetType().Name;
        if (cancellationToken.IsCancellationRequested || elapsed >= _options.MaxDuration || attempt >= AttemptLimit)
        {
            if (_options.MaxDuration > TimeSpan.Zero && !cancellationToken.IsCancellationRequested)
            {
                Log.RetryBudgetExhausted(logger, e, operation, error, attempt, elapsed, _options.MaxDuration);
            }

            return false;
        }

        var ceiling = Math.Min(_options.MaxDelay.Ticks, _options.BaseDelay.Ticks * (1L << Math.Min(attempt - 1, 20)));
#pragma warning disable CA5394 // jitter, not security
        var delay = TimeSpan.FromTicks(ceiling / 2 + (long)(Random.Shared.NextDouble() * (ceiling / 2)));
#pragma warning restore CA5394
        if (delay > _options.MaxDuration - elapsed)
        {
            delay = _options.MaxDuration - elapsed;
        }

        Log.RetryingTransientError(logger, e, operation, error, attempt, elapsed, _options.MaxDuration, delay);
        Activity.Current?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection
        {
            ["db.operation.name"] = operation,
            ["error.type"] = error,
            ["retry.attempt"] = attempt,
        }));
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
