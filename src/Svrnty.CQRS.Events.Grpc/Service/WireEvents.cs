using System.Text.Json;
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
internal sealed class WireEvents(EventSerializer serializer, TimeProvider time)
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

        CheckJson(wire.Json, $"{field}.json");
        return new UnknownEvent
        {
            EventId = wire.EventId,
            EventType = wire.EventType,
            Json = wire.Json,
            CorrelationId = wire.HasCorrelationId ? wire.CorrelationId : null,
            OccurredAt = wire.OccurredAt is null ? time.GetUtcNow() : ToDateTimeOffset(wire.OccurredAt, $"{field}.occurred_at"),
        };
    }

    /// <summary>A stored event on the wire, under the type name it was stored with.</summary>
    public Wire.StoredEvent ToWire(StoredEvent stored) => new()
    {
        StreamName = stored.StreamName,
        Offset = stored.Offset,
        Position = stored.Position,
        Event = ToWire(stored.Event, stored.EventId, stored.CorrelationId, stored.EventType),
        Timestamp = Timestamp.FromDateTimeOffset(stored.Timestamp),
    };

    /// <summary>An event on the wire. Its JSON is what the serializer stores for it (for an <see cref="UnknownEvent"/>,
    /// the JSON exactly as stored).</summary>
    public Wire.Event ToWire(ICorrelatedEvent @event, string eventId, string? correlationId, string? storedEventType = null)
    {
        var serialized = serializer.Serialize(@event);
        var wire = new Wire.Event
        {
            EventId = eventId,
            EventType = storedEventType ?? serialized.EventType,
            Json = serialized.Json,
            OccurredAt = Timestamp.FromDateTimeOffset(@event.OccurredAt),
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

    /// <summary>
    /// The payload must be JSON, and without NUL characters (PostgreSQL's <c>jsonb</c> rejects them), so both backends
    /// accept the same payloads and a bad payload is the client's error, not the database's.
    /// </summary>
    private static void CheckJson(string json, string field)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new ArgumentException("The JSON payload is required.", field);
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (HasNul(document.RootElement))
            {
                throw new ArgumentException("The JSON payload must not contain NUL characters (\\u0000).", field);
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The payload is not valid JSON: {e.Message}", field, e);
        }
    }

    private static bool HasNul(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!.Contains('\0', StringComparison.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Any(HasNul),
        JsonValueKind.Object => element.EnumerateObject().Any(p => p.Name.Contains('\0', StringComparison.Ordinal) || HasNul(p.Value)),
        _ => false,
    };
}
