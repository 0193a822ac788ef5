using System.Collections.Concurrent;

namespace Svrnty.CQRS.Events.ContractTests.Queues;

/// <summary>DESIGN.md semantics 8 and 12: enqueue order, one holder at a time, lease expiry, idempotent enqueue.</summary>
public abstract class QueueLeaseTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_empty_or_missing_queue_dequeues_nothing()
    {
        var queue = NewName("queue");

        Assert.Null(await Streams.DequeueAsync(queue, "c1", Lease));
        Assert.Equal(0, await Streams.GetPendingCountAsync(queue));
    }

    [Fact]
    public async Task Messages_are_handed_out_in_enqueue_order_with_a_lease()
    {
        var queue = NewName("queue");
        var events = Enumerable.Range(0, 3).Select(i => NewEvent("q", i, correlationId: $"c{i}")).ToArray();
        foreach (var e in events)
        {
            await Streams.EnqueueAsync(queue, e);
        }

        var now = Time.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            var message = await Streams.DequeueAsync(queue, "consumer-1", Lease);

            Assert.NotNull(message);
            Assert.Equal(queue, message.StreamName);
            Assert.Equal(events[i].EventId, message.EventId);
            Assert.Equal(events[i], message.Event);
            Assert.Equal("consumer-1", message.ConsumerId);
            Assert.Equal(1, message.DeliveryCount);
            Assert.Equal(now + Lease, message.VisibleUntil);
        }

        Assert.Null(await Streams.DequeueAsync(queue, "consumer-1", Lease));
    }

    [Fact]
    public async Task A_leased_message_is_not_handed_to_another_consumer_before_its_lease_ends()
    {
        var queue = NewName("queue");
        await Streams.EnqueueAsync(queue, NewEvent());
        await Streams.DequeueAsync(queue, "c1", Lease);

        Time.Advance(Lease - TimeSpan.FromSeconds(1));

        Assert.Null(await Streams.DequeueAsync(queue, "c2", Lease));
    }

    [Fact]
    public async Task An_expired_lease_makes_the_message_visible_again_with_its_delivery_count_raised()
    {
        var queue = NewName("queue");
        var e = NewEvent();
        await Streams.EnqueueAsync(queue, e);
        await Streams.DequeueAsync(queue, "c1", Lease);

        Time.Advance(Lease);
        var redelivered = await Streams.DequeueAsync(queue, "c2", Lease);

        Assert.NotNull(redelivered);
        Assert.Equal(e.EventId, redelivered.EventId);
        Assert.Equal("c2", redelivered.ConsumerId);
        Assert.Equal(2, redelivered.DeliveryCount);
        Assert.Equal(Time.GetUtcNow() + Lease, redelivered.VisibleUntil);
    }

    [Fact]
    public async Task A_redelivery_comes_before_newer_messages()
    {
        var queue = NewName("queue");
        var first = NewEvent("first");
        await Streams.EnqueueAsync(queue, first);
        await Streams.DequeueAsync(queue, "c1", Lease);
        await Streams.EnqueueAsync(queue, NewEvent("second"));

        Time.Advance(Lease + TimeSpan.FromSeconds(1));

        Assert.Equal(first.EventId, (await Streams.DequeueAsync(queue, "c2", Lease))?.EventId);
    }

    [Fact]
    public async Task Competing_consumers_never_get_the_same_message()
    {
        const int messages = 200;
        var queue = NewName("queue");
        for (var i = 0; i < messages; i++)
        {
            await Streams.EnqueueAsync(queue, NewEvent("m", i));
        }

        var taken = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            while (await Streams.DequeueAsync(queue, $"consumer-{c}", TimeSpan.FromMinutes(5)) is { } message)
            {
                taken.Add(message.EventId);
            }
        })));

        Assert.Equal(messages, taken.Count);
        Assert.Equal(messages, taken.Distinct().Count());
        Assert.Equal(messages, await Streams.GetPendingCountAsync(queue)); // leased, not yet acknowledged
    }

    [Fact]
    public async Task Enqueuing_an_id_that_is_still_pending_is_a_no_op()
    {
        var queue = NewName("queue");
        var e = NewEvent();
        await Streams.EnqueueAsync(queue, e);
        await Streams.EnqueueAsync(queue, e);
        Assert.Equal(1, await Streams.GetPendingCountAsync(queue));

        var leased = await Streams.DequeueAsync(queue, "c1", Lease);
        await Streams.EnqueueAsync(queue, e); // still pending while leased
        Assert.Equal(1, await Streams.GetPendingCountAsync(queue));
        Assert.Null(await Streams.DequeueAsync(queue, "c2", Lease));

        Assert.True(await Streams.AcknowledgeAsync(queue, leased!.EventId, "c1"));
        await Streams.EnqueueAsync(queue, e); // no longer pending: a new message
        var again = await Streams.DequeueAsync(queue, "c2", Lease);
        Assert.Equal(e.EventId, again?.EventId);
        Assert.Equal(1, again?.DeliveryCount);
    }

    [Fact]
    public async Task Pending_count_includes_visible_and_leased_messages()
    {
        var queue = NewName("queue");
        for (var i = 0; i < 3; i++)
        {
            await Streams.EnqueueAsync(queue, NewEvent(number: i));
        }

        await Streams.DequeueAsync(queue, "c1", Lease);

        Assert.Equal(3, await Streams.GetPendingCountAsync(queue));
    }

    [Fact]
    public async Task A_queue_and_a_stream_with_the_same_name_are_separate()
    {
        var name = NewName();
        await Streams.AppendAsync(name, NewEvent());
        await Streams.EnqueueAsync(name, NewEvent());

        Assert.Equal(1, await Streams.GetStreamLengthAsync(name));
        Assert.Equal(1, await Streams.GetPendingCountAsync(name));
    }
}
