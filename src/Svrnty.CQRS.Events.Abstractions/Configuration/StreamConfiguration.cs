namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Settings of one stream or queue.</summary>
public sealed record StreamConfiguration
{
    /// <summary>The default of <see cref="MaxDeliveryAttempts"/>.</summary>
    public const int DefaultMaxDeliveryAttempts = 5;

    /// <summary>The stream or queue.</summary>
    public required string StreamName { get; init; }

    /// <summary>How many times a queued message is delivered before it goes to the dead-letter queue instead of being
    /// delivered again; at least 1.</summary>
    /// <value>Default: 5.</value>
    public int MaxDeliveryAttempts { get; init; } = DefaultMaxDeliveryAttempts;
}
