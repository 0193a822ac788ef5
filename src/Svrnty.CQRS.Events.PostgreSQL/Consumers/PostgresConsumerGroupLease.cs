using Microsoft.Extensions.Logging;
using Npgsql;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.PostgreSQL.Consumers;

/// <summary>
/// A held consumer-group lock: the session that holds it, watched so that its loss is known at once. Between pings the
/// lease waits on the session's socket (<see cref="NpgsqlConnection.WaitAsync(TimeSpan, CancellationToken)"/>), so a
/// session the server ends (<c>pg_terminate_backend</c>, a restart, an idle-session timeout) is noticed as soon as its
/// last message or the socket's end arrives, not at the next ping. Every <see cref="Heartbeat"/> it pings; a ping that
/// fails or takes longer than <see cref="HeartbeatTimeout"/> (a silent network loss) reports the lock lost too, within
/// about 12 s, before the server, which probes the idle session (<see cref="PostgresDatabase.CreateSessionDataSource"/>),
/// ends it and frees the lock after about 28 s.
/// </summary>
internal sealed class PostgresConsumerGroupLease : IConsumerGroupLease
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(10);

    private readonly NpgsqlConnection _connection;
    private readonly long _key;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _released = new();
    private readonly Task _watch;

    public PostgresConsumerGroupLease(NpgsqlConnection connection, long key, long epoch, string streamName, string consumerGroup, ILogger logger)
    {
        _connection = connection;
        _key = key;
        Epoch = epoch;
        _watch = WatchAsync(streamName, consumerGroup, logger);
    }

    public long Epoch { get; }

    public CancellationToken Lost => _lost.Token;

    public async ValueTask DisposeAsync()
    {
        await _released.CancelAsync().ConfigureAwait(false);
        await _watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!_lost.IsCancellationRequested)
        {
            try
            {
                var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", _connection);
                await using (unlock.ConfigureAwait(false))
                {
                    unlock.With(_key);
                    await unlock.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The connection is gone (or was left unusable by the cancelled wait), and closing it frees the lock.
            }
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        _lost.Dispose();
        _released.Dispose();
    }

    private async Task WatchAsync(string streamName, string consumerGroup, ILogger logger)
    {
        try
        {
            while (true)
            {
                if (await _connection.WaitAsync(Heartbeat, _released.Token).ConfigureAwait(false))
                {
                    continue; // a notification (none is expected on this session); the wait goes on
                }

                var ping = new NpgsqlCommand("SELECT 1", _connection) { CommandTimeout = (int)HeartbeatTimeout.TotalSeconds };
                await using (ping.ConfigureAwait(false))
                {
                    await ping.ExecuteScalarAsync(_released.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_released.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.GroupLockLost(logger, e, streamName, consumerGroup);
            await _lost.CancelAsync().ConfigureAwait(false);
        }
    }
}
