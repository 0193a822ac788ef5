using System.Collections.Concurrent;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.InMemory.Consumers;
using Svrnty.CQRS.Events.InMemory.Queues;
using Svrnty.CQRS.Events.InMemory.Streams;

namespace Svrnty.CQRS.Events.InMemory;

/// <summary>Everything the in-memory backend stores, shared by its stores (one instance per service provider).</summary>
internal sealed class InMemoryEventStorage
{
    public ConcurrentDictionary<string, InMemoryStream> Streams { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, InMemoryQueue> Queues { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<(string Stream, string Group), ConsumerOffset> Offsets { get; } = new();

    public ConcurrentDictionary<string, StreamConfiguration> Configurations { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, RetentionPolicy> RetentionPolicies { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<(string Stream, string Group, long Offset), ParkedEvent> ParkedEvents { get; } = new();

    /// <summary>Consumer-group holders and epochs, shared by every host that shares this storage.</summary>
    public InMemoryConsumerGroups ConsumerGroups { get; } = new();

    public ChangeSignals Signals { get; } = new();

    /// <summary>The log streams (<c>$all</c>, categories), numbered under their own lock.</summary>
    public InMemoryLogs Logs { get; } = new();

    public InMemoryStream? FindStream(string name) => Streams.GetValueOrDefault(name);

    public InMemoryStream GetOrAddStream(string name) => Streams.GetOrAdd(name, static n => new InMemoryStream(n));

    public InMemoryQueue? FindQueue(string name) => Queues.GetValueOrDefault(name);

    public InMemoryQueue GetOrAddQueue(string name) => Queues.GetOrAdd(name, static n => new InMemoryQueue(n));

    /// <summary>Sets a group's offset (<paramref name="onlyForward"/>: only if it moves it forward), the one write of
    /// offsets for the offset store and batches.</summary>
    public void SetOffset(string streamName, string consumerGroup, long nextOffset, bool onlyForward, DateTimeOffset now) =>
        Offsets.AddOrUpdate(
            (streamName, consumerGroup),
            static (key, arg) => new ConsumerOffset { StreamName = key.Stream, ConsumerGroup = key.Group, NextOffset = arg.nextOffset, UpdatedAt = arg.now },
            static (_, current, arg) => arg.onlyForward && arg.nextOffset <= current.NextOffset
                ? current
                : current with { NextOffset = arg.nextOffset, UpdatedAt = arg.now },
            (nextOffset, onlyForward, now));

    public int MaxDeliveryAttempts(string queue) =>
        Configurations.TryGetValue(queue, out var configuration)
            ? configuration.MaxDeliveryAttempts
            : StreamConfiguration.DefaultMaxDeliveryAttempts;
}
