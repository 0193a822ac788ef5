using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Storage;

/// <summary>What only the PostgreSQL backend has to show about storage: durability, and one round trip per operation.</summary>
public sealed class PostgresStorageTests
{
    [Fact]
    public async Task Events_queues_and_offsets_read_back_equal_after_the_service_provider_is_rebuilt()
    {
        var connectionString = await PostgresServer.GetConnectionStringAsync();
        var schema = TestServices.NewSchema();
        var events = new ICorrelatedEvent[]
        {
            new TestEvent("a", 1) { CorrelationId = "c-1" },
            new RichEvent(Guid.NewGuid(), 10.25m, DateTimeOffset.Parse("2031-01-02T03:04:05.1234567+05:30", System.Globalization.CultureInfo.InvariantCulture),
                new RichEvent.Address("Main St", "Québec"), "note"),
        };
        var queued = new TestEvent("q", 2);

        await using (var before = TestServices.Build(connectionString, schema))
        {
            await EventStoreFixture.StartHostedServicesAsync(before);
            var store = before.GetRequiredService<IEventStreamStore>();
            await store.AppendAsync("orders-1", events);
            await store.EnqueueAsync("emails", queued);
            await before.GetRequiredService<IConsumerOffsetStore>().CommitOffsetAsync("orders-1", "projector", 2);
        }

        await using var after = TestServices.Build(connectionString, schema);
        await EventStoreFixture.StartHostedServicesAsync(after);
        var reopened = after.GetRequiredService<IEventStreamStore>();

        Assert.Equal(events, (await reopened.ReadStreamAsync("orders-1", 0, 10)).Select(e => e.Event));
        Assert.Equal(queued, (await reopened.DequeueAsync("emails", "w", TimeSpan.FromSeconds(5)))?.Event);
        Assert.Equal(2, await after.GetRequiredService<IConsumerOffsetStore>().GetOffsetAsync("orders-1", "projector"));
        Assert.Equal(2, (await reopened.GetStreamMetadataAsync("orders-1")).Length);
    }

    [Fact]
    public async Task Append_batch_read_dequeue_ack_and_nack_are_one_round_trip_each()
    {
        await using var services = await TestServices.StartAsync();
        var store = services.GetRequiredService<IEventStreamStore>();
        await store.GetStreamLengthAsync("warm-up"); // the once-per-process schema check is not counted

        Assert.Equal(1, await CountCommandsAsync(() => store.AppendAsync("rt", new TestEvent("a", 1))));
        Assert.Equal(1, await CountCommandsAsync(() => store.AppendAsync("rt", Enumerable.Range(0, 100).Select(i => (ICorrelatedEvent)new TestEvent("b", i)).ToArray(), expectedLength: 1)));
        Assert.Equal(1, await CountCommandsAsync(() => store.ReadStreamAsync("rt", 0, 1000)));
        Assert.Equal(1, await CountCommandsAsync(() => store.GetStreamMetadataAsync("rt")));
        Assert.Equal(1, await CountCommandsAsync(() => store.EnqueueAsync("rt-q", new TestEvent("q", 1))));
        await store.EnqueueAsync("rt-q", new TestEvent("q", 2));
        DequeuedEvent? first = null;
        Assert.Equal(1, await CountCommandsAsync(async () => first = await store.DequeueAsync("rt-q", "c", TimeSpan.FromMinutes(1))));
        Assert.Equal(1, await CountCommandsAsync(() => store.AcknowledgeAsync("rt-q", first!.EventId, "c")));
        var second = await store.DequeueAsync("rt-q", "c", TimeSpan.FromMinutes(1));
        Assert.Equal(1, await CountCommandsAsync(() => store.NackAsync("rt-q", second!.EventId, "c")));
        var writer = services.GetRequiredService<IEventBatchWriter>();
        Assert.Equal(1, await CountCommandsAsync(() => writer.WriteAsync(new EventBatch()
            .Append("rt-b1", new TestEvent("b1", 1))
            .Append("rt-b2", new TestEvent("b2", 1))
            .Enqueue("rt-q", new TestEvent("q", 3))
            .CommitOffset("rt", "g", 1))));
        Assert.Equal(1, await CountCommandsAsync(() => store.ReadStreamAsync(LogStreams.All, 0, 1000))); // the sequencer step included
    }

    /// <summary>Counts the commands Npgsql sends while <paramref name="operation"/> runs, from its own traces.</summary>
    private static async Task<int> CountCommandsAsync(Func<Task> operation)
    {
        var commands = new ConcurrentBag<string>();
        var owner = new AsyncLocal<bool> { Value = true };
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (owner.Value && activity.Kind == ActivityKind.Client && activity.DisplayName != "connect")
                {
                    commands.Add(activity.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await operation();
        return commands.Count;
    }
}
