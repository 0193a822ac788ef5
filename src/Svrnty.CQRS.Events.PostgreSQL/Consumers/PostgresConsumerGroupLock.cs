using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.PostgreSQL.Execution;

namespace Svrnty.CQRS.Events.PostgreSQL.Consumers;

/// <summary>
/// A session advisory lock per (schema, stream, group), held on a dedicated connection by the active instance, and the
/// group's epoch (<c>consumer_group_epochs</c>), bumped on that connection as soon as the lock is taken. A standby waits
/// in <c>pg_advisory_lock</c> on a connection of its own, so it takes over the moment the holder's session ends (the
/// server grants the lock to the waiter when it frees it). One connection per held or awaited lock, no more. The holder
/// watches its session (<see cref="PostgresConsumerGroupLease"/>).
/// </summary>
internal sealed class PostgresConsumerGroupLock(PostgresExecutor executor, TimeProvider time, ILogger<PostgresConsumerGroupLock> logger)
    : IConsumerGroupLock
{
    private readonly PostgresDatabase _database = executor.Database;

    /// <summary>$1 stream, $2 group, $3 now: the next epoch. The row update waits for fenced commits in flight.</summary>
    private string BumpSql => field ??= $"""
        INSERT INTO {_database.Schema}.consumer_group_epochs AS g (stream_name, consumer_group, epoch, acquired_at) VALUES ($1, $2, 1, $3)
        ON CONFLICT (stream_name, consumer_group) DO UPDATE SET epoch = g.epoch + 1, acquired_at = excluded.acquired_at
        RETURNING epoch
        """;

    public Task<IConsumerGroupLease?> TryAcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken) =>
        AcquireAsync(streamName, consumerGroup, wait: false, cancellationToken);

    public async Task<IConsumerGroupLease> AcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken) =>
        (await AcquireAsync(streamName, consumerGroup, wait: true, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Ends the session that holds the group's lock (the same role may; else <c>pg_signal_backend</c> is needed).</summary>
    public Task<bool> RevokeAsync(string streamName, string consumerGroup, CancellationToken cancellationToken)
    {
        var key = Key(_database.SchemaName, streamName, consumerGroup);
        return executor.RunAsync("revoke_group_lock", Repeat.Safe, """
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, async (command, ct) =>
            {
                command.With(key);
                return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))! > 0;
            }, cancellationToken);
    }

    /// <summary>A 64-bit key from SHA-256, so distinct groups do not collide in practice.</summary>
    internal static long Key(string schema, string streamName, string consumerGroup) =>
        BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{schema}\0{streamName}\0{consumerGroup}")));

    private async Task<IConsumerGroupLease?> AcquireAsync(string streamName, string consumerGroup, bool wait, CancellationToken cancellationToken)
    {
        await executor.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var key = Key(_database.SchemaName, streamName, consumerGroup);
        var connection = await _database.SessionDataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Waiting has no command timeout: a standby waits as long as the holder lives. Cancelling the token sends the
            // server a cancel request, so the wait ends at once.
            var take = new NpgsqlCommand(wait ? "SELECT pg_advisory_lock($1), true" : "SELECT true, pg_try_advisory_lock($1)", connection)
            {
                CommandTimeout = wait ? 0 : connection.CommandTimeout,
            };
            await using (take.ConfigureAwait(false))
            {
                take.With(key);
                var reader = await take.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    if (!reader.GetBoolean(1))
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                        return null;
                    }
                }
            }

            cancellationToken.ThrowIfCancellationRequested(); // granted as the wait was cancelled: closing releases it
            var bump = new NpgsqlCommand(BumpSql, connection);
            await using (bump.ConfigureAwait(false))
            {
                bump.With(streamName).With(consumerGroup).With(time.GetUtcNow());
                var epoch = (long)(await bump.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                return new PostgresConsumerGroupLease(connection, key, epoch, streamName, consumerGroup, logger);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
