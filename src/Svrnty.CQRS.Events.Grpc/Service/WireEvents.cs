using Google.Protobuf.WellKnownTypes;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Serialization;
using Svrnty.CQRS.Events.Validation;
using Wire = Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Service;

/// <summary>
/// Turns events on the wire (type name, JSON, envelope) into events the store accepts, and stored events back into
/// their wire form. An incoming event always becomes an <see cref="UnknownEvent"/>, which the store writes exactly as
/// given, so an event of a type no .NET code knows is stored and read like any other.
/// </summary>
internal sealed class WireEvents(TimeProvider time, EventSerializer serializer)
{
    /// <summary>Checks an incoming event and turns it into what the store accepts.</summary>
    /// <param name="wire">The event from the request.</param>
    /// <param name="field">The request field, for error messages (<c>event</c>, <c>events[3]</c>).</param>
    public UnknownEvent ToStoreEvent(Wire.Event? wire, string field)
    {
        if (wire is null)
        {
            throw new ArgumentException("An event is required.", field);
        }

        Argument.Name(wire.EventId, $"{field}.event_id");
        Argument.Name(wire.EventType, $"{field}.event_type");
        if (wire.HasCorrelationId && wire.CorrelationId.Length > Argument.MaxNameLength)
        {
            throw new ArgumentException($"The correlation id must be at most {Argument.MaxNameLength} characters long.", $"{field}.correlation_id");
        }

        // The same rules the store applies (the size first, then one JSON value, no NUL or unpaired surrogate escape),
        // checked here to name the field; the event is marked so the store does not read the JSON through again.
        serializer.ThrowIfTooLarge(wire.Json, wire.EventId, $"{field}.json");
        Argument.Json(wire.Json, $"{field}.json");
        return new UnknownEvent
        {
            EventId = wire.EventId,
            EventType = wire.EventType,
            Json = wire.Json,
            JsonChecked = true,
            CorrelationId = wire.HasCorrelationId ? wire.CorrelationId : null,
            OccurredAt = wire.OccurredAt is null ? time.GetUtcNow() : ToDateTimeOffset(wire.OccurredAt, $"{field}.occurred_at"),
        };
    }

    /// <summary>A stored event on the wire: its stored type name, its JSON as stored and its stored envelope.</summary>
    public static Wire.StoredEvent ToWire(StoredEvent stored) => new()
    {
        StreamName = stored.StreamName,
        Offset = stored.Offset,
        Position = stored.Position,
        Event = ToWire(stored.EventId, stored.EventType, stored.Json, stored.CorrelationId, stored.Event.OccurredAt),
        Timestamp = Timestamp.FromDateTimeOffset(stored.Timestamp),
    };

    /// <summary>A message on the wire, as it was enqueued.</summary>
    public static Wire.Event ToWire(DequeuedEvent message) =>
        ToWire(message.EventId, message.EventType, message.Json, message.Event.CorrelationId, message.Event.OccurredAt);

    /// <summary>A dead letter's event on the wire, as it was enqueued.</summary>
    public static Wire.Event ToWire(DeadLetter deadLetter) =>
        ToWire(deadLetter.EventId, deadLetter.EventType, deadLetter.Json, deadLetter.Event.CorrelationId, deadLetter.Event.OccurredAt);

    /// <summary>An event on the wire. The JSON is the stored text, sent as is (never re-serialized), so a client gets
    /// back exactly the JSON it sent; the envelope is the stored one, which the store also gives the event it reads.</summary>
    private static Wire.Event ToWire(string eventId, string eventType, string json, string? correlationId, DateTimeOffset occurredAt)
    {
        var wire = new Wire.Event
        {
            EventId = eventId,
            EventType = eventType,
            Json = json,
            OccurredAt = Timestamp.FromDateTimeOffset(occurredAt),
        };
        if (correlationId is not null)
        {
            wire.CorrelationId = correlationId;
        }

        return wire;
    }

    /// <summary>A timestamp from a request, checked.</summary>
    public static DateTimeOffset ToDateTimeOffset(Timestamp timestamp, string field)
    {
        try
        {
            return timestamp.ToDateTimeOffset();
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"The timestamp is out of range: {e.Message}", field, e);
        }
    }

    /// <summary>A duration from a request, checked.</summary>
    public static TimeSpan ToTimeSpan(Duration? duration, string field)
    {
        if (duration is null)
        {
            throw new ArgumentException("A duration is required.", field);
        }

        try
        {
            return duration.ToTimeSpan();
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"The duration is out of range: {e.Message}", field, e);
        }
    }

}
