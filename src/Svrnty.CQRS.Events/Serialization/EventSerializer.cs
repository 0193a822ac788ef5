using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Serialization;

/// <summary>An event in its stored form: its stable type name and its JSON.</summary>
/// <param name="EventType">The stable event-type name.</param>
/// <param name="Json">The event as JSON.</param>
internal readonly record struct SerializedEvent(string EventType, string Json);

/// <summary>
/// Turns events into their stored form and back, shared by every backend so that all of them name and encode events
/// the same way. Types are named as <see cref="EventSerializationOptions"/> says; an event whose stored name no longer
/// resolves, or whose JSON no longer fits its type, is read back as an <see cref="UnknownEvent"/>.
/// </summary>
internal sealed class EventSerializer
{
    private readonly EventTypeNames _names;
    private readonly JsonSerializerOptions _json;
    private readonly int _maxEventSize;

    /// <summary>Creates a serializer.</summary>
    /// <param name="options">The serialization options.</param>
    public EventSerializer(IOptions<EventSerializationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _names = new EventTypeNames(options.Value);
        _json = options.Value.JsonSerializerOptions;
        _maxEventSize = options.Value.MaxEventSizeBytes;
        if (_maxEventSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _maxEventSize, "EventSerializationOptions.MaxEventSizeBytes must be at least 1.");
        }
    }

    /// <summary>The largest event accepted, in bytes of UTF-8 JSON (<see cref="EventSerializationOptions.MaxEventSizeBytes"/>).</summary>
    public int MaxEventSizeBytes => _maxEventSize;

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
    /// <exception cref="ArgumentException">The event cannot be serialized to JSON (its serializer or one of its property
    /// getters threw), its JSON cannot be stored (see <see cref="Validation.Argument.Json"/>), or its JSON is larger than
    /// <see cref="EventSerializationOptions.MaxEventSizeBytes"/>.</exception>
    public SerializedEvent Serialize(ICorrelatedEvent @event) => Serialize(@event, nameof(@event));

    /// <summary>Serializes an event, naming <paramref name="paramName"/> in the exception when it cannot be stored.</summary>
    /// <param name="event">The event.</param>
    /// <param name="paramName">The caller's parameter that holds the event (e.g. <c>events</c> for a batch).</param>
    /// <returns>Its stored form.</returns>
    /// <exception cref="ArgumentException">The event cannot be serialized to JSON, its JSON cannot be stored (see
    /// <see cref="Validation.Argument.Json"/>), or its JSON is larger than <see cref="EventSerializationOptions.MaxEventSizeBytes"/>.</exception>
    public SerializedEvent Serialize(ICorrelatedEvent @event, string paramName)
    {
        ArgumentNullException.ThrowIfNull(@event);
        SerializedEvent serialized;
        if (@event is UnknownEvent unknown)
        {
            serialized = new SerializedEvent(unknown.EventType, unknown.Json);
        }
        else
        {
            var type = @event.GetType();
            try
            {
                serialized = new SerializedEvent(_names.GetName(type), JsonSerializer.Serialize(@event, type, _json));
            }
            catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
            {
                // JsonException and NotSupportedException from System.Text.Json, or whatever a property getter or a
                // custom converter threw: the event cannot be stored, which is the caller's to fix.
                throw new InvalidEventException($"Event '{@event.EventId}' of type '{type}' cannot be serialized to JSON: {e.Message}", paramName, e);
            }
        }

        // The size goes first: it is cheaper than reading the JSON through.
        var json = serialized.Json ?? string.Empty; // an UnknownEvent built with null! is refused below as empty
        ThrowIfTooLarge(json, @event.EventId, paramName);

        // JSON given as text is read through, unless its caller already did; JSON System.Text.Json wrote only needs its
        // \u escapes looked at.
        if (@event is UnknownEvent { JsonChecked: true })
        {
            return serialized;
        }

        if ((@event is UnknownEvent ? JsonPayload.Problem(json) : JsonPayload.SerializedProblem(json)) is { } problem)
        {
            throw new InvalidEventException($"Event '{@event.EventId}' cannot be stored: {problem}", paramName, null);
        }

        return serialized;
    }

    /// <summary>Refuses JSON larger than <see cref="EventSerializationOptions.MaxEventSizeBytes"/>; cheap, so it goes
    /// before any reading of the JSON.</summary>
    /// <param name="json">The event's JSON.</param>
    /// <param name="eventId">The event's id, for the message.</param>
    /// <param name="paramName">The parameter (or request field) named in the exception.</param>
    /// <exception cref="ArgumentException">The JSON is too large.</exception>
    public void ThrowIfTooLarge(string json, string eventId, string paramName)
    {
        // Characters are at most 3 UTF-8 bytes each (a surrogate pair, 2 characters, is 4 bytes), so most events are
        // cleared without counting.
        if ((long)json.Length * 3 > _maxEventSize && Encoding.UTF8.GetByteCount(json) is var size && size > _maxEventSize)
        {
            throw new InvalidEventException(
                $"Event '{eventId}' is {size:N0} bytes of JSON, more than the {_maxEventSize:N0} allowed (EventSerializationOptions.MaxEventSizeBytes). Store large payloads elsewhere and put a reference in the event.",
                paramName, null);
        }
    }

    /// <summary>Reads an event from its stored form. The stored envelope wins: the event comes back with
    /// <paramref name="eventId"/>, <paramref name="correlationId"/> and <paramref name="occurredAt"/>, whatever its JSON
    /// holds (a property without a setter, computed from the payload, keeps its value; a JSON time that is
    /// <paramref name="occurredAt"/> with more precision than the store keeps is kept).</summary>
    /// <param name="eventType">The stored type name.</param>
    /// <param name="json">The stored JSON.</param>
    /// <param name="eventId">The stored event id.</param>
    /// <param name="correlationId">The stored correlation id.</param>
    /// <param name="occurredAt">The stored occurrence time.</param>
    /// <returns>The event, or an <see cref="UnknownEvent"/> carrying the name and the JSON.</returns>
    public ICorrelatedEvent Deserialize(string eventType, string json, string eventId, string? correlationId, DateTimeOffset occurredAt)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        ArgumentNullException.ThrowIfNull(json);
        var type = _names.Resolve(eventType);
        try
        {
            if (type is not null && JsonSerializer.Deserialize(json, type, _json) is ICorrelatedEvent known)
            {
                return EventEnvelope.Apply(known, eventId, correlationId, occurredAt);
            }
        }
        catch (Exception e) when (NoLongerFits(e))
        {
        }

        return Unknown(eventType, json, eventId, correlationId, occurredAt);
    }

    /// <summary>Reads an event from its stored form given as UTF-8 JSON, which is how a database driver can hand it over
    /// without decoding it to a string first. The stored envelope wins, as for
    /// <see cref="Deserialize(string, string, string, string?, DateTimeOffset)"/>.</summary>
    /// <param name="eventType">The stored type name.</param>
    /// <param name="utf8Json">The stored JSON, UTF-8 encoded.</param>
    /// <param name="eventId">The stored event id.</param>
    /// <param name="correlationId">The stored correlation id.</param>
    /// <param name="occurredAt">The stored occurrence time.</param>
    /// <returns>The event, or an <see cref="UnknownEvent"/> carrying the name and the JSON.</returns>
    public ICorrelatedEvent Deserialize(string eventType, ReadOnlySpan<byte> utf8Json, string eventId, string? correlationId, DateTimeOffset occurredAt)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        var type = _names.Resolve(eventType);
        try
        {
            if (type is not null && JsonSerializer.Deserialize(utf8Json, type, _json) is ICorrelatedEvent known)
            {
                return EventEnvelope.Apply(known, eventId, correlationId, occurredAt);
            }
        }
        catch (Exception e) when (NoLongerFits(e))
        {
        }

        return Unknown(eventType, Encoding.UTF8.GetString(utf8Json), eventId, correlationId, occurredAt);
    }

    /// <summary>The stored JSON no longer fits its type: System.Text.Json rejected it, or a constructor, setter or
    /// converter of the type threw. The event is handed back raw rather than failing the whole page of a read, which
    /// would stall every consumer and replay of the stream at that offset.</summary>
    private static bool NoLongerFits(Exception e) => e is not (OutOfMemoryException or OperationCanceledException);

    private static UnknownEvent Unknown(string eventType, string json, string eventId, string? correlationId, DateTimeOffset occurredAt) => new()
    {
        EventId = eventId,
        CorrelationId = correlationId,
        OccurredAt = occurredAt,
        EventType = eventType,
        Json = json,
    };
}
