namespace Svrnty.CQRS.Events.ContractTests.Queues;

/// <summary>DESIGN.md semantics 9 and 10: acknowledgements and negative acknowledgements.</summary>
public abstract class AckNackTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private async Task<(string Queue, string EventId)> LeaseOneAsync(string consumer = "c1")
    {
        var queue = NewName("queue");
        var e = NewEvent();
        await Streams.EnqueueAsync(queue, e);
        Assert.NotNull(await Streams.DequeueAsync(queue, consumer, Lease));
        return (queue, e.EventId);
    }

    [Fact]
    public async Task The_holder_acknowledges_and_the_message_is_gone_for_good()
    {
        var (queue, id) = await LeaseOneAsync();

        Assert.True(await Streams.AcknowledgeAsync(queue, id, "c1"));

        Assert.Equal(0, await Streams.GetPendingCountAsync(queue));
        Time.Advance(Lease * 2);
        Assert.Null(await Streams.DequeueAsync(queue, "c2", Lease));
        Assert.False(await Streams.AcknowledgeAsync(queue, id, "c1"));
    }

    [Fact]
    public async Task Another_consumer_cannot_acknowledge_and_nothing_changes()
    {
        var (queue, id) = await LeaseOneAsync();

        Assert.False(await Streams.AcknowledgeAsync(queue, id, "c2"));

        Assert.Equal(1, await Streams.GetPendingCountAsync(queue));
        Assert.True(await Streams.AcknowledgeAsync(queue, id, "c1"));
    }

    [Fact]
    public async Task The_holder_may_acknowledge_after_its_lease_passed_while_no_one_else_took_the_message()
    {
        var (queue, id) = await LeaseOneAsync();
        Time.Advance(Lease * 2);

        Assert.True(await Streams.AcknowledgeAsync(queue, id, "c1"));
        Assert.Equal(0, await Streams.GetPendingCountAsync(queue));
    }

    [Fact]
    public async Task Once_another_consumer_took_the_expired_message_only_that_consumer_may_acknowledge()
    {
        var (queue, id) = await LeaseOneAsync();
        Time.Advance(Lease);
        Assert.NotNull(await Streams.DequeueAsync(queue, "c2", Lease));

        Assert.False(await Streams.AcknowledgeAsync(queue, id, "c1"));
        Assert.True(await Streams.AcknowledgeAsync(queue, id, "c2"));
    }

    [Fact]
    public async Task Acknowledging_an_unknown_message_or_on_an_unknown_queue_returns_false()
    {
        var (queue, _) = await LeaseOneAsync();

        Assert.False(await Streams.AcknowledgeAsync(queue, "no-such-id", "c1"));
        Assert.False(await Streams.AcknowledgeAsync(NewName("queue"), "no-such-id", "c1"));
        Assert.False(await Streams.NackAsync(NewName("queue"), "no-such-id", "c1"));
    }

    [Fact]
    public async Task A_nack_with_requeue_makes_the_message_visible_at_once()
    {
        var (queue, id) = await LeaseOneAsync();

        Assert.True(await Streams.NackAsync(queue, id, "c1", requeue: true));
        var again = await Streams.DequeueAsync(queue, "c2", Lease);

        Assert.Equal(id, again?.EventId);
        Assert.Equal(2, again?.DeliveryCount);
        Assert.False(await Streams.AcknowledgeAsync(queue, id, "c1"));
    }

    [Fact]
    public async Task A_nack_without_requeue_dead_letters_the_message_at_once()
    {
        var (queue, id) = await LeaseOneAsync();

        Assert.True(await Streams.NackAsync(queue, id, "c1", requeue: false));

        Assert.Equal(0, await Streams.GetPendingCountAsync(queue));
        var dead = Assert.Single(await DeadLetters.ReadAsync(queue, 10));
        Assert.Equal(id, dead.EventId);
        Assert.Equal(1, dead.DeliveryCount);
        Assert.Contains("c1", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(Time.GetUtcNow(), dead.DeadLetteredAt);
    }

    [Fact]
    public async Task A_nack_from_a_consumer_that_does_not_hold_the_message_changes_nothing()
    {
        var (queue, id) = await LeaseOneAsync();

        Assert.False(await Streams.NackAsync(queue, id, "c2", requeue: false));
        Assert.False(await Streams.NackAsync(queue, id, "c2", requeue: true));

        Assert.Null(await Streams.DequeueAsync(queue, "c2", Lease));
        Assert.Equal(0, await DeadLetters.CountAsync(queue));
        Assert.True(await Streams.AcknowledgeAsync(queue, id, "c1"));
    }
}
