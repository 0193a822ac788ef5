namespace Svrnty.CQRS.Events.Retention;

/// <summary>What one retention run deleted.</summary>
public sealed class RetentionResult
{
    /// <summary>The streams that lost events, with the policy that applied; streams with nothing to delete are left out.</summary>
    public required IReadOnlyList<StreamRetentionResult> Streams { get; init; }

    /// <summary>The queues that lost dead letters; queues with nothing to delete are left out.</summary>
    public required IReadOnlyList<DeadLetterRetentionResult> DeadLetters { get; init; }

    /// <summary>The events deleted from every stream.</summary>
    public long EventsDeleted => Streams.Sum(s => s.EventsDeleted);

    /// <summary>The dead letters deleted from every queue.</summary>
    public long DeadLettersDeleted => DeadLetters.Sum(d => d.DeadLettersDeleted);
}

/// <summary>The events a retention run deleted from one stream.</summary>
/// <param name="StreamName">The stream.</param>
/// <param name="PolicyName">The <see cref="Abstractions.RetentionPolicy.StreamName"/> of the policy that applied: the
/// stream's own name or a pattern such as <c>orders-*</c>.</param>
/// <param name="EventsDeleted">How many of its oldest events were deleted.</param>
public sealed record StreamRetentionResult(string StreamName, string PolicyName, long EventsDeleted);

/// <summary>The dead letters a retention run deleted from one queue.</summary>
/// <param name="QueueName">The queue.</param>
/// <param name="DeadLettersDeleted">How many of its dead letters were deleted.</param>
public sealed record DeadLetterRetentionResult(string QueueName, long DeadLettersDeleted);
