using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Tests.Suites;

/// <summary>WriteBatch: appends, enqueues, offset commits and acknowledgements in one commit; ABORTED naming the
/// stream, FAILED_PRECONDITION for a lost lease, INVALID_ARGUMENT naming the field; nothing written on failure.</summary>
public abstract class BatchRpcTests(GrpcServer server) : GrpcSuite(server)
{
    private static readonly Duration ThirtySeconds = Duration.FromTimeSpan(TimeSpan.FromSeconds(30));

    private static BatchOperation Append(string stream, long? expectedLength, params Event[] events)
    {
        var append = new BatchAppend { StreamName = stream };
        append.Events.AddRange(events);
        if (expectedLength is { } expected)
        {
            append.ExpectedLength = expected;
        }

        return new BatchOperation { Append = append };
    }

    private static BatchOperation Enqueue(string queue, Event e) => new() { Enqueue = new BatchEnqueue { QueueName = queue, Event = e } };

    private static BatchOperation Commit(string stream, string group, long next) =>
        new() { CommitOffset = new BatchCommitOffset { StreamName = stream, ConsumerGroup = group, NextOffset = next } };

    private static BatchOperation Ack(string queue, string eventId, string consumer) =>
        new() { Acknowledge = new BatchAcknowledge { QueueName = queue, EventId = eventId, ConsumerId = consumer } };

    private async Task<WriteBatchResponse> WriteAsync(params BatchOperation[] operations)
    {
        var request = new WriteBatchRequest();
        request.Operations.AddRange(operations);
        return await Client.WriteBatchAsync(request, cancellationToken: Timeout);
    }

    private async Task<long> LengthAsync(string stream) =>
        (await Client.GetStreamLengthAsync(new GetStreamLengthRequest { StreamName = stream }, cancellationToken: Timeout)).Length;

    private async Task<long> PendingAsync(string queue) =>
        (await Client.GetPendingCountAsync(new GetPendingCountRequest { QueueName = queue }, cancellationToken: Timeout)).Count;

    private async Task<GetOffsetResponse> OffsetAsync(string stream, string group) =>
        await Client.GetOffsetAsync(new GetOffsetRequest { StreamName = stream, ConsumerGroup = group }, cancellationToken: Timeout);

    private async Task<QueueMessage> DequeueAsync(string queue, string consumer) =>
        (await Client.DequeueAsync(new DequeueRequest { QueueName = queue, ConsumerId = consumer, VisibilityTimeout = ThirtySeconds },
            cancellationToken: Timeout)).Message ?? throw new InvalidOperationException($"Queue {queue} had no message for {consumer}.");

    [Fact]
    public async Task A_batch_writes_every_operation_and_returns_each_appends_offset()
    {
        var (order, audit, emails, inbox) = (NewName("order"), NewName("audit"), NewName("emails"), NewName("inbox"));
        await AppendAsync(audit, WireEvent(0));
        var incoming = WireEvent(9);
        await Client.EnqueueAsync(new EnqueueRequest { QueueName = inbox, Event = incoming }, cancellationToken: Timeout);
        var leased = await DequeueAsync(inbox, "worker-1");

        var (placed, paid, audited, email) = (WireEvent(1), WireEvent(2), WireEvent(3), WireEvent(4, type: "send-receipt"));
        var response = await WriteAsync(
            Append(order, expectedLength: 0, placed),
            Append(audit, expectedLength: 1, audited),
            Append(order, expectedLength: 1, paid), // sees the first append of the batch
            Enqueue(emails, email),
            Commit(inbox, "handler", 1),
            Ack(inbox, leased.Event.EventId, "worker-1"));

        Assert.Equal([0L, 1L, 1L], response.Offsets);
        var stored = await ReadAllAsync(new ReadStreamRequest { StreamName = order });
        Assert.Equal([placed.EventId, paid.EventId], stored.Select(s => s.Event.EventId));
        AssertSameEvent(placed, stored[0].Event);
        Assert.Equal(2, await LengthAsync(audit));
        AssertSameEvent(email, (await DequeueAsync(emails, "mailer")).Event);
        Assert.Equal(0, await PendingAsync(inbox));
        Assert.Equal(1, (await OffsetAsync(inbox, "handler")).NextOffset);

        // A retry of the whole batch after a lost reply: the appends are idempotent and return the same offsets.
        var retried = await WriteAsync(Append(order, expectedLength: 0, placed), Append(order, expectedLength: 1, paid));
        Assert.Equal([0L, 1L], retried.Offsets);
        Assert.Equal(2, await LengthAsync(order));
    }

    [Fact]
    public async Task A_wrong_expected_length_is_ABORTED_naming_the_stream_and_nothing_of_the_batch_is_written()
    {
        var (order, other, emails) = (NewName("order"), NewName("commandes-été"), NewName("emails"));
        await AppendAsync(other, WireEvent(0), WireEvent(1));

        var e = await FailsWithAsync(StatusCode.Aborted, () => WriteAsync(
            Append(order, expectedLength: 0, WireEvent(2)),
            Enqueue(emails, WireEvent(3)),
            Commit(order, "projector", 1),
            Append(other, expectedLength: 1, WireEvent(4))));

        Assert.Contains($"'{other}'", e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(other, Uri.UnescapeDataString(e.Trailers.GetValue(EventStreamingGrpcMetadata.StreamName)!));
        Assert.Equal("1", e.Trailers.GetValue(EventStreamingGrpcMetadata.ExpectedLength));
        Assert.Equal("2", e.Trailers.GetValue(EventStreamingGrpcMetadata.ActualLength));
        Assert.Equal(0, await LengthAsync(order));
        Assert.Equal(2, await LengthAsync(other));
        Assert.Equal(0, await PendingAsync(emails));
        Assert.False((await OffsetAsync(order, "projector")).HasNextOffset);
    }

    [Fact]
    public async Task An_ack_of_a_message_the_consumer_no_longer_holds_is_FAILED_PRECONDITION_and_nothing_is_written()
    {
        var (queue, projection, emails) = (NewName("queue"), NewName("projection"), NewName("emails"));
        var message = WireEvent(0);
        await Client.EnqueueAsync(new EnqueueRequest { QueueName = queue, Event = message }, cancellationToken: Timeout);
        await DequeueAsync(queue, "slow");
        Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(2, (await DequeueAsync(queue, "fast")).DeliveryCount); // the slow consumer's lease has passed

        var e = await FailsWithAsync(StatusCode.FailedPrecondition, () => WriteAsync(
            Append(projection, expectedLength: null, WireEvent(1)),
            Enqueue(emails, WireEvent(2)),
            Ack(queue, message.EventId, "slow")));

        Assert.Contains("'slow'", e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(queue, e.Trailers.GetValue(EventStreamingGrpcMetadata.QueueName));
        Assert.Equal(message.EventId, e.Trailers.GetValue(EventStreamingGrpcMetadata.EventId));
        Assert.Equal(0, await LengthAsync(projection));
        Assert.Equal(0, await PendingAsync(emails));
        Assert.Equal(1, await PendingAsync(queue)); // still the fast consumer's

        await WriteAsync(Append(projection, expectedLength: 0, WireEvent(1)), Ack(queue, message.EventId, "fast"));
        Assert.Equal(0, await PendingAsync(queue));
    }

    [Fact]
    public async Task Bad_input_is_INVALID_ARGUMENT_naming_the_field_and_nothing_is_written()
    {
        var (stream, queue) = (NewName(), NewName("queue"));
        var notJson = WireEvent(1);
        notJson.Json = "{ not json";
        var duplicate = WireEvent(2);

        await InvalidArgumentAsync("operations", () => WriteAsync());
        await InvalidArgumentAsync("operations[1]", () => WriteAsync(Enqueue(queue, WireEvent(0)), new BatchOperation()));
        await InvalidArgumentAsync("operations[1].append.events[1].json", () =>
            WriteAsync(Enqueue(queue, WireEvent(0)), Append(stream, null, WireEvent(3), notJson)));
        await InvalidArgumentAsync("operations[0].append.events", () => WriteAsync(Append(stream, null, duplicate, duplicate)));
        await InvalidArgumentAsync("operations[0].append.events", () => WriteAsync(Append(stream, null)));
        await InvalidArgumentAsync("operations[0].append.stream_name", () => WriteAsync(Append("$all", null, WireEvent(0))));
        await InvalidArgumentAsync("operations[0].append.expected_length", () => WriteAsync(Append(stream, -1, WireEvent(0))));
        await InvalidArgumentAsync("operations[1].enqueue.queue_name", () => WriteAsync(Append(stream, null, WireEvent(0)), Enqueue("", WireEvent(1))));
        await InvalidArgumentAsync("operations[0].enqueue.event", () =>
            WriteAsync(new BatchOperation { Enqueue = new BatchEnqueue { QueueName = queue } }));
        await InvalidArgumentAsync("operations[0].commit_offset.next_offset", () => WriteAsync(Commit(stream, "g", -1)));
        await InvalidArgumentAsync("operations[0].commit_offset.consumer_group", () => WriteAsync(Commit(stream, " ", 1)));
        await InvalidArgumentAsync("operations[0].acknowledge.consumer_id", () => WriteAsync(Ack(queue, "e", "bad\u0001id")));

        var tooMany = Enumerable.Range(0, 10_000).Select(i => WireEvent(i)).ToArray();
        await InvalidArgumentAsync("operations", () => WriteAsync(Append(stream, null, tooMany), Enqueue(queue, WireEvent(0))));

        Assert.Equal(0, await LengthAsync(stream));
        Assert.Equal(0, await PendingAsync(queue));
        Assert.False((await OffsetAsync(stream, "g")).HasNextOffset);
    }
}
