using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Queues;

/// <summary>DESIGN.md semantics 11: dead letters after MaxDeliveryAttempts, requeue, purge.</summary>
public abstract class DeadLetterTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    private async Task ExpireDeliveriesAsync(string queue, int deliveries)
    {
        for (var i = 1; i <= deliveries; i++)
        {
            var message = await Streams.DequeueAsync(queue, $"c{i}", Lease);
            Assert.Equal(i, message?.DeliveryCount);
            Time.Advance(Lease);
        }
    }

    [Fact]
    public async Task A_message_whose_last_allowed_lease_expires_goes_to_the_dead_letter_queue()
    {
        var queue = NewName("queue");
        await Configurations.SetAsync(new StreamConfiguration { StreamName = queue, MaxDeliveryAttempts = 2 });
        var e = NewEvent("doomed", correlationId: "corr");
        await Streams.EnqueueAsync(queue, e);

        await ExpireDeliveriesAsync(queue, 2);

        Assert.Null(await Streams.DequeueAsync(queue, "c3", Lease));
        Assert.Equal(0, await Streams.GetPendingCountAsync(queue));
        Assert.Equal(1, await DeadLetters.CountAsync(queue));
        var dead = Assert.Single(await DeadLetters.ReadAsync(queue, 10));
        Assert.Equal(queue, dead.StreamName);
        Assert.Equal(e.EventId, dead.EventId);
        Assert.Equal(e, dead.Event);
        Assert.Equal(2, dead.DeliveryCount);
        Assert.False(string.IsNullOrWhiteSpace(dead.Reason));
        Assert.Equal(Time.GetUtcNow(), dead.DeadLetteredAt);
    }

    [Fact]
    public async Task Without_configuration_a_message_is_delivered_five_times()
    {
        var queue = NewName("queue");
        await Streams.EnqueueAsync(queue, NewEvent());

        await ExpireDeliveriesAsync(queue, StreamConfiguration.DefaultMaxDeliveryAttempts);

        Assert.Null(await Streams.DequeueAsync(queue, "late", Lease));
        Assert.Equal(5, Assert.Single(await DeadLetters.ReadAsync(queue, 10)).DeliveryCount);
    }

    [Fact]
    public async Task A_requeue_nack_on_the_last_allowed_delivery_dead_letters_the_message()
    {
        var queue = NewName("queue");
        await Configurations.SetAsync(new StreamConfiguration { StreamName = queue, MaxDeliveryAttempts = 1 });
        var e = NewEvent();
        await Streams.EnqueueAsync(queue, e);
        await Streams.DequeueAsync(queue, "c1", Lease);

        Assert.True(await Streams.NackAsync(queue, e.EventId, "c1", requeue: true));

        Assert.Null(await Streams.DequeueAsync(queue, "c2", Lease));
        Assert.Equal(1, await DeadLetters.CountAsync(queue));
    }

    [Fact]
    public async Task A_requeued_dead_letter_comes_back_as_a_fresh_message()
    {
        var queue = NewName("queue");
        var e = NewEvent();
        await Streams.EnqueueAsync(queue, e);
        await Streams.DequeueAsync(queue, "c1", Lease);
        await Streams.NackAsync(queue, e.EventId, "c1", requeue: false);

        Assert.True(await DeadLetters.RequeueAsync(queue, e.EventId));

        Assert.Equal(0, await DeadLetters.CountAsync(queue));
        Assert.Equal(1, await Streams.GetPendingCountAsync(queue));
        var again = await Streams.DequeueAsync(queue, "c2", Lease);
        Assert.Equal(e, again?.Event);
        Assert.Equal(1, again?.DeliveryCount);
        Assert.False(await DeadLetters.RequeueAsync(queue, e.EventId));
        Assert.False(await DeadLetters.RequeueAsync(NewName("queue"), e.EventId));
    }

    [Fact]
    public async Task Dead_letters_are_read_oldest_first_and_purged_with_a_count()
    {
        var queue = NewName("queue");
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var e = NewEvent(number: i);
            ids.Add(e.EventId);
            await Streams.EnqueueAsync(queue, e);
            await Streams.DequeueAsync(queue, "c1", Lease);
            await Streams.NackAsync(queue, e.EventId, "c1", requeue: false);
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(ids.Take(3), (await DeadLetters.ReadAsync(queue, 3)).Select(d => d.EventId));
        Assert.Equal(4, await DeadLetters.PurgeAsync(queue));
        Assert.Equal(0, await DeadLetters.CountAsync(queue));
        Assert.Empty(await DeadLetters.ReadAsync(queue, 10));
        Assert.Equal(0, await DeadLetters.PurgeAsync(queue));
    }

    [Fact]
    public async Task Dead_letters_of_one_queue_are_not_seen_from_another()
    {
        var queue = NewName("queue");
        var e = NewEvent();
        await Streams.EnqueueAsync(queue, e);
        await Streams.DequeueAsync(queue, "c1", Lease);
        await Streams.NackAsync(queue, e.EventId, "c1", requeue: false);

        var other = NewName("queue");
        Assert.Equal(0, await DeadLetters.CountAsync(other));
        Assert.Empty(await DeadLetters.ReadAsync(other, 10));
    }
}
