namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>A message moved to a queue's dead-letter queue.</summary>
public sealed record DeadLetter
{
    /// <summary>The queue the message came from.</summary>
    public required string StreamName { get; init; }

    /// <summary>The message's event id.</summary>
    public required string EventId { get; init; }

    /// <summary>The event.</summary>
    public required ICorrelatedEvent Event { get; init; }

    /// <summary>How many times the message was delivered before it was dead-lettered.</summary>
    public required int DeliveryCount { get; init; }

    /// <summary>Why it was dead-lettered.</summary>
    public required string Reason { get; init; }

    /// <summary>When it was dead-lettered.</summary>
    public required DateTimeOffset DeadLetteredAt { get; init; }
}
