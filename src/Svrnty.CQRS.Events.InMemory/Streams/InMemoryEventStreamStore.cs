using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.Serialization;
using Svrnty.CQRS.Events.Streams;

namespace Svrnty.CQRS.Events.InMemory.Streams;

/// <summary>
/// The in-memory stream store (the queue half of <see cref="IEventStreamStore"/> is <c>Queues/InMemoryEventQueue</c>).
/// Each stream has its own lock, so operations on different streams never contend. Events are stored serialized, exactly as the PostgreSQL backend stores them, so a
/// type that does not round-trip through JSON fails here in development rather than in production.
/// </summary>
internal sealed partial class InMemoryEventStreamStore(
    InMemoryEventStorage storage, EventSerializer serializer, TimeProvider time, EventStreamingTelemetry telemetry, IEventQueue queue)
    : EventStreamStoreBase(telemetry, queue)
{
    protected override string SystemName => "inmemory";

    private ICorrelatedEvent Deserialize(string eventType, string json, string eventId, string? correlationId, DateTimeOffset occurredAt) =>
        serializer.Deserialize(eventType, json, eventId, correlationId, occurredAt);
}
