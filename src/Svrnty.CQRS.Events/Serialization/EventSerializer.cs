using System.Text.Json;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Serialization;

/// <summary>An event in its stored form: its stable type name and its JSON.</summary>
/// <param name="EventType">The stable event-type name.</param>
/// <param name="Json">The event as JSON.</param>
public readonly record struct SerializedEvent(string EventType, string Json);

/// <summary>
/// Turns events into their stored form and back, shared by every backend so that all of them name and encode events
/// the same way. Types are named as <see cref="EventSerializationOptions"/> says; an event whose stored name no longer
/// resolves, or whose JSON no longer fits its type, is read back as an <see cref="UnknownEvent"/>.
/// </summary>
public sealed class EventSerializer
{
    private readonly EventTypeNames _names;
    private readonly JsonSerializerOptions _json;

    /// <summary>Creates a serializer.</summary>
    /// <param name="options">The serialization options.</param>
    public EventSerializer(IOptions<EventSerializationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _names = new EventTypeNames(options.Value);
        _json = options.Value.JsonSerializerOptions;
    }

    /// <summary>The name an event type is stored under.</summary>
    /// <param name="eventType">The event type.</param>
    /// <returns>The stable name.</returns>
    public string GetEventTypeName(Type eventType)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        return _names.GetName(eventType);
    }

    /// <summary>Serializes an event. An <see cref="UnknownEvent"/> is written back exactly as it was read.</summary>
    /// <param name="event">The event.</param>
    /// <returns>Its stored form.</returns>
    /// <exception cref="ArgumentException">The event cannot be serialized to JSON.</exception>
    public SerializedEvent Serialize(ICorrelatedEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (@event is UnknownEvent unknown)
        {
            return new SerializedEvent(unknown.EventType, unknown.Json);
        }

        var type = @event.GetType();
        try
        {
            return new SerializedEvent(_names.GetName(type), JsonSerializer.Serialize(@event, type, _json));
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new ArgumentException($"Event type '{type}' cannot be serialized to JSON: {e.Message}", nameof(@event), e);
        }
    }

    /// <summary>Reads an event from its stored form.</summary>
    /// <param name="eventType">The stored type name.</param>
    /// <param name="json">The stored JSON.</param>
    /// <param name="eventId">The stored event id, used when the event comes back as an <see cref="UnknownEvent"/>.</param>
    /// <param name="correlationId">The stored correlation id, likewise.</param>
    /// <param name="occurredAt">The stored occurrence time, likewise.</param>
    /// <returns>The event, or an <see cref="UnknownEvent"/> carrying the name and the JSON.</returns>
    public ICorrelatedEvent Deserialize(string eventType, string json, string eventId, string? correlationId, DateTimeOffset occurredAt)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        ArgumentNullException.ThrowIfNull(json);
        if (_names.Resolve(eventType) is { } type)
        {
            try
            {
                if (JsonSerializer.Deserialize(json, type, _json) is ICorrelatedEvent known)
                {
                    return known;
                }
            }
            catch (Exception e) when (e is JsonException or NotSupportedException)
            {
                // The stored JSON no longer fits the type: hand it back raw rather than fail the replay.
            }
        }

        return new UnknownEvent
        {
            EventId = eventId,
            CorrelationId = correlationId,
            OccurredAt = occurredAt,
            EventType = eventType,
            Json = json,
        };
    }
}
