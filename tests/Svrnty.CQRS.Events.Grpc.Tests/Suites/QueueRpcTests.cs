using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Tests.Suites;

/// <summary>Enqueue, Dequeue with a visibility timeout, Acknowledge, Nack, GetPendingCount, dead letters.</summary>
public abstract class QueueRpcTests(GrpcServer server) : GrpcSuite(server)
{
    private static readonly Duration ThirtySeconds = Duration.FromTimeSpan(TimeSpan.FromSeconds(30));

    private Task EnqueueAsync(string queue, Event e) =>
        Client.EnqueueAsync(new EnqueueRequest { QueueName = queue, Event = e }, cancellationToken: Timeout).ResponseAsync;

    private async Task<QueueMessage?> DequeueAsync(string queue, string consumer) =>
        (await Client.DequeueAsync(new DequeueRequest { QueueName = queue, ConsumerId = consumer, VisibilityTimeout = ThirtySeconds },
            cancellationToken: Timeout)).Message;

    private async Task<long> PendingAsync(string queue) =>
        (await Client.GetPendingCountAsync(new GetPendingCountRequest { QueueName = queue }, cancellationToken: Timeout)).Count;

    [Fact]
    public async Task Messages_are_leased_in_order_to_one_consumer_at_a_time_and_removed_by_an_ack()
    {
        var queue = NewName("queue");
        var (first, second) = (WireEvent(0, correlationId: "c"), WireEvent(1));
        await EnqueueAsync(queue, first);
        await EnqueueAsync(queue, second);
        await EnqueueAsync(queue, first); // still pending: a no-op
        Assert.Equal(2, await PendingAsync(queue));

        var leased = await DequeueAsync(queue, "worker-1");
        Assert.NotNull(leased);
        Assert.Equal((queue, "worker-1", 1), (leased.QueueName, leased.ConsumerId, leased.DeliveryCount));
        Assert.Equal(Time.GetUtcNow() + TimeSpan.FromSeconds(30), leased.VisibleUntil.ToDateTimeOffset());
        AssertSameEvent(first, leased.Event);
        AssertSameEvent(second, (await DequeueAsync(queue, "worker-2"))!.Event);
        Assert.Null(await DequeueAsync(queue, "worker-3"));

        await Client.AcknowledgeAsync(new AcknowledgeRequest { QueueName = queue, EventId = first.EventId, ConsumerId = "worker-1" }, cancellationToken: Timeout);
        Assert.Equal(1, await PendingAsync(queue));
    }

    [Fact]
    public async Task A_lease_that_expires_is_redelivered_and_the_former_holder_can_no_longer_ack()
    {
        var queue = NewName("queue");
        var e = WireEvent(0);
        await EnqueueAsync(queue, e);
        Assert.NotNull(await DequeueAsync(queue, "slow"));
        Assert.Null(await DequeueAsync(queue, "fast"));

        Time.Advance(TimeSpan.FromSeconds(31));
        var redelivered = await DequeueAsync(queue, "fast");
        Assert.Equal((e.EventId, 2), (redelivered!.Event.EventId, redelivered.DeliveryCount));

        var notHeld = await FailsWithAsync(StatusCode.NotFound, () =>
            Client.AcknowledgeAsync(new AcknowledgeRequest { QueueName = queue, EventId = e.EventId, ConsumerId = "slow" }, cancellationToken: Timeout).ResponseAsync);
        Assert.Contains("does not hold", notHeld.Status.Detail, StringComparison.Ordinal);
        await Client.AcknowledgeAsync(new AcknowledgeRequest { QueueName = queue, EventId = e.EventId, ConsumerId = "fast" }, cancellationToken: Timeout);
        Assert.Equal(0, await PendingAsync(queue));
    }

    [Fact]
    public async Task Nack_requeues_or_dead_letters_and_a_dead_letter_can_be_listed_and_requeued()
    {
        var queue = NewName("queue");
        var e = WireEvent(0, correlationId: "corr");
        await EnqueueAsync(queue, e);

        await DequeueAsync(queue, "w1");
        await Client.NackAsync(new NackRequest { QueueName = queue, EventId = e.EventId, ConsumerId = "w1" }, cancellationToken: Timeout);
        Assert.Equal(2, (await DequeueAsync(queue, "w2"))!.DeliveryCount); // visible again at once
        await FailsWithAsync(StatusCode.NotFound, () =>
            Client.NackAsync(new NackRequest { QueueName = queue, EventId = e.EventId, ConsumerId = "w1" }, cancellationToken: Timeout).ResponseAsync);

        await Client.NackAsync(new NackRequest { QueueName = queue, EventId = e.EventId, ConsumerId = "w2", DeadLetter = true }, cancellationToken: Timeout);
        Assert.Equal(0, await PendingAsync(queue));
        var listed = await Client.ListDeadLettersAsync(new ListDeadLettersRequest { QueueName = queue }, cancellationToken: Timeout);
        Assert.Equal(1, listed.TotalCount);
        var dead = Assert.Single(listed.DeadLetters);
        Assert.Equal((queue, 2), (dead.QueueName, dead.DeliveryCount));
        Assert.False(string.IsNullOrEmpty(dead.Reason));
        Assert.Equal(Time.GetUtcNow(), dead.DeadLetteredAt.ToDateTimeOffset());
        AssertSameEvent(e, dead.Event);

        await Client.RequeueDeadLetterAsync(new RequeueDeadLetterRequest { QueueName = queue, EventId = e.EventId }, cancellationToken: Timeout);
        Assert.Empty((await Client.ListDeadLettersAsync(new ListDeadLettersRequest { QueueName = queue }, cancellationToken: Timeout)).DeadLetters);
        var fresh = await DequeueAsync(queue, "w3");
        Assert.Equal((e.EventId, 1), (fresh!.Event.EventId, fresh.DeliveryCount));

        var missing = await FailsWithAsync(StatusCode.NotFound, () =>
            Client.RequeueDeadLetterAsync(new RequeueDeadLetterRequest { QueueName = queue, EventId = e.EventId }, cancellationToken: Timeout).ResponseAsync);
        Assert.Contains(e.EventId, missing.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dotnet_event_keeps_its_correlation_id_and_time_through_the_queue_and_its_dead_letters()
    {
        var queue = NewName("queue");
        var sent = BareDotnetEvent("job", 4, correlationId: "req-42");
        await EnqueueAsync(queue, sent);

        AssertSameEvent(sent, (await DequeueAsync(queue, "w1"))!.Event);
        await Client.NackAsync(new NackRequest { QueueName = queue, EventId = sent.EventId, ConsumerId = "w1", DeadLetter = true }, cancellationToken: Timeout);
        var listed = await Client.ListDeadLettersAsync(new ListDeadLettersRequest { QueueName = queue }, cancellationToken: Timeout);
        AssertSameEvent(sent, Assert.Single(listed.DeadLetters).Event);

        var expected = new TestEvent("job", 4) { EventId = sent.EventId, CorrelationId = "req-42", OccurredAt = sent.OccurredAt.ToDateTimeOffset() };
        var dead = Assert.Single(await Server.Services.GetRequiredService<Abstractions.IDeadLetterStore>().ReadAsync(queue, 10));
        Assert.Equal(expected, dead.Event);
    }

    [Fact]
    public async Task Dequeue_from_an_empty_queue_returns_no_message()
    {
        Assert.Null(await DequeueAsync(NewName("queue"), "w"));
        Assert.Equal(0, await PendingAsync(NewName("queue")));
    }
}
