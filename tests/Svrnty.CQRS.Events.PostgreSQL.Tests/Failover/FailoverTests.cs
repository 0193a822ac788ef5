using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Failover;

/// <summary>
/// A primary and a streaming standby on this machine (<see cref="ReplicatedPostgresCluster"/>), writers appending through
/// a multi-host connection string with <c>Target Session Attributes=primary</c>; the primary is stopped with
/// <c>-m immediate</c> and the standby promoted. The same service provider goes on writing on the new primary. With
/// synchronous replication every acknowledged append survives; with asynchronous replication what is lost is the tail
/// of what was acknowledged before the crash (measured and printed), and a consumer offset beyond the new end is logged.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const int Writers = 3;
    private const int EventsPerWriter = 120;

    [Fact]
    public async Task With_synchronous_replication_every_acknowledged_append_survives_the_failover_and_writes_go_on_without_a_restart()
    {
        await using var cluster = await ReplicatedPostgresCluster.StartAsync(synchronous: true);
        var run = await RunAsync(cluster, cutReplicationFirst: false);

        Assert.Empty(run.LostAcknowledged);
        output.WriteLine(run.Summary);
    }

    [Fact]
    public async Task With_asynchronous_replication_only_the_tail_of_what_was_acknowledged_is_lost_and_an_offset_beyond_the_new_end_is_logged()
    {
        await using var cluster = await ReplicatedPostgresCluster.StartAsync(synchronous: false);
        var run = await RunAsync(cluster, cutReplicationFirst: true);

        // What is lost is bounded by the lag: per writer, only its last acknowledged appends before the crash, never one
        // followed by a surviving one (the standby has a prefix of the primary's WAL).
        foreach (var acked in run.AckedBeforeCrash.Values)
        {
            var survived = acked.Select(id => !run.LostAcknowledged.Contains(id)).ToList();
            Assert.Equal(survived.OrderByDescending(s => s), survived);
        }

        Assert.NotEmpty(run.LostAcknowledged); // the replication was cut before the crash, so the tail is certain to be lost
        Assert.Contains(run.Logs.Entries, e => e.Id.Id == 1210 && e.Message.Contains("ledger", StringComparison.Ordinal));
        output.WriteLine(run.Summary);
    }

    private async Task<FailoverRun> RunAsync(ReplicatedPostgresCluster cluster, bool cutReplicationFirst)
    {
        var logs = new CapturingLoggerProvider();
        await using var services = TestServices.Build(cluster.ConnectionString, TestServices.NewSchema(), logs: logs);
        await EventStoreFixture.StartHostedServicesAsync(services);
        var store = services.GetRequiredService<IEventStreamStore>();
        var offsets = services.GetRequiredService<IConsumerOffsetStore>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var acked = Enumerable.Range(0, Writers).Select(_ => new ConcurrentQueue<string>()).ToArray();
        var ackedBeforeCrash = new Dictionary<int, List<string>>();
        var failures = new ConcurrentQueue<Exception>();
        long? projectorPosition = null;

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < EventsPerWriter; i++)
            {
                var e = new TestEvent($"writer-{w}", i);
                while (true)
                {
                    // The application's loop: an error after the store's retry budget (or an unconfirmed commit) is
                    // answered by sending the same event again.
                    try
                    {
                        await store.AppendAsync($"stream-{w}", e, timeout.Token);
                        break;
                    }
                    catch (Exception ex) when (ex is NpgsqlException or EventStoreDurabilityUnconfirmedException)
                    {
                        failures.Enqueue(ex);
                        await Task.Delay(100, timeout.Token); // a pause before the caller's next try, not a synchronisation
                    }
                }

                acked[w].Enqueue(e.EventId);
                await Task.Delay(10, timeout.Token); // pacing, so that the writers are still writing when the primary crashes
            }
        })).ToArray();

        int AckedCount() => acked.Sum(a => a.Count);
        await Deadline.UntilAsync(() => AckedCount() >= Writers * EventsPerWriter / 3, "a third of the appends acknowledged");
        if (cutReplicationFirst)
        {
            await cluster.Primary.CutReplicationAsync(ReplicatedPostgresCluster.ConnectionStringOf(cluster.Primary), timeout.Token);
            var atCut = AckedCount();
            await Deadline.UntilAsync(() => AckedCount() >= atCut + 15, "appends acknowledged after the replication was cut");

            // A consumer group that has handled "ledger" to its end commits its position, as a consumer does; after the
            // failover it commits that position again on the new primary, whose ledger is shorter.
            foreach (var n in Enumerable.Range(0, 5))
            {
                await store.AppendAsync("ledger", new TestEvent("ledger", n), timeout.Token);
            }

            projectorPosition = await store.GetStreamLengthAsync("ledger", timeout.Token);
            await offsets.CommitOffsetAsync("ledger", "projector", projectorPosition.Value, timeout.Token);
        }

        var failover = Stopwatch.StartNew();
        await cluster.Primary.CrashServerAsync(timeout.Token);
        for (var w = 0; w < Writers; w++)
        {
            ackedBeforeCrash[w] = [.. acked[w]];
        }

        await cluster.Standby.PromoteAsync(timeout.Token);
        var promoted = failover.Elapsed;
        await Task.WhenAll(writers);
        var finished = failover.Elapsed;

        // Every writer finished on the new primary, with the same service provider. Nothing is duplicated, offsets are
        // gapless, and each writer's events are in its order.
        var lost = new HashSet<string>(StringComparer.Ordinal);
        for (var w = 0; w < Writers; w++)
        {
            var stored = await store.ReadStreamAsync($"stream-{w}", 0, 1_000);
            Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => (long)i), stored.Select(e => e.Offset));
            Assert.Equal(stored.Count, stored.Select(e => e.EventId).Distinct().Count());
            var ids = stored.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
            lost.UnionWith(acked[w].Where(id => !ids.Contains(id)));
            Assert.True(stored.Count >= EventsPerWriter - ackedBeforeCrash[w].Count(id => !ids.Contains(id)));
        }

        if (projectorPosition is { } position)
        {
            await offsets.CommitOffsetAsync("ledger", "projector", position); // the running consumer's next commit
            Assert.Equal(position, await offsets.GetOffsetAsync("ledger", "projector")); // a consumer starting: logged, not changed
            Assert.True(await store.GetStreamLengthAsync("ledger") < position);
        }

        var summary =
            $"{(cluster.Synchronous ? "synchronous" : "asynchronous")} failover: {AckedCount()} appends acknowledged by {Writers} writers, " +
            $"{ackedBeforeCrash.Values.Sum(a => a.Count)} before the crash; standby promoted {promoted.TotalSeconds:F1} s after the crash, " +
            $"writers done {finished.TotalSeconds:F1} s after it; {lost.Count} acknowledged appends lost; " +
            $"{failures.Count} calls failed to the caller after the store's retries " +
            $"({string.Join(", ", failures.GroupBy(f => f is PostgresException p ? p.SqlState : f.InnerException?.GetType().Name ?? f.GetType().Name).Select(g => $"{g.Key} x{g.Count()}"))}), " +
            $"{logs.Entries.Count(e => e.Id.Id == 1200)} retries by the store";
        return new FailoverRun(lost, ackedBeforeCrash, logs, summary);
    }

    private sealed record FailoverRun(HashSet<string> LostAcknowledged, Dictionary<int, List<string>> AckedBeforeCrash, CapturingLoggerProvider Logs, string Summary);
}
