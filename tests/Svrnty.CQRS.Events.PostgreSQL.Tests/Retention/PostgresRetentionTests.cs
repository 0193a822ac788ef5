using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;
using Svrnty.CQRS.Events.Retention;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Retention;

/// <summary>What only the PostgreSQL backend has to show about retention: a trim batch never blocks appenders.</summary>
public sealed class PostgresRetentionTests
{
    [Fact]
    public async Task A_trim_batch_waiting_on_a_locked_old_row_does_not_block_appends_or_reads_of_the_stream()
    {
        var connectionString = await PostgresServer.GetConnectionStringAsync();
        await using var services = TestServices.Build(connectionString, TestServices.NewSchema());
        await EventStoreFixture.StartHostedServicesAsync(services);
        var store = services.GetRequiredService<IEventStreamStore>();
        var backend = services.GetRequiredService<IRetentionBackend>();
        var database = services.GetRequiredService<PostgresDatabase>();
        await store.AppendAsync("held", Enumerable.Range(0, 100).Select(i => (ICorrelatedEvent)new TestEvent("e", i)).ToArray());

        // Another transaction holds old row 50, so the trim batch deletes 0..49 and then waits, holding those rows.
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand(
            $"SELECT 1 FROM {database.Schema}.events WHERE stream_name = 'held' AND stream_offset = 50 FOR UPDATE", connection, transaction))
        {
            await lockRow.ExecuteScalarAsync();
        }

        var trim = backend.TrimStreamAsync("held", maxEventCount: 10, olderThan: null, maxCount: 1_000);
        await ServerActivity.UntilWaitingOnALockHeldByAsync(database.DataSource, connection, "the trim batch waits on the locked old row");

        using var deadline = new CancellationTokenSource(Deadline.Default);
        Assert.Equal(100, await store.AppendAsync("held", new TestEvent("late", 0), deadline.Token));
        Assert.Equal(101, (await store.ReadStreamAsync("held", 0, 1_000, deadline.Token)).Count);
        Assert.False(trim.IsCompleted);

        await transaction.RollbackAsync();
        Assert.Equal(90, await trim.WaitAsync(deadline.Token));
        var metadata = await store.GetStreamMetadataAsync("held", deadline.Token);
        Assert.Equal((101L, 11L, 90L), (metadata.Length, metadata.RetainedCount, metadata.OldestEventOffset!.Value));
    }
}
