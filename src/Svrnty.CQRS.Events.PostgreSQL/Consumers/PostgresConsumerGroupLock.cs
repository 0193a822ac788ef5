using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.PostgreSQL.Consumers;

/// <summary>
/// A session advisory lock per (schema, stream, group), held on a dedicated connection by the active instance. When
/// that instance dies its connection ends and PostgreSQL releases the lock, so a standby takes over at its next try.
/// The holder pings its connection every <see cref="Heartbeat"/> and reports the lock lost when a ping fails or takes
/// longer than <see cref="HeartbeatTimeout"/>. After a silent network loss the holder therefore gives up within about
/// 15 s, before the server, which probes the idle session (<see cref="PostgresDatabase.CreateSessionDataSource"/>), ends
/// it and frees the lock after about 28 s.
/// </summary>
internal sealed class PostgresConsumerGroupLock(PostgresDatabase database, TimeProvider time, ILogger<PostgresConsumerGroupLock> logger)
    : IConsumerGroupLock
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(10);

    public async Task<IConsumerGroupLease?> TryAcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken)
    {
        var key = Key(database.SchemaName, streamName, consumerGroup);
        var connection = await database.SessionDataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            await using (command.ConfigureAwait(false))
            {
                command.With(key);
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                {
                    return new Lease(connection, key, streamName, consumerGroup, time, logger);
                }
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    /// <summary>A 64-bit key from SHA-256, so distinct groups do not collide in practice.</summary>
    internal static long Key(string schema, string streamName, string consumerGroup) =>
        BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{schema}\0{streamName}\0{consumerGroup}")));

    private sealed class Lease : IConsumerGroupLease
    {
        private readonly NpgsqlConnection _connection;
        private readonly long _key;
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _released = new();
        private readonly Task _heartbeat;

        public Lease(NpgsqlConnection connection, long key, string streamName, string consumerGroup, TimeProvider time, ILogger logger)
        {
            _connection = connection;
            _key = key;
            _heartbeat = HeartbeatAsync(streamName, consumerGroup, time, logger);
        }

        public CancellationToken Lost => _lost.Token;

        public async ValueTask DisposeAsync()
        {
            await _released.CancelAsync().ConfigureAwait(false);
            await _heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
                catch (NpgsqlException)
                {
                    // The connection is gone, and the lock with it.
                }
            }

            await _connection.DisposeAsync().ConfigureAwait(false);
            _lost.Dispose();
            _released.Dispose();
        }

        private async Task HeartbeatAsync(string streamName, string consumerGroup, TimeProvider time, ILogger logger)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(Heartbeat, time, _released.Token).ConfigureAwait(false);
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
}
