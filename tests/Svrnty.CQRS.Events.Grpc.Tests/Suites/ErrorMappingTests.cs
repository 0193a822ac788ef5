using System.Data.Common;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Tests.Suites;

/// <summary>Status codes: INVALID_ARGUMENT with the field, ABORTED with the lengths, UNAVAILABLE and INTERNAL without
/// details. (NOT_FOUND is covered with the queue RPCs.)</summary>
public abstract class ErrorMappingTests(GrpcServer server) : GrpcSuite(server)
{
    private async Task<long> LengthAsync(string stream) =>
        (await Client.GetStreamLengthAsync(new GetStreamLengthRequest { StreamName = stream }, cancellationToken: Timeout)).Length;

    [Fact]
    public async Task Bad_input_is_INVALID_ARGUMENT_naming_the_field_and_nothing_is_written()
    {
        var stream = NewName();
        await InvalidArgumentAsync("stream_name", () => Client.AppendAsync(new AppendRequest { StreamName = "", Event = WireEvent() }).ResponseAsync);
        await InvalidArgumentAsync("stream_name", () => Client.AppendAsync(new AppendRequest { StreamName = new string('s', 257), Event = WireEvent() }).ResponseAsync);
        await InvalidArgumentAsync("event", () => Client.AppendAsync(new AppendRequest { StreamName = stream }).ResponseAsync);
        await InvalidArgumentAsync("event.event_id", () => Client.AppendAsync(new AppendRequest { StreamName = stream, Event = WireEvent(id: " ") }).ResponseAsync);
        await InvalidArgumentAsync("event.event_type", () => Client.AppendAsync(new AppendRequest { StreamName = stream, Event = WireEvent(type: "") }).ResponseAsync);
        var notJson = WireEvent();
        notJson.Json = "{ not json";
        await InvalidArgumentAsync("event.json", () => Client.AppendAsync(new AppendRequest { StreamName = stream, Event = notJson }).ResponseAsync);
        var nul = WireEvent();
        nul.Json = """{"text":"a\u0000b"}""";
        await InvalidArgumentAsync("event.json", () => Client.AppendAsync(new AppendRequest { StreamName = stream, Event = nul }).ResponseAsync);
        var loneSurrogate = WireEvent();
        loneSurrogate.Json = """{"a":"\ud800"}""";
        await InvalidArgumentAsync("event.json", () => Client.AppendAsync(new AppendRequest { StreamName = stream, Event = loneSurrogate }).ResponseAsync);
        await InvalidArgumentAsync("event.json", () => Client.EnqueueAsync(new EnqueueRequest { QueueName = stream, Event = loneSurrogate }).ResponseAsync);
        var tooLarge = WireEvent(); // over the 1 MiB default, and not JSON: the size is refused before any parse
        tooLarge.Json = "{" + new string('x', 1_100_000);
        await InvalidArgumentAsync("event.json", () => Client.AppendAsync(new AppendRequest { StreamName = stream, Event = tooLarge }).ResponseAsync);
        await InvalidArgumentAsync("expected_length", () =>
            Client.AppendAsync(new AppendRequest { StreamName = stream, Event = WireEvent(), ExpectedLength = -1 }).ResponseAsync);

        await InvalidArgumentAsync("events", () => Client.AppendBatchAsync(new AppendBatchRequest { StreamName = stream }).ResponseAsync);
        var duplicate = WireEvent(1);
        var twice = new AppendBatchRequest { StreamName = stream };
        twice.Events.AddRange([WireEvent(0), duplicate, duplicate]);
        await InvalidArgumentAsync("events", () => Client.AppendBatchAsync(twice).ResponseAsync);
        var badSecond = new AppendBatchRequest { StreamName = stream };
        badSecond.Events.AddRange([WireEvent(0), notJson]);
        await InvalidArgumentAsync("events[1].json", () => Client.AppendBatchAsync(badSecond).ResponseAsync);
        Assert.Equal(0, await LengthAsync(stream));

        await InvalidArgumentAsync("from_offset", () => ReadAllAsync(new ReadStreamRequest { StreamName = stream, FromOffset = -1 }));
        await InvalidArgumentAsync("from_timestamp", () => ReadSubscriptionAsync(new SubscribeRequest { StreamName = stream, Start = SubscriptionStart.Timestamp }));
        await InvalidArgumentAsync("consumer_group", () => ReadSubscriptionAsync(new SubscribeRequest { StreamName = stream, ConsumerGroup = "" }));
        await InvalidArgumentAsync("visibility_timeout", () => Client.DequeueAsync(new DequeueRequest { QueueName = "q", ConsumerId = "c" }).ResponseAsync);
        await InvalidArgumentAsync("visibility_timeout", () =>
            Client.DequeueAsync(new DequeueRequest { QueueName = "q", ConsumerId = "c", VisibilityTimeout = new Duration() }).ResponseAsync);
        await InvalidArgumentAsync("consumer_id", () =>
            Client.AcknowledgeAsync(new AcknowledgeRequest { QueueName = "q", EventId = "e", ConsumerId = "bad\u0001id" }).ResponseAsync);
        await InvalidArgumentAsync("max_count", () => Client.ListDeadLettersAsync(new ListDeadLettersRequest { QueueName = "q", MaxCount = 10_001 }).ResponseAsync);
        await InvalidArgumentAsync("next_offset", () =>
            Client.CommitOffsetAsync(new CommitOffsetRequest { StreamName = stream, ConsumerGroup = "g", NextOffset = -1 }).ResponseAsync);
        Assert.False((await Client.GetOffsetAsync(new GetOffsetRequest { StreamName = stream, ConsumerGroup = "g" })).HasNextOffset);
    }

    [Fact]
    public async Task A_body_that_is_not_a_valid_message_is_INVALID_ARGUMENT_naming_the_request()
    {
        var invoker = Server.App.Channel.CreateCallInvoker();
        var bytes = Marshallers.Create<byte[]>(b => b, b => b);
        Method<byte[], byte[]> Method(MethodType type, string name) => new(type, "svrnty.events.v1.EventStreaming", name, bytes, bytes);
        byte[] truncated = [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x41]; // field 1 announces far more bytes than follow
        byte[] notUtf8 = [0x0A, 0x02, 0xC3, 0x28]; // field 1 (stream_name / queue_name) holds two bytes that are not UTF-8

        foreach (var body in new[] { truncated, notUtf8 })
        {
            var unary = await FailsWithAsync(StatusCode.InvalidArgument, () =>
                invoker.AsyncUnaryCall(Method(MethodType.Unary, "Enqueue"), null, new CallOptions(cancellationToken: Timeout), body).ResponseAsync);
            Assert.Equal("request", unary.Trailers.GetValue(EventStreamingGrpcMetadata.ParameterName));

            using var call = invoker.AsyncServerStreamingCall(Method(MethodType.ServerStreaming, "ReadStream"), null,
                new CallOptions(cancellationToken: Timeout), body);
            var streaming = await FailsWithAsync(StatusCode.InvalidArgument, () => call.ResponseStream.MoveNext(Timeout));
            Assert.Equal("request", streaming.Trailers.GetValue(EventStreamingGrpcMetadata.ParameterName));
        }
    }

    private async Task ReadSubscriptionAsync(SubscribeRequest request)
    {
        using var call = Client.Subscribe(request, cancellationToken: Timeout);
        await call.ResponseStream.MoveNext(Timeout);
    }

    [Fact]
    public async Task A_wrong_expected_length_is_ABORTED_with_both_lengths_and_nothing_is_written()
    {
        var stream = NewName();
        await AppendAsync(stream, WireEvent(0), WireEvent(1));
        var batch = new AppendBatchRequest { StreamName = stream, ExpectedLength = 1 };
        batch.Events.AddRange([WireEvent(2), WireEvent(3)]);

        var e = await FailsWithAsync(StatusCode.Aborted, () => Client.AppendBatchAsync(batch, cancellationToken: Timeout).ResponseAsync);
        Assert.Equal("1", e.Trailers.GetValue(EventStreamingGrpcMetadata.ExpectedLength));
        Assert.Equal("2", e.Trailers.GetValue(EventStreamingGrpcMetadata.ActualLength));
        Assert.Contains("expected to have length 1 but has length 2", e.Status.Detail, StringComparison.Ordinal);

        var single = await FailsWithAsync(StatusCode.Aborted, () =>
            Client.AppendAsync(new AppendRequest { StreamName = stream, Event = WireEvent(4), ExpectedLength = 0 }, cancellationToken: Timeout).ResponseAsync);
        Assert.Equal("0", single.Trailers.GetValue(EventStreamingGrpcMetadata.ExpectedLength));
        Assert.Equal(2, await LengthAsync(stream));
    }

    [Fact]
    public async Task A_database_failure_is_UNAVAILABLE_without_details()
    {
        var down = NewName("down");
        Server.Faults.FailOn(down, new FakeDbException("could not connect to server at db.internal:5432 (Password=hunter2)"));
        var slow = NewName("slow");
        Server.Faults.FailOn(slow, new TimeoutException("Timeout during reading attempt against db.internal"));

        foreach (var e in new[]
                 {
                     await FailsWithAsync(StatusCode.Unavailable, () => LengthAsync(down)),
                     await FailsWithAsync(StatusCode.Unavailable, () => AppendAsync(down, WireEvent())),
                     await FailsWithAsync(StatusCode.Unavailable, () => ReadAllAsync(new ReadStreamRequest { StreamName = down })),
                     await FailsWithAsync(StatusCode.Unavailable, () => Client.EnqueueAsync(new EnqueueRequest { QueueName = slow, Event = WireEvent() }).ResponseAsync),
                 })
        {
            AssertNoDetails(e);
        }
    }

    [Fact]
    public async Task An_unexpected_failure_is_INTERNAL_without_details()
    {
        var broken = NewName("broken");
        Server.Faults.FailOn(broken, new InvalidOperationException("secret internal state at db.internal"));

        var e = await FailsWithAsync(StatusCode.Internal, () => LengthAsync(broken));
        AssertNoDetails(e);
        Assert.Contains("trace id", e.Status.Detail, StringComparison.Ordinal);
    }

    private static void AssertNoDetails(RpcException e)
    {
        var everything = e.Status.Detail + string.Join(";", e.Trailers.Select(t => $"{t.Key}={t.Value}"));
        Assert.DoesNotContain("db.internal", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", everything, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain("Exception", everything, StringComparison.Ordinal);
    }

    private sealed class FakeDbException(string message) : DbException(message);
}
