namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>How a subscription reads a stream.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>Where a group with no committed offset starts.</summary>
    /// <value>Default: <see cref="SubscriptionStart.Beginning"/>.</value>
    public SubscriptionStart Start { get; init; } = SubscriptionStart.Beginning;

    /// <summary>How many events are read per round trip while catching up; also the most held in memory.</summary>
    /// <value>Default: 500. 1 to 10,000.</value>
    public int PageSize { get; init; } = 500;

    /// <summary>How long a caught-up subscription waits for a notification before it reads again anyway. Notifications
    /// (PostgreSQL <c>LISTEN/NOTIFY</c>, an in-process signal in memory) deliver new events at once; polling is the
    /// safety net for a lost notification or a proxy that does not pass them.</summary>
    /// <value>Default: 1 second.</value>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
