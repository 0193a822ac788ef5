using Svrnty.CQRS.Events.Abstractions;
using System.Collections.Concurrent;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// Wake-up signals per name: <see cref="Next"/> returns a task that completes at the next <see cref="Notify"/> of that
/// name. A waiter takes the task before it reads, so a change between its read and its wait is never missed.
/// Backends complete them from their own change source (an append in memory, NOTIFY on PostgreSQL).
/// </summary>
internal sealed class ChangeSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    /// <summary>The key of a stream's appends (also the PostgreSQL NOTIFY payload): <c>s</c> + the name.</summary>
    /// <param name="streamName">The stream.</param>
    /// <returns>The key.</returns>
    public static string StreamKey(string streamName) => "s" + streamName;

    /// <summary>The key of a queue's new visible messages (also the PostgreSQL NOTIFY payload): <c>q</c> + the name.</summary>
    /// <param name="queueName">The queue.</param>
    /// <returns>The key.</returns>
    public static string QueueKey(string queueName) => "q" + queueName;

    /// <summary>A task that completes at the next change of <paramref name="name"/>.</summary>
    /// <param name="name">The stream or queue key.</param>
    /// <returns>The task.</returns>
    public Task Next(string name) =>
        _signals.GetOrAdd(name, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Wakes the waiters of <paramref name="name"/>.</summary>
    /// <param name="name">The stream or queue key.</param>
    public void Notify(string name)
    {
        if (_signals.TryRemove(name, out var signal))
        {
            signal.TrySetResult();
        }
    }

    /// <summary>Wakes the waiters of an append to <paramref name="streamName"/>: those of the stream itself and those of
    /// the log streams that include it (<see cref="LogStreams.All"/> and its category's log).</summary>
    /// <param name="streamName">The ordinary stream appended to.</param>
    public void NotifyAppended(string streamName)
    {
        Notify(StreamKey(streamName));
        if (streamName.Length > 0 && streamName[0] == LogStreams.ReservedPrefix)
        {
            return;
        }

        Notify(StreamKey(LogStreams.All));
        if (LogStreams.CategoryOf(streamName) is { } category)
        {
            Notify(StreamKey(LogStreams.CategoryPrefix + category));
        }
    }

    /// <summary>Wakes every waiter (after a notification source was interrupted and changes may have been missed).</summary>
    public void NotifyAll()
    {
        foreach (var name in _signals.Keys)
        {
            Notify(name);
        }
    }
}
