namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>A consumer group's committed position in a stream.</summary>
public sealed record ConsumerOffset
{
    /// <summary>The stream.</summary>
    public required string StreamName { get; init; }

    /// <summary>The consumer group.</summary>
    public required string ConsumerGroup { get; init; }

    /// <summary>The offset of the next event the group will process.</summary>
    public required long NextOffset { get; init; }

    /// <summary>When the offset was last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}
