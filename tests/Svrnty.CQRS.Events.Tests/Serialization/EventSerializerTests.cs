using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.Tests.Serialization;

public sealed record OrderPlaced(string OrderId, decimal Total) : CorrelatedEvent;

public sealed record OrderShipped(string OrderId) : CorrelatedEvent;

public sealed record GuardedEvent : CorrelatedEvent
{
    public GuardedEvent(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    public string Name { get; }
}

/// <summary>An event whose id is computed from its payload and whose envelope has no setters.</summary>
public sealed class ComputedEnvelopeEvent(string orderId) : ICorrelatedEvent
{
    public string OrderId { get; } = orderId;

    public string EventId => $"order-{OrderId}";

    public string? CorrelationId => null;

    public DateTimeOffset OccurredAt => DateTimeOffset.UnixEpoch;
}

public sealed class EventSerializerTests
{
    [Fact]
    public void The_stored_envelope_wins_but_a_json_time_that_is_the_stored_one_to_the_microsecond_is_kept()
    {
        var serializer = Create();
        var precise = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_567); // .1234567 s
        var e = new OrderPlaced("o-1", 1m) { EventId = "json-id", CorrelationId = "json-corr", OccurredAt = precise };
        var json = serializer.Serialize(e).Json;
        var storedToTheMicrosecond = precise.AddTicks(-7); // .123456 s, as PostgreSQL keeps it

        var same = serializer.Deserialize(serializer.GetEventTypeName(typeof(OrderPlaced)), json, "json-id", "json-corr", storedToTheMicrosecond);
        var other = serializer.Deserialize(serializer.GetEventTypeName(typeof(OrderPlaced)), System.Text.Encoding.UTF8.GetBytes(json), "stored-id",
            null, precise.AddMilliseconds(1));

        Assert.Equal(e, same);
        Assert.Equal(e with { EventId = "stored-id", CorrelationId = null, OccurredAt = precise.AddMilliseconds(1) }, other);
    }

    [Fact]
    public void An_envelope_computed_from_the_payload_keeps_its_value()
    {
        var serializer = Create();
        var json = serializer.Serialize(new ComputedEnvelopeEvent("42")).Json;

        var read = serializer.Deserialize(serializer.GetEventTypeName(typeof(ComputedEnvelopeEvent)), json, "stored-id", "corr", DateTimeOffset.UtcNow);

        var computed = Assert.IsType<ComputedEnvelopeEvent>(read);
        Assert.Equal(("42", "order-42", null, DateTimeOffset.UnixEpoch), (computed.OrderId, computed.EventId, computed.CorrelationId, computed.OccurredAt));
    }

    [Theory]
    [InlineData("""{"a":1}""", null)]
    [InlineData("""[1,2,{"b":"\ud83d\ude00"}]""", null)]
    [InlineData("""{"a":"\u0000"}""", "\\u0000")]
    [InlineData("""{"a":"\uDC00"}""", "unpaired surrogate escape")]
    [InlineData("""{"a":1}{"b":2}""", "not valid JSON")]
    public void Argument_Json_accepts_what_every_backend_stores_and_gives_back(string json, string? refusal)
    {
        if (refusal is null)
        {
            Assert.Same(json, Validation.Argument.Json(json, "payload"));
            return;
        }

        var e = Assert.Throws<ArgumentException>(() => Validation.Argument.Json(json, "payload"));
        Assert.Equal("payload", e.ParamName);
        Assert.Contains(refusal, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Argument_Json_limits_nesting_to_a_thousand()
    {
        Assert.NotNull(Validation.Argument.Json(new string('[', 1_000) + new string(']', 1_000), "payload"));
        Assert.Throws<ArgumentException>(() => Validation.Argument.Json(new string('[', 1_001) + new string(']', 1_001), "payload"));
    }

    private static EventSerializer Create(Action<EventSerializationOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddEventStreamingCore();
        if (configure is not null)
        {
            services.ConfigureEventSerialization(configure);
        }

        return services.BuildServiceProvider().GetRequiredService<EventSerializer>();
    }

    [Fact]
    public void By_default_a_type_is_stored_under_its_full_name_and_reads_back_equal()
    {
        var serializer = Create();
        var e = new OrderPlaced("o-1", 12.5m) { CorrelationId = "c" };

        var stored = serializer.Serialize(e);
        var read = serializer.Deserialize(stored.EventType, stored.Json, e.EventId, e.CorrelationId, e.OccurredAt);

        Assert.Equal(typeof(OrderPlaced).FullName, stored.EventType);
        Assert.Contains("\"orderId\":\"o-1\"", stored.Json, StringComparison.Ordinal);
        Assert.Equal(e, read);
    }

    [Fact]
    public void A_mapped_name_is_stored_and_former_names_still_read_as_the_type()
    {
        var serializer = Create(o => o.MapEventType<OrderPlaced>("order-placed", "Legacy.OrderCreated"));
        var e = new OrderPlaced("o-1", 1m);

        var stored = serializer.Serialize(e);

        Assert.Equal("order-placed", stored.EventType);
        Assert.Equal(e, serializer.Deserialize("order-placed", stored.Json, e.EventId, null, e.OccurredAt));
        Assert.Equal(e, serializer.Deserialize("Legacy.OrderCreated", stored.Json, e.EventId, null, e.OccurredAt));
        Assert.Equal("order-placed", serializer.GetEventTypeName(typeof(OrderPlaced)));
    }

    [Fact]
    public void Mapping_one_name_to_two_types_is_rejected()
    {
        var options = new EventSerializationOptions().MapEventType<OrderPlaced>("order");

        var error = Assert.Throws<ArgumentException>(() => options.MapEventType<OrderShipped>("order"));

        Assert.Contains(nameof(OrderPlaced), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(string))]
    [InlineData(typeof(CorrelatedEvent))]
    [InlineData(typeof(UnknownEvent))]
    [InlineData(typeof(ICorrelatedEvent))]
    public void Only_concrete_event_types_can_be_mapped(Type type)
    {
        var error = Assert.Throws<ArgumentException>(() => new EventSerializationOptions().MapEventType(type, "name"));

        Assert.Equal("eventType", error.ParamName);
    }

    [Theory]
    [InlineData("No.Such.Type")]
    [InlineData("System.IO.MemoryStream")]
    [InlineData("Svrnty.CQRS.Events.Abstractions.UnknownEvent")]
    [InlineData("Svrnty.CQRS.Events.Abstractions.CorrelatedEvent")]
    public void A_name_that_does_not_resolve_to_a_concrete_event_type_reads_as_an_unknown_event(string name)
    {
        var serializer = Create();
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var read = serializer.Deserialize(name, """{"a":1}""", "id-1", "corr", at);

        var unknown = Assert.IsType<UnknownEvent>(read);
        Assert.Equal(new UnknownEvent { EventId = "id-1", CorrelationId = "corr", OccurredAt = at, EventType = name, Json = """{"a":1}""" }, unknown);
    }

    [Fact]
    public void Json_that_no_longer_fits_its_type_reads_as_an_unknown_event()
    {
        var serializer = Create();

        var read = serializer.Deserialize(typeof(OrderPlaced).FullName!, """{"total":"not a number"}""", "id", null, default);

        Assert.Equal("""{"total":"not a number"}""", Assert.IsType<UnknownEvent>(read).Json);
    }

    [Fact]
    public void Json_whose_type_constructor_throws_reads_as_an_unknown_event_in_both_forms()
    {
        var serializer = Create();
        var name = typeof(GuardedEvent).FullName!;
        const string json = """{"name":""}""";

        Assert.Equal(json, Assert.IsType<UnknownEvent>(serializer.Deserialize(name, json, "id", null, default)).Json);
        Assert.Equal(json, Assert.IsType<UnknownEvent>(serializer.Deserialize(name, System.Text.Encoding.UTF8.GetBytes(json), "id", null, default)).Json);
    }

    [Fact]
    public void Utf8_json_reads_back_like_the_string_form()
    {
        var serializer = Create();
        var e = new OrderPlaced("o-1 café", 12.5m) { CorrelationId = "c" };
        var stored = serializer.Serialize(e);

        var read = serializer.Deserialize(stored.EventType, System.Text.Encoding.UTF8.GetBytes(stored.Json), e.EventId, e.CorrelationId, e.OccurredAt);

        Assert.Equal(e, read);
    }

    [Theory]
    [InlineData("No.Such.Type", """{"name":"café"}""")]
    [InlineData("Svrnty.CQRS.Events.Tests.Serialization.OrderPlaced", """{"total":"not a number","name":"café"}""")]
    public void Utf8_json_that_does_not_read_as_an_event_comes_back_as_an_unknown_event_with_the_same_text(string name, string json)
    {
        var serializer = Create();
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var read = serializer.Deserialize(name, System.Text.Encoding.UTF8.GetBytes(json), "id-1", "corr", at);

        Assert.Equal(new UnknownEvent { EventId = "id-1", CorrelationId = "corr", OccurredAt = at, EventType = name, Json = json }, read);
    }

    [Fact]
    public void An_unknown_event_is_written_back_exactly_as_it_was_read()
    {
        var serializer = Create();
        var unknown = new UnknownEvent { EventId = "id", EventType = "Old.Type", Json = """{"x":[1,2]}""" };

        Assert.Equal(new SerializedEvent("Old.Type", """{"x":[1,2]}"""), serializer.Serialize(unknown));
    }

    [Fact]
    public void A_correlated_event_gets_a_version_7_id_and_the_current_time_by_default()
    {
        var before = TimeProvider.System.GetUtcNow();
        var e = new OrderShipped("o");

        Assert.Equal(7, Guid.Parse(e.EventId).Version);
        Assert.InRange(e.OccurredAt, before, TimeProvider.System.GetUtcNow());
        Assert.NotEqual(e.EventId, new OrderShipped("o").EventId);
    }
}
