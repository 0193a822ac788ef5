using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.ContractTests.Streams;

/// <summary>DESIGN.md semantics 6 and 7: reading from an offset, and events read back equal to what was appended.</summary>
public abstract class ReadTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task Reads_events_from_an_offset_in_ascending_order_up_to_max_count()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(10));

        var page = await Streams.ReadStreamAsync(stream, 3, 4);

        Assert.Equal([3L, 4, 5, 6], page.Select(e => e.Offset));
        Assert.Equal([3, 4, 5, 6], page.Select(e => ((TestEvent)e.Event).Number));
    }

    [Fact]
    public async Task Reading_past_the_end_or_a_missing_stream_returns_an_empty_list()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(3));

        Assert.Empty(await Streams.ReadStreamAsync(stream, 3, 10));
        Assert.Empty(await Streams.ReadStreamAsync(stream, 1_000_000, 10));
        Assert.Empty(await Streams.ReadStreamAsync(stream, (1L << 32) + 1, 10)); // not wrapped around to offset 1
        Assert.Empty(await Streams.ReadStreamAsync(stream, long.MaxValue, 10));
        Assert.Empty(await Streams.ReadStreamAsync(NewName(), 0, 10));
    }

    [Fact]
    public async Task Pages_read_in_turn_cover_the_stream_exactly_once()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(25));

        var seen = new List<long>();
        var next = 0L;
        while (await Streams.ReadStreamAsync(stream, next, 7) is { Count: > 0 } page)
        {
            seen.AddRange(page.Select(e => e.Offset));
            next = page[^1].Offset + 1;
        }

        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task Events_read_back_equal_what_was_appended_with_their_envelope()
    {
        var stream = NewName();
        var plain = NewEvent("plain", 42, correlationId: "corr-1");
        var rich = new RichEvent(Guid.NewGuid(), 1234.5678m, new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)).AddTicks(1234567),
            new RichEvent.Address("1 Rue Unicode ÉÀ 😀", "Montréal"), Note: null) { CorrelationId = "corr-2" };
        var acceptedAt = Time.GetUtcNow();

        await Streams.AppendAsync(stream, [plain, rich]);
        var read = await Streams.ReadStreamAsync(stream, 0, 10);

        Assert.Equal(plain, read[0].Event);
        Assert.Equal(rich, read[1].Event);
        Assert.Equal(stream, read[0].StreamName);
        Assert.Equal(plain.EventId, read[0].EventId);
        Assert.Equal("corr-1", read[0].CorrelationId);
        Assert.Equal("corr-2", read[1].CorrelationId);
        Assert.Equal(acceptedAt, read[0].Timestamp);
        var names = Fixture.Services.GetService(typeof(EventSerializer)) as EventSerializer;
        Assert.Equal(names!.GetEventTypeName(typeof(TestEvent)), read[0].EventType);
        Assert.Equal(names.GetEventTypeName(typeof(RichEvent)), read[1].EventType);
    }

    [Fact]
    public async Task An_event_whose_type_no_longer_resolves_comes_back_as_an_unknown_event_with_its_json()
    {
        var stream = NewName();
        var stored = new UnknownEvent
        {
            EventId = Guid.NewGuid().ToString(),
            CorrelationId = "c",
            OccurredAt = Time.GetUtcNow(),
            EventType = "Gone.Namespace.RemovedEvent",
            Json = """{"orderId":"o-1","total":12.5}""",
        };
        await Streams.AppendAsync(stream, stored);
        await Streams.AppendAsync(stream, NewEvent("after"));

        var read = await Streams.ReadStreamAsync(stream, 0, 10);

        var unknown = Assert.IsType<UnknownEvent>(read[0].Event);
        Assert.Equal("Gone.Namespace.RemovedEvent", unknown.EventType);
        Assert.Equal("Gone.Namespace.RemovedEvent", read[0].EventType);
        Assert.Equal(stored.EventId, unknown.EventId);
        Assert.Equal("c", unknown.CorrelationId);
        Assert.Equal(stored.Json, unknown.Json); // exactly as written (PayloadFidelityTests tries harder JSON)
        Assert.IsType<TestEvent>(read[1].Event); // the replay goes on past it
    }

    [Fact]
    public async Task A_stored_name_of_a_type_that_is_not_an_event_is_never_instantiated()
    {
        var stream = NewName();
        var before = NotAnEvent.Instances;
        await Streams.AppendAsync(stream, new UnknownEvent
        {
            EventId = Guid.NewGuid().ToString(),
            EventType = typeof(NotAnEvent).FullName!,
            Json = """{"eventId":"x"}""",
        });

        var read = await Streams.ReadStreamAsync(stream, 0, 10);

        Assert.IsType<UnknownEvent>(read[0].Event);
        Assert.Equal(before, NotAnEvent.Instances);
    }
}
