using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>
/// Counts what queue workers do, per queue: dequeues (and those that found a message) and the waits that woke. It
/// decorates the backend's <see cref="IEventQueue"/> and <see cref="IStreamChangeNotifier"/>. A wait counts as woken
/// from the moment the notifier completes it, before any worker runs on; a dequeue counts before its caller sees it.
/// </summary>
public sealed class QueueCounters
{
    private readonly ConcurrentDictionary<string, int> _dequeues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _found = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Task>> _waits = new(StringComparer.Ordinal);
    private int _inFlight;

    /// <summary>Dequeues of <paramref name="queue"/> that have returned.</summary>
    public int Dequeues(string queue) => _dequeues.GetValueOrDefault(queue);

    /// <summary>Dequeues of <paramref name="queue"/> that returned a message.</summary>
    public int Found(string queue) => _found.GetValueOrDefault(queue);

    /// <summary>Waits for <paramref name="queue"/> that a notification woke.</summary>
    public int Woken(string queue) => _waits.TryGetValue(queue, out var waits) ? waits.Count(w => w.IsCompletedSuccessfully) : 0;

    /// <summary>Dequeues under way, of any queue.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Replaces the backend's queue and notifier (registered before) with counting decorators.</summary>
    public void AddTo(IServiceCollection services)
    {
        services.DecorateQueue(queue => new CountingQueue(queue, this));
        var notifier = services.Last(d => d.ServiceType == typeof(IStreamChangeNotifier));
        var implementation = notifier.ImplementationType
            ?? throw new InvalidOperationException("The backend's notifier is expected to be registered by type.");
        services.Remove(notifier);
        services.AddSingleton(implementation);
        services.AddSingleton<IStreamChangeNotifier>(sp => new CountingNotifier((IStreamChangeNotifier)sp.GetRequiredService(implementation), this));
    }

    private static void Increment(ConcurrentDictionary<string, int> counts, string queue) => counts.AddOrUpdate(queue, 1, static (_, n) => n + 1);

    private sealed class CountingNotifier(IStreamChangeNotifier inner, QueueCounters counters) : IStreamChangeNotifier
    {
        public Task StreamChanged(string streamName) => inner.StreamChanged(streamName);

        public Task QueueChanged(string queueName, CancellationToken withdraw)
        {
            var wait = inner.QueueChanged(queueName, withdraw);
            counters._waits.GetOrAdd(queueName, static _ => new ConcurrentQueue<Task>()).Enqueue(wait);
            return wait;
        }
    }

    private sealed class CountingQueue(IEventQueue inner, QueueCounters counters) : IEventQueue
    {
        public Task EnqueueAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default) =>
            inner.EnqueueAsync(streamName, @event, cancellationToken);

        public async Task<DequeuedEvent?> DequeueAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref counters._inFlight);
            try
            {
                var message = await inner.DequeueAsync(streamName, consumerId, visibilityTimeout, cancellationToken);
                Increment(counters._dequeues, streamName);
                if (message is not null)
                {
                    Increment(counters._found, streamName);
                }

                return message;
            }
            finally
            {
                Interlocked.Decrement(ref counters._inFlight);
            }
        }

        public Task<bool> AcknowledgeAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken = default) =>
            inner.AcknowledgeAsync(streamName, eventId, consumerId, cancellationToken);

        public Task<bool> NackAsync(string streamName, string eventId, string consumerId, bool requeue = true,
            CancellationToken cancellationToken = default) =>
            inner.NackAsync(streamName, eventId, consumerId, requeue, cancellationToken);

        public Task<long> GetPendingCountAsync(string streamName, CancellationToken cancellationToken = default) =>
            inner.GetPendingCountAsync(streamName, cancellationToken);
    }
}
