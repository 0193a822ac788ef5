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

public sealed class EventSerializerTests
{
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
