using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Retention;

/// <summary>
/// Options of retention enforcement, set with <c>services.AddEventStreamRetention(o =&gt; ...)</c>.
/// </summary>
/// <remarks>
/// <para>A policy's <see cref="RetentionPolicy.StreamName"/> is a stream name, or a pattern ending in <c>*</c> that
/// covers every stream whose name starts with what comes before it (<c>orders-*</c>; a lone <c>*</c> covers every
/// stream). <c>*</c> is allowed only at the end.</para>
/// <para>Which policy applies to a stream: policies in <see cref="IRetentionPolicyStore"/> (set at runtime) replace the
/// policies added here that have the same name; then a policy named after the stream itself wins over every pattern,
/// and among patterns the longest prefix wins. A stream no policy covers is never trimmed.</para>
/// </remarks>
public sealed class RetentionOptions
{
    /// <summary>The largest <see cref="BatchSize"/> accepted.</summary>
    public const int MaxBatchSize = Argument.MaxReadCount;

    /// <summary>The longest <see cref="Interval"/> accepted.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(7);

    private readonly Dictionary<string, RetentionPolicy> _policies = new(StringComparer.Ordinal);

    /// <summary>How often the hosted service enforces retention. The first run is one interval after startup.</summary>
    /// <value>Default: 5 minutes. Positive, at most <see cref="MaxInterval"/>.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most events (or dead letters) one delete statement removes. Smaller batches hold row locks for
    /// less time; larger ones need fewer round trips.</summary>
    /// <value>Default: 1,000. From 1 to <see cref="MaxBatchSize"/>.</value>
    public int BatchSize { get; set; } = 1_000;

    /// <summary>Dead letters older than this (since they were dead-lettered) are deleted by each run; null keeps them
    /// until they are requeued or purged.</summary>
    /// <value>Default: 14 days. Positive, or null.</value>
    public TimeSpan? DeadLetterMaxAge { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The policies added in code, by name. Policies in <see cref="IRetentionPolicyStore"/> replace those with
    /// the same name.</summary>
    public IReadOnlyCollection<RetentionPolicy> Policies => _policies.Values;

    /// <summary>Adds a policy for a stream or a stream-name pattern (<c>orders-*</c>), replacing one added before
    /// with the same name.</summary>
    /// <param name="policy">The policy: a stream name or pattern and at least one positive limit.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException">The policy is not valid.</exception>
    public RetentionOptions AddRetentionPolicy(RetentionPolicy policy)
    {
        Argument.Policy(policy, nameof(policy));
        _policies[policy.StreamName] = policy;
        return this;
    }

    /// <summary>Adds a policy for a stream or a stream-name pattern (<c>orders-*</c>), replacing one added before
    /// with the same name. When both limits are given, whichever deletes more wins.</summary>
    /// <param name="streamName">The stream name, or a pattern ending in <c>*</c>.</param>
    /// <param name="maxAge">Events accepted longer ago than this are deleted; null for no age limit.</param>
    /// <param name="maxEventCount">Only the newest this many events are kept; null for no count limit.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException">The policy is not valid.</exception>
    public RetentionOptions AddRetentionPolicy(string streamName, TimeSpan? maxAge = null, long? maxEventCount = null) =>
        AddRetentionPolicy(new RetentionPolicy { StreamName = streamName, MaxAge = maxAge, MaxEventCount = maxEventCount });
}
