using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Tests.Suites;

/// <summary>Append (single and batch), ReadStream, GetStreamMetadata, GetStreamLength.</summary>
public abstract class StreamRpcTests(GrpcServer server) : GrpcSuite(server)
{
    [Fact]
    public async Task Appended_events_read_back_in_order_with_their_envelope_and_json()
    {
        var stream = NewName();
        var sent = new[] { WireEvent(0, correlationId: "order-42"), WireEvent(1), WireEvent(2), WireEvent(3, type: "other.type") };

        Assert.Equal(0, (await Client.AppendAsync(new AppendRequest { StreamName = stream, Event = sent[0] }, cancellationToken: Timeout)).Offset);
        Assert.Equal(3, await AppendAsync(stream, sent[1..]));

        var read = await ReadAllAsync(new ReadStreamRequest { StreamName = stream });
        Assert.Equal([0L, 1, 2, 3], read.Select(e => e.Offset));
        Assert.All(read, e => Assert.Equal(stream, e.StreamName));
        Assert.All(read, e => Assert.Equal(Time.GetUtcNow(), e.Timestamp.ToDateTimeOffset()));
        for (var i = 0; i < sent.Length; i++)
        {
            AssertSameEvent(sent[i], read[i].Event);
        }
    }

    [Fact]
    public async Task An_event_of_a_type_no_dotnet_code_knows_is_stored_as_is_and_read_by_dotnet_as_an_UnknownEvent()
    {
        var stream = NewName();
        var sent = WireEvent(7, type: "python.service/Thing-Happened", correlationId: "c-1");
        await Client.AppendAsync(new AppendRequest { StreamName = stream, Event = sent }, cancellationToken: Timeout);

        var stored = Assert.Single(await Store.ReadStreamAsync(stream, 0, 10));
        var unknown = Assert.IsType<UnknownEvent>(stored.Event);
        Assert.Equal(("python.service/Thing-Happened", sent.EventId, "c-1"), (stored.EventType, stored.EventId, stored.CorrelationId));
        Assert.Equal(sent.OccurredAt.ToDateTimeOffset(), unknown.OccurredAt);
        Assert.Equal(sent.Json, unknown.Json);
    }

    [Fact]
    public async Task A_client_gets_back_exactly_the_json_it_sent()
    {
        var stream = NewName();
        var sent = WireEvent(1);
        sent.Json = " {\"z\":1, \"a\":1e400,\"a\":\"\\u00e9 😀\" ,\"n\":[ ]}\n";
        await Client.AppendAsync(new AppendRequest { StreamName = stream, Event = sent }, cancellationToken: Timeout);

        AssertSameEvent(sent, Assert.Single(await ReadAllAsync(new ReadStreamRequest { StreamName = stream })).Event);
    }

    [Fact]
    public async Task A_dotnet_event_sent_with_its_envelope_in_the_message_only_reads_back_with_that_envelope_every_time()
    {
        var stream = NewName();
        var sent = BareDotnetEvent("from-node", 9);
        await Client.AppendAsync(new AppendRequest { StreamName = stream, Event = sent }, cancellationToken: Timeout);

        var expected = new TestEvent("from-node", 9) { EventId = sent.EventId, CorrelationId = sent.CorrelationId, OccurredAt = sent.OccurredAt.ToDateTimeOffset() };
        for (var read = 0; read < 2; read++) // not a new id and time on every read
        {
            Assert.Equal(expected, Assert.Single(await Store.ReadStreamAsync(stream, 0, 10)).Event);
            AssertSameEvent(sent, Assert.Single(await ReadAllAsync(new ReadStreamRequest { StreamName = stream })).Event);
        }
    }

    [Fact]
    public async Task A_StoredEvent_returned_by_a_minimal_api_carries_its_payload()
    {
        var stream = NewName();
        await Store.AppendAsync(stream, new TestEvent("over-http", 5) { CorrelationId = "c" });
        await using var app = await Server.StartAppAsync(configureApp: a =>
            a.MapGet("/streams/{name}", (string name, IEventStreamStore store) => store.ReadStreamAsync(name, 0, 10)));
        using var http = new HttpClient
        {
            BaseAddress = app.Address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/streams/{stream}", UriKind.Relative), Timeout));

        var @event = Assert.Single(document.RootElement.EnumerateArray()).GetProperty("event");
        Assert.Equal(("over-http", 5, "c"), (@event.GetProperty("name").GetString(), @event.GetProperty("number").GetInt32(),
            @event.GetProperty("correlationId").GetString()));
    }

    [Fact]
    public async Task A_dotnet_event_reads_as_its_type_name_and_the_json_the_serializer_stores()
    {
        var stream = NewName();
        var appended = new TestEvent("from-dotnet", 5) { CorrelationId = "corr" };
        await Store.AppendAsync(stream, appended);

        var read = Assert.Single(await ReadAllAsync(new ReadStreamRequest { StreamName = stream }));
        Assert.Equal(Serializer.GetEventTypeName(typeof(TestEvent)), read.Event.EventType);
        Assert.Equal((appended.EventId, "corr"), (read.Event.EventId, read.Event.CorrelationId));
        Assert.Equal(appended.OccurredAt, read.Event.OccurredAt.ToDateTimeOffset());
        Assert.Equal(Serializer.Serialize(appended).Json, read.Event.Json);

        // And a client can write a .NET event back: same name, same JSON, and .NET reads it as its type.
        var copy = read.Event.Clone();
        copy.EventId = Guid.NewGuid().ToString();
        copy.Json = copy.Json.Replace(appended.EventId, copy.EventId, StringComparison.Ordinal);
        await Client.AppendAsync(new AppendRequest { StreamName = stream, Event = copy }, cancellationToken: Timeout);
        var typed = (await Store.ReadStreamAsync(stream, 1, 1))[0].Event;
        Assert.Equal(appended with { EventId = copy.EventId }, typed);
    }

    [Fact]
    public async Task ReadStream_pages_through_long_streams_from_an_offset_and_up_to_max_count()
    {
        var stream = NewName();
        var count = (GrpcServer.PageSize * 3) + 2;
        await AppendAsync(stream, Enumerable.Range(0, count).Select(i => WireEvent(i)).ToArray());

        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), (await ReadAllAsync(new ReadStreamRequest { StreamName = stream })).Select(e => e.Offset));
        Assert.Equal(Enumerable.Range(4, count - 4).Select(i => (long)i),
            (await ReadAllAsync(new ReadStreamRequest { StreamName = stream, FromOffset = 4 })).Select(e => e.Offset));
        Assert.Equal(Enumerable.Range(3, GrpcServer.PageSize * 2).Select(i => (long)i),
            (await ReadAllAsync(new ReadStreamRequest { StreamName = stream, FromOffset = 3, MaxCount = GrpcServer.PageSize * 2 })).Select(e => e.Offset));
        Assert.Empty(await ReadAllAsync(new ReadStreamRequest { StreamName = stream, FromOffset = count }));
        Assert.Empty(await ReadAllAsync(new ReadStreamRequest { StreamName = NewName("missing") }));
    }

    [Fact]
    public async Task Appends_are_idempotent_by_event_id()
    {
        var stream = NewName();
        var e = WireEvent(1);
        await AppendAsync(stream, WireEvent(0), e);

        Assert.Equal(1, (await Client.AppendAsync(new AppendRequest { StreamName = stream, Event = e }, cancellationToken: Timeout)).Offset);
        Assert.Equal(1, (await Client.AppendAsync(new AppendRequest { StreamName = stream, Event = e, ExpectedLength = 0 }, cancellationToken: Timeout)).Offset);
        Assert.Equal(2, (await Client.GetStreamLengthAsync(new GetStreamLengthRequest { StreamName = stream }, cancellationToken: Timeout)).Length);
    }

    [Fact]
    public async Task Expected_length_lets_an_append_through_only_when_it_matches()
    {
        var stream = NewName();
        var first = new AppendBatchRequest { StreamName = stream, ExpectedLength = 0 };
        first.Events.AddRange([WireEvent(0), WireEvent(1)]);
        Assert.Equal(1, (await Client.AppendBatchAsync(first, cancellationToken: Timeout)).Offset);

        Assert.Equal(2, (await Client.AppendAsync(new AppendRequest { StreamName = stream, Event = WireEvent(2), ExpectedLength = 2 }, cancellationToken: Timeout)).Offset);
        Assert.Equal(3, (await Client.GetStreamLengthAsync(new GetStreamLengthRequest { StreamName = stream }, cancellationToken: Timeout)).Length);
    }

    [Fact]
    public async Task Metadata_and_length_describe_the_stream()
    {
        var missing = await Client.GetStreamMetadataAsync(new GetStreamMetadataRequest { StreamName = NewName("missing") }, cancellationToken: Timeout);
        Assert.False(missing.Exists);
        Assert.Equal((0L, 0L), (missing.Length, missing.RetainedCount));
        Assert.False(missing.HasOldestEventOffset || missing.HasNewestEventOffset);
        Assert.Null(missing.OldestEventTimestamp);
        Assert.Null(missing.NewestEventTimestamp);

        var stream = NewName();
        var firstAt = Time.GetUtcNow();
        await AppendAsync(stream, WireEvent(0), WireEvent(1));
        Time.Advance(TimeSpan.FromMinutes(1));
        await AppendAsync(stream, WireEvent(2));

        var metadata = await Client.GetStreamMetadataAsync(new GetStreamMetadataRequest { StreamName = stream }, cancellationToken: Timeout);
        Assert.True(metadata.Exists);
        Assert.Equal((stream, 3L, 3L, 0L, 2L), (metadata.StreamName, metadata.Length, metadata.RetainedCount, metadata.OldestEventOffset, metadata.NewestEventOffset));
        Assert.Equal(firstAt, metadata.OldestEventTimestamp.ToDateTimeOffset());
        Assert.Equal(Time.GetUtcNow(), metadata.NewestEventTimestamp.ToDateTimeOffset());
        Assert.Equal(3, (await Client.GetStreamLengthAsync(new GetStreamLengthRequest { StreamName = stream }, cancellationToken: Timeout)).Length);
    }
}
