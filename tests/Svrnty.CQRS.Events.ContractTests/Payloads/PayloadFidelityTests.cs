using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.ContractTests.Payloads;

/// <summary>
/// DESIGN.md semantics 26 and 27: a payload comes back exactly as it was written, character for character, through
/// streams, queues and dead letters; the stored envelope wins over what the JSON holds; System.Text.Json writes the
/// event's own properties; a payload no backend could give back or index alike is refused before any I/O.
/// </summary>
public abstract class PayloadFidelityTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>JSON that a store which parses and prints it back (PostgreSQL's jsonb) would not return as written.</summary>
    public static TheoryData<string, string> Payloads => new()
    {
        { "reordered keys", """{"z":1,"a":{"y":true,"b":null},"m":[3,1,2]}""" },
        { "odd whitespace", " \r\n {\t\"a\" :  [ 1 ,2\n]  , \"b\":{ } }\n\t" },
        { "duplicate keys", """{"a":1,"a":2,"a":{"a":3}}""" },
        { "huge and tiny numbers", """{"big":1e400,"tiny":1E-400,"long":123456789012345678901234567890.000,"neg":-0.0,"exp":2.50e+3}""" },
        { "escapes", """{"s":"\u00e9\ud83d\ude00 \"q\" \\ \/ \n\t\b\f\r","\u0041":"\u00E9"}""" },
        { "raw non-ASCII", """{"ville":"Montréal","emoji":"😀","cjk":"事件"}""" },
        { "top-level array", """[1,"two",{"three":3},[],{},null,true]""" },
        { "top-level scalar", "42" },
    };

    private EventSerializer Serializer => Fixture.Services.GetRequiredService<EventSerializer>();

    private UnknownEvent Unknown(string json, string? type = null, string? correlationId = "corr-1") => new()
    {
        EventId = Guid.NewGuid().ToString(),
        CorrelationId = correlationId,
        OccurredAt = Time.GetUtcNow().AddMinutes(-5),
        EventType = type ?? "Other.Service.ThingHappened",
        Json = json,
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task A_payload_reads_back_from_a_stream_exactly_as_appended_and_again_after_a_copy(string kind, string json)
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, Unknown(json));

        var read = Assert.Single(await Streams.ReadStreamAsync(stream, 0, 10));
        Assert.True(json == read.Json, $"{kind}: the stored JSON differs.\nSent: {json}\nRead: {read.Json}");
        var unknown = Assert.IsType<UnknownEvent>(read.Event);
        Assert.Equal(json, unknown.Json);

        // Appended again as read (a copy, a migration between stores): still the same text.
        var copy = NewName();
        await Streams.AppendAsync(copy, unknown with { EventId = Guid.NewGuid().ToString() });
        Assert.Equal(json, Assert.Single(await Streams.ReadStreamAsync(copy, 0, 10)).Json);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task A_payload_comes_back_exactly_through_a_queue_its_dead_letters_and_a_requeue(string kind, string json)
    {
        var queue = NewName("queue");
        var sent = Unknown(json);
        await Streams.EnqueueAsync(queue, sent);

        var leased = await Streams.DequeueAsync(queue, "w1", Lease);
        Assert.NotNull(leased);
        Assert.True(json == leased.Json, $"{kind}: the dequeued JSON differs.\nSent: {json}\nRead: {leased.Json}");
        Assert.Equal(json, Assert.IsType<UnknownEvent>(leased.Event).Json);
        Assert.Equal(sent.EventType, leased.EventType);

        Assert.True(await Streams.NackAsync(queue, sent.EventId, "w1", requeue: false));
        var dead = Assert.Single(await DeadLetters.ReadAsync(queue, 10));
        Assert.Equal(json, dead.Json);
        Assert.Equal(json, Assert.IsType<UnknownEvent>(dead.Event).Json);
        Assert.Equal(sent.EventType, dead.EventType);

        Assert.True(await DeadLetters.RequeueAsync(queue, sent.EventId));
        Assert.Equal(json, (await Streams.DequeueAsync(queue, "w2", Lease))!.Json);
    }

    [Fact]
    public async Task A_known_event_reads_back_with_the_json_it_was_stored_with_and_equal_to_what_was_appended()
    {
        var stream = NewName();
        var queue = NewName("queue");
        var e = new RichEvent(Guid.NewGuid(), 10.5m, Time.GetUtcNow(), new RichEvent.Address("1 Rue É", "Montréal"), "😀") { CorrelationId = "c" };
        var json = Serializer.Serialize(e).Json;

        await Streams.AppendAsync(stream, e);
        await Streams.EnqueueAsync(queue, e);

        var read = Assert.Single(await Streams.ReadStreamAsync(stream, 0, 10));
        Assert.Equal((json, (ICorrelatedEvent)e), (read.Json, read.Event));
        var leased = (await Streams.DequeueAsync(queue, "w", Lease))!;
        Assert.Equal((json, Serializer.GetEventTypeName(typeof(RichEvent)), (ICorrelatedEvent)e), (leased.Json, leased.EventType, leased.Event));
    }

    [Fact]
    public async Task The_stored_envelope_wins_over_the_json_of_a_known_event_in_streams()
    {
        var stream = NewName();
        var type = Serializer.GetEventTypeName(typeof(TestEvent));
        var bare = Unknown("""{"name":"bare","number":1}""", type);
        var lying = Unknown("""{"eventId":"not-this","correlationId":"nor-this","occurredAt":"2001-02-03T04:05:06Z","name":"lying","number":2}""",
            type, correlationId: null);
        await Streams.AppendAsync(stream, [bare, lying]);

        for (var attempt = 0; attempt < 2; attempt++) // the same on every read: no made-up id or time
        {
            var read = await Streams.ReadStreamAsync(stream, 0, 10);
            Assert.Equal(new TestEvent("bare", 1) { EventId = bare.EventId, CorrelationId = "corr-1", OccurredAt = bare.OccurredAt }, read[0].Event);
            Assert.Equal(new TestEvent("lying", 2) { EventId = lying.EventId, CorrelationId = null, OccurredAt = lying.OccurredAt }, read[1].Event);
            Assert.Equal(bare.Json, read[0].Json); // the JSON itself is what was written
        }
    }

    [Fact]
    public async Task A_queue_and_its_dead_letters_keep_the_envelope_a_known_event_was_enqueued_with()
    {
        var queue = NewName("queue");
        var sent = Unknown("""{"name":"bare","number":3}""", Serializer.GetEventTypeName(typeof(TestEvent)), correlationId: "req-7");
        var expected = new TestEvent("bare", 3) { EventId = sent.EventId, CorrelationId = "req-7", OccurredAt = sent.OccurredAt };
        await Streams.EnqueueAsync(queue, sent);

        var leased = (await Streams.DequeueAsync(queue, "w", Lease))!;
        Assert.Equal(expected, leased.Event);

        Assert.True(await Streams.NackAsync(queue, sent.EventId, "w", requeue: false));
        Assert.Equal(expected, Assert.Single(await DeadLetters.ReadAsync(queue, 10)).Event);
    }

    [Fact]
    public async Task System_text_json_writes_the_events_own_properties_for_stored_dequeued_and_dead_events()
    {
        var stream = NewName();
        var queue = NewName("queue");
        var e = new TestEvent("payload", 42) { CorrelationId = "c" };
        await Streams.AppendAsync(stream, e);
        await Streams.EnqueueAsync(queue, e);
        var stored = Assert.Single(await Streams.ReadStreamAsync(stream, 0, 10));
        var leased = (await Streams.DequeueAsync(queue, "w", Lease))!;
        await Streams.NackAsync(queue, e.EventId, "w", requeue: false);
        var dead = Assert.Single(await DeadLetters.ReadAsync(queue, 10));

        foreach (var json in new[]
                 {
                     JsonSerializer.Serialize(stored, JsonSerializerOptions.Web),
                     JsonSerializer.Serialize(leased, JsonSerializerOptions.Web),
                     JsonSerializer.Serialize(dead, JsonSerializerOptions.Web),
                     JsonSerializer.Serialize<object>(stored), // declared as object, default options
                 })
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var @event = root.TryGetProperty("event", out var camel) ? camel : root.GetProperty("Event");
            Assert.Equal("payload", (@event.TryGetProperty("name", out var name) ? name : @event.GetProperty("Name")).GetString());
            Assert.Equal(42, (@event.TryGetProperty("number", out var number) ? number : @event.GetProperty("Number")).GetInt32());
            Assert.Equal(e.EventId, (@event.TryGetProperty("eventId", out var id) ? id : @event.GetProperty("EventId")).GetString());
        }
    }

    public static TheoryData<string, string> Unstorable => new()
    {
        { "a NUL escape", """{"text":"a\u0000b"}""" },
        { "a NUL escape in a key", """{"a\u0000":1}""" },
        { "an unpaired high surrogate escape", """{"a":"\ud800"}""" },
        { "an unpaired low surrogate escape", """{"a":"x\udc00y"}""" },
        { "not JSON", "{ not json" },
        { "two values", "{} {}" },
        { "a trailing comma", """{"a":1,}""" },
        { "a comment", """{"a":1 /* no */}""" },
        { "nothing", "  " },
    };

    [Theory]
    [MemberData(nameof(Unstorable))]
    public async Task A_payload_no_backend_could_give_back_or_index_alike_is_refused_before_anything_is_written(string kind, string json)
    {
        var stream = NewName();
        var queue = NewName("queue");

        var single = await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.AppendAsync(stream, Unknown(json)));
        var batch = await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.AppendAsync(stream, [NewEvent(), Unknown(json)]));
        var enqueued = await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.EnqueueAsync(queue, Unknown(json)));

        Assert.Equal(("event", "events", "event"), (single.ParamName, batch.ParamName, enqueued.ParamName));
        Assert.Equal(0, await Streams.GetStreamLengthAsync(stream));
        Assert.True(0 == await Streams.GetPendingCountAsync(queue), kind);
    }

    [Fact]
    public async Task A_known_event_whose_json_would_hold_a_nul_is_refused_too_and_so_is_text_that_is_not_utf16()
    {
        var stream = NewName();

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.AppendAsync(stream, new TestEvent("a\0b", 1)));
        var lone = await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.AppendAsync(stream, Unknown("{\"a\":\"\ud800\"}")));

        Assert.Equal(("event", "event"), (e.ParamName, lone.ParamName));
        Assert.Contains("\\u0000", e.Message, StringComparison.Ordinal);
        Assert.Contains("surrogate", lone.Message, StringComparison.Ordinal);
        Assert.Equal(0, await Streams.GetStreamLengthAsync(stream));
        Assert.Equal(0, await Streams.AppendAsync(stream, new TestEvent("a\\u0000b", 1))); // the text \u0000 itself is fine
    }
}
