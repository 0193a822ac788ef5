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
/// transient errors as the operation's <see cref="Repeat"/> allows (<see cref="PostgresRetryOptions"/>: bounded,
/// jittered exponential backoff on the injected <see cref="TimeProvider"/>). When an error says the connection is gone
/// (the server restarted, the backend was terminated), the pool's idle connections are cleared: they died with the
/// server, and each would otherwise fail one more operation. Each retry is logged and added to the current span as an
/// event. The stores' statements are built once per schema and passed in; nothing else opens a pooled connection.
/// </summary>
internal sealed class PostgresExecutor(
    IOptions<PostgresEventStreamingOptions> options,
    PostgresDatabase database,
    SchemaVersionGuard guard,
    TimeProvider time,
    ILogger<PostgresExecutor> logger)
{
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
        for (var attempt = 1; ; attempt++)
        {
            NpgsqlException failure;
            NpgsqlConnection connection;
            try
            {
                connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (ShouldRetry(e, attempt, cancellationToken))
            {
                // Nothing was sent, so any operation may go again.
                ClearIfBroken(e);
                await BackoffAsync(operation, e, attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    return await action(connection, cancellationToken).ConfigureAwait(false);
                }
                catch (NpgsqlException e)
                {
                    failure = e;
                }
            }

            // The connection went back to the pool broken, so it was discarded; the idle ones likely died with it.
            ClearIfBroken(failure);
            if (repeat != Repeat.Safe || !ShouldRetry(failure, attempt, cancellationToken))
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            await BackoffAsync(operation, failure, attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    private void ClearIfBroken(NpgsqlException e)
    {
        if (TransientErrors.BreaksConnection(e))
        {
            database.DataSource.Clear();
        }
    }

    private bool ShouldRetry(NpgsqlException e, int attempt, CancellationToken cancellationToken) =>
        attempt < _options.MaxAttempts && !cancellationToken.IsCancellationRequested && TransientErrors.IsTransient(e);

    private async Task BackoffAsync(string operation, NpgsqlException e, int attempt, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(_options.MaxDelay.Ticks, _options.BaseDelay.Ticks * (1L << Math.Min(attempt - 1, 20)));
#pragma warning disable CA5394 // jitter, not security
        var delay = TimeSpan.FromTicks(ceiling / 2 + (long)(Random.Shared.NextDouble() * (ceiling / 2)));
#pragma warning restore CA5394
        var error = e is PostgresException pg ? pg.SqlState : e.InnerException?.GetType().Name ?? e.GetType().Name;
        Log.RetryingTransientError(logger, e, operation, error, attempt, _options.MaxAttempts, delay);
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
    }
}
