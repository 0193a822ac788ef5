using System.Collections.Concurrent;
using System.Reflection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Serialization;

/// <summary>
/// Gives an event read back from its JSON the envelope stored beside it: the stored <see cref="ICorrelatedEvent.EventId"/>,
/// <see cref="ICorrelatedEvent.CorrelationId"/> and <see cref="ICorrelatedEvent.OccurredAt"/> win over whatever the JSON
/// holds (a client of another language may send the envelope without copying it into the JSON, and the type's
/// initializers would otherwise make up a new id and time on every read). The properties are set through their setters
/// (<c>init</c> included) on the instance just deserialized, only when they differ; a property without a setter (computed
/// from the payload) keeps its value.
/// </summary>
internal sealed class EventEnvelope
{
    private static readonly ConcurrentDictionary<Type, EventEnvelope> ByType = new();

    private readonly PropertyInfo? _eventId;
    private readonly PropertyInfo? _correlationId;
    private readonly PropertyInfo? _occurredAt;

    private EventEnvelope(Type type)
    {
        var map = type.GetInterfaceMap(typeof(ICorrelatedEvent));
        for (var i = 0; i < map.InterfaceMethods.Length; i++)
        {
            var setter = SettableProperty(map.TargetMethods[i]);
            switch (map.InterfaceMethods[i].Name)
            {
                case "get_" + nameof(ICorrelatedEvent.EventId):
                    _eventId = setter;
                    break;
                case "get_" + nameof(ICorrelatedEvent.CorrelationId):
                    _correlationId = setter;
                    break;
                case "get_" + nameof(ICorrelatedEvent.OccurredAt):
                    _occurredAt = setter;
                    break;
            }
        }
    }

    /// <summary>Sets the stored envelope on <paramref name="event"/>, an instance nobody else holds yet.</summary>
    /// <remarks>PostgreSQL keeps times to the microsecond: a JSON time that is the stored one with more precision is kept,
    /// so an event reads back equal to the one appended.</remarks>
    public static ICorrelatedEvent Apply(ICorrelatedEvent @event, string eventId, string? correlationId, DateTimeOffset occurredAt)
    {
        if (string.Equals(@event.EventId, eventId, StringComparison.Ordinal)
            && string.Equals(@event.CorrelationId, correlationId, StringComparison.Ordinal)
            && SameInstant(@event.OccurredAt, occurredAt))
        {
            return @event;
        }

        var envelope = ByType.GetOrAdd(@event.GetType(), static t => new EventEnvelope(t));
        if (!string.Equals(@event.EventId, eventId, StringComparison.Ordinal))
        {
            envelope._eventId?.SetValue(@event, eventId);
        }

        if (!string.Equals(@event.CorrelationId, correlationId, StringComparison.Ordinal))
        {
            envelope._correlationId?.SetValue(@event, correlationId);
        }

        if (!SameInstant(@event.OccurredAt, occurredAt))
        {
            envelope._occurredAt?.SetValue(@event, occurredAt);
        }

        return @event;
    }

    private static bool SameInstant(DateTimeOffset fromJson, DateTimeOffset stored) =>
        fromJson.UtcTicks == stored.UtcTicks || fromJson.UtcTicks - (fromJson.UtcTicks % TimeSpan.TicksPerMicrosecond) == stored.UtcTicks;

    /// <summary>The property whose getter is <paramref name="getter"/>, if it has a setter (compared by handle: the
    /// interface map reflects the getter through the derived type).</summary>
    private static PropertyInfo? SettableProperty(MethodInfo getter) =>
        getter.DeclaringType?
            .GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .FirstOrDefault(p => p.GetMethod?.MethodHandle == getter.MethodHandle && p.SetMethod is not null);
}
