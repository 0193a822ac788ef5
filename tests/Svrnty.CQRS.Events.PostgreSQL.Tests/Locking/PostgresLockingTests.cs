using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Consumers;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Locking;

/// <summary>What only the PostgreSQL backend has to show about locks: who waits for whom, and which session holds what.</summary>
public sealed class PostgresLockingTests
{
    [Fact]
    public async Task An_appender_holding_one_stream_does_not_block_appends_to_another()
    {
        await using var services = await TestServices.StartAsync();
        var store = services.GetRequiredService<IEventStreamStore>();
        var database = services.GetRequiredService<PostgresDatabase>();
        await store.AppendAsync("held", new TestEvent("a", 0));

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM {database.Schema}.streams WHERE stream_name = 'held' FOR UPDATE", connection, transaction))
        {
            await lockRow.ExecuteScalarAsync();
        }

        var blocked = store.AppendAsync("held", new TestEvent("b", 1));
        await ServerActivity.UntilWaitingOnALockHeldByAsync(database.DataSource, connection, "the append to the held stream waits on its lock");

        using var deadline = new CancellationTokenSource(Deadline.Default);
        Assert.Equal(0, await store.AppendAsync("free", new TestEvent("c", 2), deadline.Token));
        Assert.False(blocked.IsCompleted);

        await transaction.RollbackAsync();
        Assert.Equal(1, await blocked.WaitAsync(deadline.Token));
    }

    [Fact]
    public async Task A_consumer_group_lock_lives_on_its_own_session_which_ends_when_the_lock_is_released()
    {
        // The statement pool skips Npgsql's reset (which would release advisory locks and LISTENs), so a connection
        // holding session state must never go back to it: the lock's session ends with the lease.
        await using var services = await TestServices.StartAsync();
        var database = services.GetRequiredService<PostgresDatabase>();
        var key = PostgresConsumerGroupLock.Key(database.SchemaName, "s", "g");
        var lease = await services.GetRequiredService<IConsumerGroupLock>().TryAcquireAsync("s", "g", CancellationToken.None);
        Assert.NotNull(lease);
        await using var observer = await database.DataSource.OpenConnectionAsync();
        await using var holder = new NpgsqlCommand(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1", observer);
        holder.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
        var pid = (int)(await holder.ExecuteScalarAsync())!;

        await lease.DisposeAsync();

        await using var alive = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", observer);
        alive.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
        await Deadline.UntilAsync(async () => (long)(await alive.ExecuteScalarAsync())!, sessions => sessions == 0,
            $"the session {pid} that held the lock ends");
    }

    [Fact]
    public async Task A_takeover_waits_for_a_fenced_commit_in_flight_and_a_commit_after_it_is_rejected()
    {
        // The fence reads the group's epoch row FOR SHARE in the commit's own transaction: the new holder's epoch bump
        // (an update of that row) waits for it, so a commit is either before the takeover or rejected, never between.
        await using var services = await TestServices.StartAsync();
        var database = services.GetRequiredService<PostgresDatabase>();
        var locks = services.GetRequiredService<IConsumerGroupLock>();
        var writer = services.GetRequiredService<IPostgresEventBatchWriter>();
        var offsets = services.GetRequiredService<IConsumerOffsetStore>();
        var stale = await locks.AcquireAsync("s", "g", CancellationToken.None);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await writer.WriteAsync(new EventBatch().Append("effects", new TestEvent("effect", 1)).CommitOffset("s", "g", 7, stale.Epoch), transaction);
        Assert.True(await locks.RevokeAsync("s", "g", CancellationToken.None));
        var takeover = locks.AcquireAsync("s", "g", CancellationToken.None);
        await ServerActivity.UntilWaitingOnALockHeldByAsync(database.DataSource, connection, "the new holder's epoch bump waits on the commit in flight");

        await transaction.CommitAsync();
        await using var current = await takeover.WaitAsync(Deadline.Default);
        Assert.Equal(stale.Epoch + 1, current.Epoch);
        Assert.Equal(7, await offsets.GetOffsetAsync("s", "g"));
        await Assert.ThrowsAsync<ConsumerGroupFencedException>(() =>
            services.GetRequiredService<IEventBatchWriter>().WriteAsync(new EventBatch().CommitOffset("s", "g", 8, stale.Epoch)));
        await stale.DisposeAsync();
    }
}
