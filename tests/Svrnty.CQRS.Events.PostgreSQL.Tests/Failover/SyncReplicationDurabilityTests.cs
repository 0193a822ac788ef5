using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Failover;

/// <summary>
/// A primary whose <c>synchronous_standby_names</c> names a standby that is not running: every commit waits for it, the
/// command timeout (1 s) cancels the wait, and PostgreSQL answers with a warning that the transaction "has already
/// committed locally, but might not have been replicated". The library must not report that as a success, nor turn it
/// into one by retrying: each write throws <see cref="EventStoreDurabilityUnconfirmedException"/>, a repeat with the same
/// ids throws it again while no standby confirms, and succeeds (with the same offset, nothing duplicated) once the
/// primary no longer waits for one.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class SyncReplicationDurabilityTests
{
    [Fact]
    public async Task Appends_enqueues_and_batches_whose_commit_no_standby_confirmed_throw_and_are_not_turned_into_success_by_repeats()
    {
        var bin = LocalPostgresCluster.FindBinaries() ?? throw new InvalidOperationException("PostgreSQL's server binaries are needed (apt-get install postgresql).");
        var settings = new Dictionary<string, string>(LocalPostgresCluster.DefaultSettings) { ["synchronous_commit"] = "on", ["max_connections"] = "50" };
        await using var cluster = await LocalPostgresCluster.StartAsync(bin, settings);
        var connectionString = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { CommandTimeout = 1, Timeout = 5 }.ConnectionString;
        var logs = new CapturingLoggerProvider();
        await using var services = TestServices.Build(connectionString, TestServices.NewSchema(), logs: logs);
        await EventStoreFixture.StartHostedServicesAsync(services); // migrated before commits wait for a standby
        var store = services.GetRequiredService<IEventStreamStore>();
        Assert.Equal(0, await store.AppendAsync("orders", new TestEvent("before", 0)));

        await SetSynchronousStandbyAsync(cluster, "missing_standby");
        var appended = new TestEvent("append", 1);
        var enqueued = new TestEvent("enqueue", 2);
        var batched = new TestEvent("batch", 3);
        EventBatch Batch() => new EventBatch().Append("orders", batched).Enqueue("mail", new TestEvent("batch-mail", 4) { EventId = batched.EventId + "-mail" });

        var append = await Assert.ThrowsAsync<EventStoreDurabilityUnconfirmedException>(() => store.AppendAsync("orders", appended));
        var enqueue = await Assert.ThrowsAsync<EventStoreDurabilityUnconfirmedException>(() => store.EnqueueAsync("mail", enqueued));
        var batch = await Assert.ThrowsAsync<EventStoreDurabilityUnconfirmedException>(() => store.WriteAsync(Batch()));
        Assert.Equal("append", append.Operation);
        Assert.Equal("enqueue", enqueue.Operation);
        Assert.Equal("write_batch", batch.Operation);
        Assert.Contains("synchronous replication", append.ServerMessage, StringComparison.Ordinal);
        Assert.Contains("same event ids", append.Message, StringComparison.Ordinal);

        // Committed on the primary: visible there.
        Assert.Equal(3, await store.GetStreamLengthAsync("orders"));
        Assert.Equal(2, await store.GetPendingCountAsync("mail"));

        // A repeat with the same ids finds the writes already there, and still does not report them as confirmed.
        await Assert.ThrowsAsync<EventStoreDurabilityUnconfirmedException>(() => store.AppendAsync("orders", appended));
        await Assert.ThrowsAsync<EventStoreDurabilityUnconfirmedException>(() => store.EnqueueAsync("mail", enqueued));
        await Assert.ThrowsAsync<EventStoreDurabilityUnconfirmedException>(() => store.WriteAsync(Batch()));
        Assert.Contains(logs.Entries, e => e.Id.Id == 1202);
        Assert.DoesNotContain(logs.Entries, e => e.Id.Id == 1200); // not retried by the store

        // Once the primary no longer waits for a standby, the repeats succeed with the same answers, nothing duplicated.
        await SetSynchronousStandbyAsync(cluster, null);
        Assert.Equal(1, await store.AppendAsync("orders", appended));
        await store.EnqueueAsync("mail", enqueued);
        Assert.Equal([2], (await store.WriteAsync(Batch())).Offsets);
        Assert.Equal(["before", "append", "batch"], (await store.ReadStreamAsync("orders", 0, 10)).Select(e => ((TestEvent)e.Event).Name));
        Assert.Equal(2, await store.GetPendingCountAsync("mail"));
    }

    private static async Task SetSynchronousStandbyAsync(LocalPostgresCluster cluster, string? name)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            (name is null ? "ALTER SYSTEM RESET synchronous_standby_names" : $"ALTER SYSTEM SET synchronous_standby_names = '{name}'") + "; SELECT pg_reload_conf()",
            connection);
        await command.ExecuteNonQueryAsync();

        // The reload is asynchronous: wait until a new session sees the setting.
        await Deadline.UntilAsync(async () =>
        {
            await using var check = new NpgsqlConnection(connection.ConnectionString);
            await check.OpenAsync();
            await using var show = new NpgsqlCommand("SHOW synchronous_standby_names", check);
            return (string)(await show.ExecuteScalarAsync())!;
        }, value => value == (name ?? string.Empty), $"synchronous_standby_names = '{name}'");
    }
}
