using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.PostgreSQL.Resilience;

/// <summary>Whether an operation may be sent to the server again after a transient error.</summary>
internal enum Repeat
{
    /// <summary>Repeating it changes nothing more than doing it once (idempotent appends, reads, acks, offset commits).</summary>
    Safe,

    /// <summary>Repeating it could duplicate or hide an effect (enqueue, dequeue): retried only when the connection could
    /// not be opened, so that nothing was sent.</summary>
    OnlyIfNotSent,
}

/// <summary>
/// The backend's retry of transient PostgreSQL errors (<see cref="PostgresRetryOptions"/>): a small loop with bounded,
/// jittered exponential backoff on the injected <see cref="TimeProvider"/>. When the error says the connection is gone
/// (the server restarted, the backend was terminated), the data source's idle connections are cleared first: they
/// died with the server, and each would otherwise fail one more operation.
/// </summary>
internal sealed class PostgresRetry(
    IOptions<PostgresEventStreamingOptions> options,
    PostgresDatabase database,
    SchemaVersionGuard guard,
    TimeProvider time,
    ILogger<PostgresRetry> logger)
{
    private readonly PostgresRetryOptions _options = options.Value.Retry;

    /// <summary>Opens a connection (after the schema check), runs <paramref name="action"/> on it, and retries as
    /// <paramref name="repeat"/> allows. The last error is thrown unchanged.</summary>
    public async Task<T> ExecuteAsync<T>(string operation, Repeat repeat, Func<NpgsqlConnection, CancellationToken, Task<T>> action,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            NpgsqlException failure;
            NpgsqlConnection connection;
            try
            {
                connection = await guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (ShouldRetry(e, attempt, cancellationToken))
            {
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

            if (BreaksConnection(failure))
            {
                // The connection went back to the pool broken, so it was discarded; the idle ones likely died with it.
                database.DataSource.Clear();
            }

            if (repeat != Repeat.Safe || !ShouldRetry(failure, attempt, cancellationToken))
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            await BackoffAsync(operation, failure, attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Transient, and worth another attempt: not a timeout, which already used the operation's whole budget
    /// (an exhausted pool, a command timeout), and a server that went away (57P01/57P02) counts, which Npgsql leaves out.</summary>
    internal static bool IsTransient(NpgsqlException e) => e switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown,
        _ => e.IsTransient && e.InnerException is not TimeoutException,
    };

    /// <summary>The error ends the connection (or never had one): the server is gone or unreachable.</summary>
    private static bool BreaksConnection(NpgsqlException e) => e switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        _ => e.InnerException is IOException or SocketException || e.InnerException?.InnerException is SocketException,
    };

    private bool ShouldRetry(NpgsqlException e, int attempt, CancellationToken cancellationToken) =>
        attempt < _options.MaxAttempts && !cancellationToken.IsCancellationRequested && IsTransient(e);

    private async Task BackoffAsync(string operation, NpgsqlException e, int attempt, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(_options.MaxDelay.Ticks, _options.BaseDelay.Ticks * (1L << Math.Min(attempt - 1, 20)));
#pragma warning disable CA5394 // jitter, not security
        var delay = TimeSpan.FromTicks(ceiling / 2 + (long)(Random.Shared.NextDouble() * (ceiling / 2)));
#pragma warning restore CA5394
        Log.RetryingTransientError(logger, e, operation, e is PostgresException pg ? pg.SqlState : e.InnerException?.GetType().Name ?? e.GetType().Name,
            attempt, _options.MaxAttempts, delay);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
