using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Reliability;

/// <summary>
/// A bounded soak (docs/reliability.md): a fixed number of operations from many producers and consumers at once, on
/// one provider registered as an application registers it, then every invariant checked. It stops by itself.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int Appenders = 4, EventsPerAppender = 2_500, Enqueuers = 4, MessagesPerEnqueuer = 1_000, PoisonEvery = 50, MaxDeliveries = 3;
    private const string Stream = "soak-orders", Queue = "soak-jobs";
    private static readonly string[] Groups = ["projection-a", "projection-b"];

    /// <summary>The whole soak's budget: production, consumption and the checks.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Four_appenders_four_enqueuers_four_queue_workers_and_two_stream_groups_keep_every_promise()
    {
        var connectionString = await PostgresServer.GetConnectionStringAsync();
        var seen = new Seen();
        await using var services = TestServices.Build(connectionString, TestServices.NewSchema(), configure: s => s
            .AddSingleton(seen)
            .AddEventStreamConsumer<GroupAHandler>(Stream, Groups[0], o => o.BatchSize = 200)
            .AddEventStreamConsumer<GroupBHandler>(Stream, Groups[1], o => o.BatchSize = 50)
            .AddQueueConsumer<JobHandler>(Queue, o => o.Concurrency = 4));
        var store = services.GetRequiredService<IEventStreamStore>();
        await EventStoreFixture.StartHostedServicesAsync(services); // migrations first, then the consumers
        await services.GetRequiredService<IStreamConfigurationStore>().SetAsync(new StreamConfiguration { StreamName = Queue, MaxDeliveryAttempts = MaxDeliveries });
        using var deadline = new CancellationTokenSource(Budget);
        var clock = Stopwatch.StartNew();

        var appended = Enumerable.Range(0, Appenders).Select(a => Task.Run(async () =>
        {
            var ids = new List<string>(EventsPerAppender);
            for (var i = 0; i < EventsPerAppender; i++)
            {
                var e = new TestEvent($"appender-{a}", i);
                await store.AppendAsync(Stream, e, deadline.Token);
                ids.Add(e.EventId);
            }

            return ids;
        })).ToArray();
        var enqueued = Enumerable.Range(0, Enqueuers).Select(q => Task.Run(async () =>
        {
            var ids = new List<(string Id, bool Poison)>(MessagesPerEnqueuer);
            for (var i = 0; i < MessagesPerEnqueuer; i++)
            {
                var e = new TestEvent(i % PoisonEvery == PoisonEvery - 1 ? "poison" : "job", (q * MessagesPerEnqueuer) + i);
                await store.EnqueueAsync(Queue, e, deadline.Token);
                ids.Add((e.EventId, e.Name == "poison"));
            }

            return ids;
        })).ToArray();
        var appendedIds = await Task.WhenAll(appended);
        var enqueuedIds = (await Task.WhenAll(enqueued)).SelectMany(m => m).ToArray();
        var produced = clock.Elapsed;
        var totalEvents = Appenders * EventsPerAppender;
        var poison = enqueuedIds.Where(m => m.Poison).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var deadLetters = services.GetRequiredService<IDeadLetterStore>();

        // Wait, within what is left of the soak's budget, until the consumers are through.
        var acks = enqueuedIds.Length - poison.Count;
        await Deadline.UntilAsync(
            async () => new { GroupA = seen.Count(Groups[0]), GroupB = seen.Count(Groups[1]), Acked = seen.Handled.Count, DeadLettered = await deadLetters.CountAsync(Queue) },
            s => s.GroupA >= totalEvents && s.GroupB >= totalEvents && s.Acked >= acks && s.DeadLettered >= poison.Count,
            $"both groups handle {totalEvents} events, {acks} messages are acknowledged and {poison.Count} dead-lettered",
            within: Budget - clock.Elapsed);

        var consumed = clock.Elapsed;
        foreach (var hosted in services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Reverse())
        {
            await hosted.StopAsync(CancellationToken.None); // consumers commit their offsets as they stop
        }

        // Stream: gapless offsets, every appended event exactly once, each appender's in its own order.
        var stored = new List<StoredEvent>();
        for (long from = 0; ; from += 1_000)
        {
            var page = await store.ReadStreamAsync(Stream, from, 1_000);
            if (page.Count == 0)
            {
                break;
            }

            stored.AddRange(page);
        }

        Assert.Equal(Enumerable.Range(0, totalEvents).Select(i => (long)i), stored.Select(e => e.Offset));
        Assert.Equal(appendedIds.SelectMany(i => i).Order(StringComparer.Ordinal), stored.Select(e => e.EventId).Order(StringComparer.Ordinal));
        var offsetOf = stored.ToDictionary(e => e.EventId, e => e.Offset, StringComparer.Ordinal);
        foreach (var ids in appendedIds)
        {
            Assert.Equal(ids.Select(id => offsetOf[id]).Order(), ids.Select(id => offsetOf[id]));
        }

        // Each group saw every event once, in offset order, and committed the end of the stream.
        var offsets = services.GetRequiredService<IConsumerOffsetStore>();
        foreach (var group in Groups)
        {
            Assert.Equal(Enumerable.Range(0, totalEvents).Select(i => (long)i), seen.Offsets(group));
            Assert.Equal(totalEvents, await offsets.GetOffsetAsync(Stream, group));
        }

        // Queue: every message acknowledged exactly once, or (the poison ones) in the dead letters after MaxDeliveries.
        Assert.All(seen.Handled, h => Assert.Equal(1, h.Value));
        Assert.Equal(enqueuedIds.Where(m => !m.Poison).Select(m => m.Id).Order(StringComparer.Ordinal), seen.Handled.Keys.Order(StringComparer.Ordinal));
        var dead = await deadLetters.ReadAsync(Queue, 10_000);
        Assert.Equal(poison.Order(StringComparer.Ordinal), dead.Select(d => d.EventId).Order(StringComparer.Ordinal));
        Assert.All(dead, d => Assert.Equal(MaxDeliveries, d.DeliveryCount));
        Assert.Equal(0, await store.GetPendingCountAsync(Queue));

        var deliveries = seen.Handled.Count + seen.PoisonAttempts;
        output.WriteLine(
            $"soak: {Appenders} appenders x {EventsPerAppender} appends to one stream, {Enqueuers} enqueuers x {MessagesPerEnqueuer} enqueues " +
            $"({poison.Count} poison), 4 queue workers, 2 stream consumer groups; produced in {produced.TotalSeconds:F1} s, all consumed in {consumed.TotalSeconds:F1} s.");
        output.WriteLine(
            $"soak: operations: {totalEvents} appends, {enqueuedIds.Length} enqueues, {deliveries} deliveries ({seen.Handled.Count} acked, {seen.PoisonAttempts} failed handlings of poison messages), " +
            $"{2 * totalEvents} stream events handled by the groups.");
        output.WriteLine(
            $"soak: invariants: offsets 0..{totalEvents - 1} gapless; {totalEvents} appended = {stored.Count} stored, each once, each appender in order; " +
            $"both groups saw {totalEvents} events once in order and committed {totalEvents}; {seen.Handled.Count} messages acked exactly once, " +
            $"{dead.Count} dead-lettered after {MaxDeliveries} deliveries, 0 pending.");
    }

    internal sealed class Seen
    {
        private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _offsets = new(StringComparer.Ordinal);
        private int _poisonAttempts;

        public ConcurrentDictionary<string, int> Handled { get; } = new(StringComparer.Ordinal);

        public int PoisonAttempts => Volatile.Read(ref _poisonAttempts);

        public void Saw(string group, long offset) => _offsets.GetOrAdd(group, _ => new ConcurrentQueue<long>()).Enqueue(offset);

        public int Count(string group) => _offsets.TryGetValue(group, out var q) ? q.Count : 0;

        public IEnumerable<long> Offsets(string group) => _offsets.TryGetValue(group, out var q) ? q.ToArray() : [];

        public void Poisoned() => Interlocked.Increment(ref _poisonAttempts);
    }

    internal sealed class GroupAHandler(Seen seen) : IEventStreamHandler
    {
        public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken)
        {
            seen.Saw(Groups[0], storedEvent.Offset);
            return Task.CompletedTask;
        }
    }

    internal sealed class GroupBHandler(Seen seen) : IEventStreamHandler
    {
        public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken)
        {
            seen.Saw(Groups[1], storedEvent.Offset);
            return Task.CompletedTask;
        }
    }

    internal sealed class JobHandler(Seen seen) : IQueueMessageHandler
    {
        public Task HandleAsync(DequeuedEvent message, CancellationToken cancellationToken)
        {
            if (message.Event is TestEvent { Name: "poison" })
            {
                seen.Poisoned();
                throw new InvalidOperationException($"Poison message {message.EventId} (delivery {message.DeliveryCount}).");
            }

            seen.Handled.AddOrUpdate(message.EventId, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }
    }
}
