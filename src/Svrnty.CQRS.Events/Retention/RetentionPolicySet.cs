using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Retention;

/// <summary>
/// The policies in force for one run, and which one applies to a stream: the store's policies replace the configured
/// ones of the same name; a stream's own policy beats every pattern; among patterns the longest prefix wins.
/// </summary>
internal sealed class RetentionPolicySet
{
    public const char Wildcard = '*';

    private readonly Dictionary<string, RetentionPolicy> _exact;

    private RetentionPolicySet(Dictionary<string, RetentionPolicy> exact, RetentionPolicy[] patterns)
    {
        _exact = exact;
        Patterns = patterns;
    }

    /// <summary>The policies named after one stream.</summary>
    public IReadOnlyCollection<RetentionPolicy> Exact => _exact.Values;

    /// <summary>The pattern policies, longest prefix first.</summary>
    public IReadOnlyList<RetentionPolicy> Patterns { get; }

    public static bool IsPattern(string name) => name.EndsWith(Wildcard);

    public static string PrefixOf(RetentionPolicy pattern) => pattern.StreamName[..^1];

    public static RetentionPolicySet Create(IEnumerable<RetentionPolicy> configured, IEnumerable<RetentionPolicy> stored)
    {
        var merged = new Dictionary<string, RetentionPolicy>(StringComparer.Ordinal);
        foreach (var policy in configured.Concat(stored))
        {
            merged[policy.StreamName] = policy;
        }

        var exact = merged.Values.Where(p => !IsPattern(p.StreamName)).ToDictionary(p => p.StreamName, StringComparer.Ordinal);
        var patterns = merged.Values.Where(p => IsPattern(p.StreamName))
            .OrderByDescending(p => p.StreamName.Length)
            .ThenBy(p => p.StreamName, StringComparer.Ordinal)
            .ToArray();
        return new RetentionPolicySet(exact, patterns);
    }

    /// <summary>The policy that applies to a stream, or null when none covers it.</summary>
    public RetentionPolicy? Resolve(string streamName)
    {
        if (_exact.TryGetValue(streamName, out var own))
        {
            return own;
        }

        foreach (var pattern in Patterns)
        {
            if (streamName.StartsWith(PrefixOf(pattern), StringComparison.Ordinal))
            {
                return pattern;
            }
        }

        return null;
    }
}
