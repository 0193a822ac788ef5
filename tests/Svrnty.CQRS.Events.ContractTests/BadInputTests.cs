using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests;

/// <summary>
/// DESIGN.md semantics 14: bad input fails with an <see cref="ArgumentException"/> naming the parameter, before any
/// I/O, with nothing written.
/// </summary>
public abstract class BadInputTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private const string Stream = "bad-input-target";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly string TooLong = new('x', 257);

    // 1 MiB + 1 byte of JSON once quoted and wrapped: over the default EventSerializationOptions.MaxEventSizeBytes.
    private static readonly string OverOneMebibyte = new('x', 1024 * 1024);

    private static readonly Dictionary<string, (string Param, Func<BadInputTests, Task> Act)> Cases = new()
    {
        ["append: null stream"] = ("streamName", t => t.Streams.AppendAsync(null!, NewEvent())),
        ["append: empty stream"] = ("streamName", t => t.Streams.AppendAsync("", NewEvent())),
        ["append: blank stream"] = ("streamName", t => t.Streams.AppendAsync("   ", NewEvent())),
        ["append: 257-char stream"] = ("streamName", t => t.Streams.AppendAsync(TooLong, NewEvent())),
        ["append: control char in stream"] = ("streamName", t => t.Streams.AppendAsync("a\0b", NewEvent())),
        ["append: null event"] = ("event", t => t.Streams.AppendAsync(Stream, (ICorrelatedEvent)null!)),
        ["append: empty event id"] = ("event", t => t.Streams.AppendAsync(Stream, NewEvent() with { EventId = "" })),
        ["append: 257-char event id"] = ("event", t => t.Streams.AppendAsync(Stream, NewEvent() with { EventId = TooLong })),
        ["append: 257-char correlation id"] = ("event", t => t.Streams.AppendAsync(Stream, NewEvent() with { CorrelationId = TooLong })),
        ["append: event over the maximum size"] = ("event", t => t.Streams.AppendAsync(Stream, new LargeEvent(OverOneMebibyte))),
        ["append: event whose serialization throws"] = ("event", t => t.Streams.AppendAsync(Stream, new ExplodingEvent(1))),
        ["batch: one event over the maximum size"] = ("events", t => t.Streams.AppendAsync(Stream, [NewEvent(), new LargeEvent(OverOneMebibyte)])),
        ["batch: one event whose serialization throws"] = ("events", t => t.Streams.AppendAsync(Stream, [NewEvent(), new ExplodingEvent(2)])),
        ["enqueue: event over the maximum size"] = ("event", t => t.Streams.EnqueueAsync(Stream, new LargeEvent(OverOneMebibyte))),
        ["enqueue: event whose serialization throws"] = ("event", t => t.Streams.EnqueueAsync(Stream, new ExplodingEvent(3))),
        ["enqueue: SQL-looking control characters"] = ("streamName", t => t.Streams.EnqueueAsync("q';\u0007--", NewEvent())),
        ["read: offset long.MinValue"] = ("fromOffset", t => t.Streams.ReadStreamAsync(Stream, long.MinValue, 10)),
        ["read: maxCount int.MaxValue"] = ("maxCount", t => t.Streams.ReadStreamAsync(Stream, 0, int.MaxValue)),
        ["read: maxCount negative"] = ("maxCount", t => t.Streams.ReadStreamAsync(Stream, 0, -1)),
        ["dequeue: timeout of one tick below zero"] = ("visibilityTimeout", t => t.Streams.DequeueAsync(Stream, "c", TimeSpan.FromTicks(-1))),
        ["extend lease: zero timeout"] = ("visibilityTimeout", t => t.Fixture.Services.GetRequiredService<IQueueLeaseExtender>().ExtendLeaseAsync(Stream, "id", "c", TimeSpan.Zero)),
        ["batch: null"] = ("events", t => t.Streams.AppendAsync(Stream, (IReadOnlyCollection<ICorrelatedEvent>)null!)),
        ["batch: empty"] = ("events", t => t.Streams.AppendAsync(Stream, Array.Empty<ICorrelatedEvent>())),
        ["batch: null element"] = ("events", t => t.Streams.AppendAsync(Stream, [NewEvent(), null!])),
        ["batch: invalid element"] = ("events", t => t.Streams.AppendAsync(Stream, [NewEvent(), NewEvent() with { EventId = " " }])),
        ["batch: duplicate ids"] = ("events", t =>
        {
            var e = NewEvent();
            return t.Streams.AppendAsync(Stream, [e, NewEvent(), e]);
        }),
        ["batch: negative expected length"] = ("expectedLength", t => t.Streams.AppendAsync(Stream, NewEvents(1), expectedLength: -1)),
        ["read: bad stream"] = ("streamName", t => t.Streams.ReadStreamAsync("", 0, 10)),
        ["read: negative offset"] = ("fromOffset", t => t.Streams.ReadStreamAsync(Stream, -1, 10)),
        ["read: maxCount 0"] = ("maxCount", t => t.Streams.ReadStreamAsync(Stream, 0, 0)),
        ["read: maxCount 10001"] = ("maxCount", t => t.Streams.ReadStreamAsync(Stream, 0, 10_001)),
        ["length: bad stream"] = ("streamName", t => t.Streams.GetStreamLengthAsync(TooLong)),
        ["metadata: bad stream"] = ("streamName", t => t.Streams.GetStreamMetadataAsync(null!)),
        ["enqueue: bad queue"] = ("streamName", t => t.Streams.EnqueueAsync(" ", NewEvent())),
        ["enqueue: null event"] = ("event", t => t.Streams.EnqueueAsync(Stream, null!)),
        ["enqueue: bad event id"] = ("event", t => t.Streams.EnqueueAsync(Stream, NewEvent() with { EventId = "a\nb" })),
        ["dequeue: bad queue"] = ("streamName", t => t.Streams.DequeueAsync("", "c", Lease)),
        ["dequeue: bad consumer"] = ("consumerId", t => t.Streams.DequeueAsync(Stream, TooLong, Lease)),
        ["dequeue: zero timeout"] = ("visibilityTimeout", t => t.Streams.DequeueAsync(Stream, "c", TimeSpan.Zero)),
        ["dequeue: negative timeout"] = ("visibilityTimeout", t => t.Streams.DequeueAsync(Stream, "c", TimeSpan.FromSeconds(-1))),
        ["dequeue: absurd timeout"] = ("visibilityTimeout", t => t.Streams.DequeueAsync(Stream, "c", TimeSpan.MaxValue)),
        ["ack: bad event id"] = ("eventId", t => t.Streams.AcknowledgeAsync(Stream, "", "c")),
        ["ack: bad consumer"] = ("consumerId", t => t.Streams.AcknowledgeAsync(Stream, "id", null!)),
        ["nack: bad queue"] = ("streamName", t => t.Streams.NackAsync(TooLong, "id", "c")),
        ["nack: bad event id"] = ("eventId", t => t.Streams.NackAsync(Stream, " ", "c")),
        ["pending: bad queue"] = ("streamName", t => t.Streams.GetPendingCountAsync("")),
        ["commit: bad stream"] = ("streamName", t => t.Offsets.CommitOffsetAsync("", "g", 1)),
        ["commit: bad group"] = ("consumerGroup", t => t.Offsets.CommitOffsetAsync(Stream, TooLong, 1)),
        ["commit: negative offset"] = ("nextOffset", t => t.Offsets.CommitOffsetAsync(Stream, "g", -1)),
        ["reset: negative offset"] = ("nextOffset", t => t.Offsets.ResetOffsetAsync(Stream, "g", -5)),
        ["get offset: bad group"] = ("consumerGroup", t => t.Offsets.GetOffsetAsync(Stream, "")),
        ["get offsets: bad stream"] = ("streamName", t => t.Offsets.GetOffsetsAsync(null!)),
        ["dead letters: maxCount 0"] = ("maxCount", t => t.DeadLetters.ReadAsync(Stream, 0)),
        ["dead letters: bad queue"] = ("streamName", t => t.DeadLetters.CountAsync("")),
        ["requeue: bad event id"] = ("eventId", t => t.DeadLetters.RequeueAsync(Stream, "")),
        ["purge: bad queue"] = ("streamName", t => t.DeadLetters.PurgeAsync(TooLong)),
        ["configuration: null"] = ("configuration", t => t.Configurations.SetAsync(null!)),
        ["configuration: bad stream"] = ("configuration", t => t.Configurations.SetAsync(new StreamConfiguration { StreamName = "" })),
        ["configuration: zero attempts"] = ("configuration", t => t.Configurations.SetAsync(new StreamConfiguration { StreamName = Stream, MaxDeliveryAttempts = 0 })),
        ["configuration get: bad stream"] = ("streamName", t => t.Configurations.GetAsync("")),
        ["retention: null"] = ("policy", t => t.RetentionPolicies.SetAsync(null!)),
        ["retention: no limit"] = ("policy", t => t.RetentionPolicies.SetAsync(new RetentionPolicy { StreamName = Stream })),
        ["retention: zero age"] = ("policy", t => t.RetentionPolicies.SetAsync(new RetentionPolicy { StreamName = Stream, MaxAge = TimeSpan.Zero })),
        ["retention: zero count"] = ("policy", t => t.RetentionPolicies.SetAsync(new RetentionPolicy { StreamName = Stream, MaxEventCount = 0 })),
        ["retention get: bad stream"] = ("streamName", t => t.RetentionPolicies.GetAsync(TooLong)),
        ["retention delete: bad stream"] = ("streamName", t => t.RetentionPolicies.DeleteAsync("")),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Bad_input_throws_an_argument_exception_naming_the_parameter_and_writes_nothing(string caseName)
    {
        var (param, act) = Cases[caseName];

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => act(this));

        Assert.Equal(param, error.ParamName);
        Assert.Equal(0, await Streams.GetStreamLengthAsync(Stream));
        Assert.Equal(0, await Streams.GetPendingCountAsync(Stream));
        Assert.Null(await Offsets.GetOffsetAsync(Stream, "g"));
        Assert.Null(await Configurations.GetAsync(Stream));
        Assert.Null(await RetentionPolicies.GetAsync(Stream));
    }

    [Fact]
    public async Task Names_that_look_like_sql_are_ordinary_names()
    {
        const string hostile = "'; DROP TABLE events; --";
        var e = NewEvent();

        await Streams.AppendAsync(hostile, e);
        await Streams.EnqueueAsync(hostile, e);
        await Offsets.CommitOffsetAsync(hostile, "\" OR 1=1 --", 3);

        Assert.Equal(e, (await Streams.ReadStreamAsync(hostile, 0, 1))[0].Event);
        Assert.Equal(1, await Streams.GetPendingCountAsync(hostile));
        Assert.Equal(3, await Offsets.GetOffsetAsync(hostile, "\" OR 1=1 --"));
    }

    [Fact]
    public async Task An_event_of_exactly_the_maximum_size_is_accepted_and_reads_back_equal()
    {
        // {"payload":"...","eventId":"...","correlationId":null,"occurredAt":"..."}: measure the envelope, fill the rest.
        var probe = new LargeEvent("");
        var envelope = System.Text.Encoding.UTF8.GetByteCount(Fixture.Services.GetRequiredService<Svrnty.CQRS.Events.Serialization.EventSerializer>().Serialize(probe).Json);
        var e = probe with { Payload = new string('y', Svrnty.CQRS.Events.Serialization.EventSerializationOptions.DefaultMaxEventSizeBytes - envelope) };

        Assert.Equal(0, await Streams.AppendAsync("max-size", e));
        Assert.Equal(e, (await Streams.ReadStreamAsync("max-size", 0, 1))[0].Event);
        Assert.Equal("event", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.AppendAsync("max-size", e with { Payload = e.Payload + "y" }))).ParamName);
        Assert.Equal(1, await Streams.GetStreamLengthAsync("max-size"));
    }

    [Fact]
    public async Task Names_of_exactly_256_characters_are_accepted()
    {
        var name = new string('n', 256);
        var e = NewEvent() with { EventId = new string('i', 256) };

        Assert.Equal(0, await Streams.AppendAsync(name, e));
        Assert.Equal(e.EventId, (await Streams.ReadStreamAsync(name, 0, 10_000))[0].EventId);
    }
}
