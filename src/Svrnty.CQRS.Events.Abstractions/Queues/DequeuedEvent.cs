namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>A message leased to a consumer by <see cref="IEventQueue.DequeueAsync"/>.</summary>
public sealed record DequeuedEvent
{
    /// <summary>The queue.</summary>
    public required string StreamName { get; init; }

    /// <summary>The message's event id, the key for <see cref="IEventQueue.AcknowledgeAsync"/> and
    /// <see cref="IEventQueue.NackAsync"/>.</summary>
    public required string EventId { get; init; }

    /// <summary>The event.</summary>
    public required ICorrelatedEvent Event { get; init; }

    /// <summary>The consumer holding the lease.</summary>
    public required string ConsumerId { get; init; }

    /// <summary>How many times the message has been delivered, this delivery included: 1 on first delivery.</summary>
    public required int DeliveryCount { get; init; }

    /// <summary>When the lease ends and the message becomes visible to other consumers again.</summary>
    public required DateTimeOffset VisibleUntil { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the operation that enqueued the message, if it ran inside a trace.</summary>
    public string? TraceParent { get; init; }
}
