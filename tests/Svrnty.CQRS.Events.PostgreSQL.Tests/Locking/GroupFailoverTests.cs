using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Consumers;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Locking;

/// <summary>
/// The kill test of docs/consumers.md#fencing: two app instances run one transactional consumer group; the active one's
/// lock session is ended by the server (<c>pg_terminate_backend</c>), three times, while it works through a backlog.
/// Every handler call is recorded with its interval: every event's effect is committed exactly once (by construction: the
/// fence); the standby's takeover times and the count of the two instances' calls overlapping in time are measured and
/// printed, not asserted.
/// </summary>
public sealed class GroupFailoverTests(ITestOutputHelper output)
{
    private const string Stream = "failover-orders", Effects = "failover-effects", Group = "projection";
    private const int Events = 3_000, Kills = 3, HandledBetweenKills = 150;

    [Fact]
    public async Task Killing_the_active_instance_s_lock_session_hands_the_group_to_the_standby_with_every_effect_once()
    {
        var connectionString = await PostgresServer.GetConnectionStringAsync();
        var schema = TestServices.NewSchema();
        var calls = new ConcurrentQueue<Call>();
        await using var a = await StartInstanceAsync(connectionString, schema, "a", calls);
        await using var b = await StartInstanceAsync(connectionString, schema, "b", calls);
        var store = a.Services.GetRequiredService<IEventStreamStore>();
        for (var i = 0; i < Events; i += 500)
        {
            await store.AppendAsync(Stream, Enumerable.Range(i, 500).Select(n => (ICorrelatedEvent)new TestEvent("order", n)).ToArray());
        }

        var key = PostgresConsumerGroupLock.Key(schema, Stream, Group);
        var takeovers = new List<double>();
        for (var kill = 0; kill < Kills; kill++)
        {
            await Deadline.UntilAsync(() => calls.Count >= (kill + 1) * HandledBetweenKills, $"the consumer handled {(kill + 1) * HandledBetweenKills} events");
            var active = calls.Last().Instance;
            var killedAt = await TerminateLockSessionAsync(connectionString, key);
            var first = await Deadline.UntilAsync(() => Task.FromResult(calls.FirstOrDefault(c => c.Instance != active && c.Start > killedAt)),
                c => c is not null, $"the standby took over from instance {active} (kill {kill + 1})");
            takeovers.Add(Stopwatch.GetElapsedTime(killedAt, first!.Start).TotalMilliseconds);
            var lateCalls = calls.Count(c => c.Instance == active && c.Start > killedAt);
            output.WriteLine($"kill {kill + 1}: instance {active} -> {first.Instance} at offset {first.Offset}; takeover " +
                $"{takeovers[^1].ToString("F1", CultureInfo.InvariantCulture)} ms; calls the killed instance began after the kill: {lateCalls}");
        }

        var offsets = a.Services.GetRequiredService<IConsumerOffsetStore>();
        await Deadline.UntilAsync(() => offsets.GetOffsetAsync(Stream, Group), o => o == Events, "the group committed past every event");

        var all = calls.ToArray();
        // Measured, not guaranteed (docs/consumers.md#fencing): a loaded machine can delay the old holder's last check.
        var overlaps = (from x in all where x.Instance == "a" from y in all where y.Instance == "b" && x.Start < y.End && y.Start < x.End select (x, y)).ToArray();
        var effects = await store.ReadStreamAsync(Effects, 0, 10_000);
        Assert.Equal(Enumerable.Range(0, Events), effects.Select(e => ((TestEvent)e.Event).Number));
        output.WriteLine($"takeover after the lock session was terminated: {string.Join(", ", takeovers.Select(t => t.ToString("F1", CultureInfo.InvariantCulture)))} ms " +
            $"(max {takeovers.Max().ToString("F1", CultureInfo.InvariantCulture)} ms); {all.Length} handler calls for {Events} events; " +
            $"calls of the two instances overlapping in time: {overlaps.Length}{(overlaps.Length > 0 ? $" (first: {overlaps[0]})" : "")}; every effect once");
    }

    private static async Task<long> TerminateLockSessionAsync(string connectionString, long key)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT pid FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
        var pid = (int)(await command.ExecuteScalarAsync())!;
        await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend($1)", connection);
        terminate.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
        var killedAt = Stopwatch.GetTimestamp();
        Assert.True((bool)(await terminate.ExecuteScalarAsync())!);
        return killedAt;
    }

    private static async Task<Instance> StartInstanceAsync(string connectionString, string schema, string name, ConcurrentQueue<Call> calls)
    {
        var services = TestServices.Build(connectionString, schema, configure: s => s
            .AddSingleton(new InstanceName(name))
            .AddSingleton(calls)
            .AddTransactionalEventStreamConsumer<IntervalHandler>(Stream, Group, o => o.BatchSize = 100));
        return new Instance(services, await EventStoreFixture.StartHostedServicesAsync(services));
    }

    private sealed record InstanceName(string Value);

    /// <summary>One handler call: which instance, which event, and when it began and ended (Stopwatch timestamps).</summary>
    private sealed record Call(string Instance, long Offset, long Start, long End);

    /// <summary>Appends the event's number to the effects stream in the consumer's transaction, and records the call.</summary>
    private sealed class IntervalHandler(InstanceName instance, ConcurrentQueue<Call> calls) : ITransactionalEventStreamHandler
    {
        public async Task HandleAsync(StoredEvent storedEvent, ConsumerTransaction transaction, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            transaction.Batch.Append(Effects, new TestEvent("effect", ((TestEvent)storedEvent.Event).Number));
            await Task.Yield();
            calls.Enqueue(new Call(instance.Value, storedEvent.Offset, start, Stopwatch.GetTimestamp()));
        }
    }

    private sealed class Instance(ServiceProvider services, IHostedService[] hosted) : IAsyncDisposable
    {
        public IServiceProvider Services => services;

        public async ValueTask DisposeAsync()
        {
            foreach (var service in hosted.Reverse())
            {
                await service.StopAsync(CancellationToken.None);
            }

            await services.DisposeAsync();
        }
    }
}
