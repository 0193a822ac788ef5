namespace Svrnty.CQRS.Events.Benchmarks.Harness;

/// <summary>How much work each workload does. <see cref="Full"/> is the sizes; <see cref="Quick"/> fits in
/// a few minutes on 2 cores; <see cref="Tiny"/> is the smoke test's, and proves only that everything runs.</summary>
internal sealed record Sizes
{
    public required string Name { get; init; }

    /// <summary>Measured runs per workload and implementation (after one warm-up run).</summary>
    public required int Runs { get; init; }

    /// <summary>The warm-up run does this fraction of a measured run's work (at least one operation).</summary>
    public int WarmupDivisor { get; init; } = 5;

    public required int AppendSingleEvents { get; init; }

    public required int AppendBatchEvents { get; init; }

    public int BatchSize { get; init; } = 100;

    public int ConcurrentWriters { get; init; } = 8;

    public required int ConcurrentEventsPerWriter { get; init; }

    public required int ReadStreamEvents { get; init; }

    public int PageSize { get; init; } = 1_000;

    public required int QueueMessages { get; init; }

    /// <summary>Orders written per <c>batch-outbox</c> run: each one event appended to a new stream and one message enqueued.</summary>
    public required int BatchOutboxOperations { get; init; }

    public int QueueConsumers { get; init; } = 4;

    public required int InMemoryEvents { get; init; }

    /// <summary>Events appended one at a time per <c>subscription-latency</c> run, <see cref="SubscriptionPace"/> apart.</summary>
    public required int SubscriptionEvents { get; init; }

    /// <summary>The gap between two appends of <c>subscription-latency</c>: a steady trickle, so each event is measured on its own.</summary>
    public TimeSpan SubscriptionPace { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Events appended per <c>log-follow</c> run, shared by <see cref="ConcurrentWriters"/> writers.</summary>
    public required int LogFollowEvents { get; init; }

    /// <summary>The streams <c>log-follow</c>'s writers append to (each writer its own share of them).</summary>
    public int LogFollowStreams { get; init; } = 64;

    /// <summary>Events appended per <c>fan-out</c> run, by <see cref="FanOutWriters"/> writers at <see cref="FanOutRate"/> in all;
    /// each subscriber of the variant receives every one.</summary>
    public required int FanOutEvents { get; init; }

    /// <summary>The variants of <c>fan-out</c>: how many live subscribers follow the writers' category.</summary>
    public required IReadOnlyList<int> FanOutSubscribers { get; init; }

    /// <summary>The writers of <c>fan-out</c>, each its own streams of the one category.</summary>
    public int FanOutWriters { get; init; } = 4;

    /// <summary>The events per second all <c>fan-out</c> writers together offer: a steady pace, not as fast as they can.</summary>
    public int FanOutRate { get; init; } = 1_000;

    /// <summary>Events already in the table for the second <c>growth-append</c> row, and the length of the long stream of <c>growth-read</c>.</summary>
    public required int GrowthPrefill { get; init; }

    /// <summary>The length of the short stream of <c>growth-read</c>.</summary>
    public required int GrowthShortStream { get; init; }

    /// <summary>Pages read at random offsets per <c>growth-read</c> run.</summary>
    public required int GrowthPagesPerRun { get; init; }

    public static Sizes Full { get; } = new()
    {
        Name = "full",
        Runs = 5,
        AppendSingleEvents = 10_000,
        AppendBatchEvents = 100_000,
        ConcurrentEventsPerWriter = 1_250,
        ReadStreamEvents = 100_000,
        QueueMessages = 20_000,
        BatchOutboxOperations = 10_000,
        InMemoryEvents = 100_000,
        SubscriptionEvents = 2_000,
        LogFollowEvents = 10_000,
        FanOutEvents = 5_000,
        FanOutSubscribers = [1, 10, 50, 100],
        GrowthPrefill = 1_000_000,
        GrowthShortStream = 10_000,
        GrowthPagesPerRun = 20,
    };

    public static Sizes Quick { get; } = new()
    {
        Name = "quick",
        Runs = 5,
        AppendSingleEvents = 800,
        AppendBatchEvents = 10_000,
        ConcurrentEventsPerWriter = 50,
        ReadStreamEvents = 20_000,
        QueueMessages = 1_000,
        BatchOutboxOperations = 800,
        InMemoryEvents = 50_000,
        SubscriptionEvents = 300,
        LogFollowEvents = 1_600,
        FanOutEvents = 1_000,
        FanOutSubscribers = [1, 10, 100],
        GrowthPrefill = 50_000,
        GrowthShortStream = 10_000,
        GrowthPagesPerRun = 10,
    };

    public static Sizes Tiny { get; } = new()
    {
        Name = "tiny",
        Runs = 2,
        WarmupDivisor = 10,
        AppendSingleEvents = 20,
        AppendBatchEvents = 200,
        ConcurrentEventsPerWriter = 3,
        ReadStreamEvents = 2_000,
        QueueMessages = 40,
        BatchOutboxOperations = 20,
        InMemoryEvents = 200,
        SubscriptionEvents = 20,
        LogFollowEvents = 24,
        FanOutEvents = 24,
        FanOutSubscribers = [1, 3],
        GrowthPrefill = 2_000,
        GrowthShortStream = 1_000,
        GrowthPagesPerRun = 2,
    };

    public int Warmup(int measured) => Math.Max(1, measured / WarmupDivisor);
}
