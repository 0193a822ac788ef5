namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>What is known about a persistent stream, read in O(1).</summary>
public sealed record StreamMetadata
{
    /// <summary>The stream.</summary>
    public required string StreamName { get; init; }

    /// <summary>Whether anything was ever appended to the stream.</summary>
    public required bool Exists { get; init; }

    /// <summary>The number of events ever appended, which is the next offset. Retention does not lower it.</summary>
    public required long Length { get; init; }

    /// <summary>The number of events still stored (<see cref="Length"/> minus what retention deleted).</summary>
    public required long RetainedCount { get; init; }

    /// <summary>The offset of the oldest retained event; null when none is retained.</summary>
    public long? OldestEventOffset { get; init; }

    /// <summary>The offset of the newest retained event; null when none is retained.</summary>
    public long? NewestEventOffset { get; init; }

    /// <summary>When the store accepted the oldest retained event; null when none is retained.</summary>
    public DateTimeOffset? OldestEventTimestamp { get; init; }

    /// <summary>When the store accepted the newest retained event; null when none is retained.</summary>
    public DateTimeOffset? NewestEventTimestamp { get; init; }
}
