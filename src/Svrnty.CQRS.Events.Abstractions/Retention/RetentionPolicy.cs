namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>How long and how many events a stream keeps. When both limits are set, whichever deletes more wins.</summary>
public sealed record RetentionPolicy
{
    /// <summary>The stream the policy applies to.</summary>
    public required string StreamName { get; init; }

    /// <summary>Events accepted longer ago than this are deleted; positive, or null for no age limit.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Only the newest this many events are kept; at least 1, or null for no count limit.</summary>
    public long? MaxEventCount { get; init; }
}
