using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>How a hosted stream consumer reads, commits, retries and fails over.</summary>
public sealed class EventStreamConsumerOptions
{
    /// <summary>Where a group that never committed starts.</summary>
    /// <value>Default: <see cref="SubscriptionStart.Beginning"/>.</value>
    public SubscriptionStart Start { get; set; } = SubscriptionStart.Beginning;

    /// <summary>Events read per round trip; the offset is committed after each batch.</summary>
    /// <value>Default: 100. 1 to 10,000.</value>
    public int BatchSize { get; set; } = 100;

    /// <summary>Whether the offset is also committed after every event (fewer duplicates after a crash, one more round
    /// trip per event), instead of only after each batch.</summary>
    /// <value>Default: false.</value>
    public bool CommitAfterEachEvent { get; set; }

    /// <summary>How long a caught-up consumer waits for a notification before it reads again anyway.</summary>
    /// <value>Default: 1 second.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times the handler is called on one event before it is parked or the consumer stops.</summary>
    /// <value>Default: 3.</value>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The delay before the first retry; it doubles at each retry up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>Default: 200 ms.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between retries.</summary>
    /// <value>Default: 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What happens to an event after <see cref="MaxAttempts"/> failures.</summary>
    /// <value>Default: <see cref="ConsumerFailureMode.Park"/>.</value>
    public ConsumerFailureMode OnFailure { get; set; } = ConsumerFailureMode.Park;

    /// <summary>How long the consumer waits before trying again after its loop failed (the database unreachable, for
    /// example). A standby does not poll: it waits on the group's lock and takes over as soon as the holder lets go or
    /// its session ends.</summary>
    /// <value>Default: 5 seconds.</value>
    public TimeSpan TakeoverInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The name of a stream consumer's options: the consumer's registration key, for
    /// <c>services.Configure&lt;EventStreamConsumerOptions&gt;(name, ...)</c> or <c>IOptionsMonitor.Get(name)</c>.</summary>
    /// <param name="streamName">The consumed stream.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <returns><c>"{streamName}/{consumerGroup}"</c>.</returns>
    public static string NameFor(string streamName, string consumerGroup)
    {
        ArgumentNullException.ThrowIfNull(streamName);
        ArgumentNullException.ThrowIfNull(consumerGroup);
        return $"{streamName}/{consumerGroup}";
    }
}

/// <summary>What a hosted stream consumer does with an event its handler keeps failing on.</summary>
public enum ConsumerFailureMode
{
    /// <summary>Record it in <see cref="IParkedEventStore"/> with the error and go on with the next event.</summary>
    Park,

    /// <summary>Stop the consumer at that event (committed up to it), so a restart after the fix begins with it.</summary>
    Stop,
}
