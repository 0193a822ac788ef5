using System.Globalization;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>The consumer ids a queue consumer's workers lease messages with: "{prefix}-{instance}-{worker}", the instance
/// eight hex digits fresh at each start, the worker numbered from 0.</summary>
internal static class QueueConsumerIds
{
    private const int InstanceLength = 8;

    /// <summary>A fresh instance part.</summary>
    public static string NewInstance() => Guid.NewGuid().ToString("N")[..InstanceLength];

    /// <summary>The id of one worker.</summary>
    public static string Of(string prefix, string instance, int worker) => $"{prefix}-{instance}-{worker.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The longest id a prefix gives with this many workers.</summary>
    public static int MaxLength(string prefix, int concurrency) =>
        prefix.Length + 1 + InstanceLength + 1 + Math.Max(concurrency - 1, 0).ToString(CultureInfo.InvariantCulture).Length;
}
