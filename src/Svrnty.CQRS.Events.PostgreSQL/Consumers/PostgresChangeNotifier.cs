using Microsoft.Extensions.Logging;
using Npgsql;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.PostgreSQL.Consumers;

/// <summary>
/// Wakes consumers from PostgreSQL notifications: the first waiter starts one <c>LISTEN</c> connection per container,
/// which reconnects with backoff when it breaks (waking every waiter, since changes may have been missed). A stream's
/// notification wakes every waiter of that stream; a queue's wakes one waiter of that queue (each app instance gets the
/// NOTIFY, so one idle worker per instance wakes). With notifications off, the returned tasks never complete and
/// consumers poll.
/// </summary>
internal sealed class PostgresChangeNotifier(PostgresDatabase database, TimeProvider time, ILogger<PostgresChangeNotifier> logger)
    : IStreamChangeNotifier, IAsyncDisposable
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);
    private readonly ChangeSignals _signals = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _sync = new();
    private Task? _listener;

    public Task StreamChanged(string streamName)
    {
        var next = _signals.Next(ChangeSignals.StreamKey(streamName));
        EnsureListening();
        return next;
    }

    public Task QueueChanged(string queueName, CancellationToken withdraw)
    {
        var next = _signals.NextOne(ChangeSignals.QueueKey(queueName), withdraw);
        EnsureListening();
        return next;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_listener is { } listener)
        {
            await listener.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private void EnsureListening()
    {
        if (database.NotificationChannel is { } channel && _listener is null)
        {
            lock (_sync)
            {
                _listener ??= Task.Run(() => ListenAsync(channel, _stopping.Token));
            }
        }
    }

    /// <summary>An append (<c>s</c> + stream) also wakes the waiters of the logs that include the stream.</summary>
    private void Dispatch(string payload)
    {
        if (payload.StartsWith('s'))
        {
            _signals.NotifyAppended(payload[1..]);
        }
        else
        {
            _signals.Notify(payload);
        }
    }

    private async Task ListenAsync(string channel, CancellationToken stopping)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var connection = await database.SessionDataSource.OpenConnectionAsync(stopping).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, e) => Dispatch(e.Payload);
                    var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection);
                    await using (listen.ConfigureAwait(false))
                    {
                        await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                    }

                    Log.Listening(logger, channel);
                    _signals.NotifyAll(); // whatever happened before LISTEN took effect is read by the woken waiters
                    delay = TimeSpan.FromSeconds(1);
                    while (true)
                    {
                        if (!await connection.WaitAsync(Heartbeat, stopping).ConfigureAwait(false))
                        {
                            var ping = new NpgsqlCommand("SELECT 1", connection);
                            await using (ping.ConfigureAwait(false))
                            {
                                await ping.ExecuteScalarAsync(stopping).ConfigureAwait(false);
                            }
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.ListenerFailed(logger, e, channel, delay);
                _signals.NotifyAll();
                try
                {
                    await Task.Delay(delay, time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = delay * 2 < MaxReconnectDelay ? delay * 2 : MaxReconnectDelay;
            }
        }
    }
}
