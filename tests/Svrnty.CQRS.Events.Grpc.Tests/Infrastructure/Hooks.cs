using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;

public static class ServiceCollectionDecoration
{
    /// <summary>Wraps the registered <typeparamref name="TService"/> in a decorator, keeping its lifetime.</summary>
    public static void Decorate<TService>(this IServiceCollection services, Func<TService, TService> decorate)
        where TService : class
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(TService) && !d.IsKeyedService);
        services.Remove(descriptor);
        services.Add(ServiceDescriptor.Describe(typeof(TService), sp => decorate((TService)Create(sp, descriptor)), descriptor.Lifetime));
    }

    private static object Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
}

/// <summary>Counts the server's subscription enumerations per stream and signals when one starts and ends.</summary>
public sealed class SubscriptionTracker
{
    private readonly ConcurrentDictionary<string, int> _active = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _ended = new();

    /// <summary>How many subscriptions on <paramref name="streamName"/> the server is enumerating now.</summary>
    public int ActiveOn(string streamName) => _active.GetValueOrDefault(streamName);

    /// <summary>Completes when a subscription on <paramref name="streamName"/> has ended on the server.</summary>
    public Task Ended(string streamName) => Signal(streamName).Task;

    internal void OnStarted(string streamName) => _active.AddOrUpdate(streamName, 1, (_, n) => n + 1);

    internal void OnEnded(string streamName)
    {
        _active.AddOrUpdate(streamName, 0, (_, n) => n - 1);
        Signal(streamName).TrySetResult();
    }

    private TaskCompletionSource Signal(string streamName) =>
        _ended.GetOrAdd(streamName, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

internal sealed class TrackingSubscriber(IEventStreamSubscriber inner, SubscriptionTracker tracker) : IEventStreamSubscriber
{
    public IAsyncEnumerable<StoredEvent> SubscribeAsync(string streamName, string consumerGroup, SubscriptionOptions? options = null,
        CancellationToken cancellationToken = default) =>
        TrackAsync(inner.SubscribeAsync(streamName, consumerGroup, options, cancellationToken), streamName, cancellationToken);

    private async IAsyncEnumerable<StoredEvent> TrackAsync(IAsyncEnumerable<StoredEvent> source, string streamName,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        tracker.OnStarted(streamName);
        try
        {
            await foreach (var e in source.WithCancellation(cancellationToken))
            {
                yield return e;
            }
        }
        finally
        {
            tracker.OnEnded(streamName);
        }
    }
}

/// <summary>Exceptions the store throws for given streams or queues, as a failing database would.</summary>
public sealed class StoreFaults
{
    private readonly ConcurrentDictionary<string, Exception> _faults = new();

    public void FailOn(string streamName, Exception exception) => _faults[streamName] = exception;

    internal void ThrowIfFaulted(string streamName)
    {
        if (_faults.TryGetValue(streamName, out var exception))
        {
            throw exception;
        }
    }
}

internal sealed class FaultInjectingStore(IEventStreamStore inner, StoreFaults faults) : IEventStreamStore
{
    public Task<long> AppendAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfFaulted(streamName);
        return inner.AppendAsync(streamName, @event, cancellationToken);
    }

    public Task<long> AppendAsync(string streamName, IReadOnlyCollection<ICorrelatedEvent> events, long? expectedLength = null,
        CancellationToken cancellationToken = default)
    {
        faults.ThrowIfFaulted(streamName);
        return inner.AppendAsync(streamName, events, expectedLength, cancellationToken);
    }

    public Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamName, long fromOffset, int maxCount, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfFaulted(streamName);
        return inner.ReadStreamAsync(streamName, fromOffset, maxCount, cancellationToken);
    }

    public Task<long> GetStreamLengthAsync(string streamName, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfFaulted(streamName);
        return inner.GetStreamLengthAsync(streamName, cancellationToken);
    }

    public Task<StreamMetadata> GetStreamMetadataAsync(string streamName, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfFaulted(streamName);
        return inner.GetStreamMetadataAsync(streamName, cancellationToken);
    }

    public Task EnqueueAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfFaulted(streamName);
        return inner.EnqueueAsync(streamName, @event, cancellationToken);
    }

    public Task<DequeuedEvent?> DequeueAsync(string streamName, string consumerId, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfFaulted(streamName);
        return inner.DequeueAsync(streamName, consumerId, visibilityTimeout, cancellationToken);
    }

    public Task<bool> AcknowledgeAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfFaulted(streamName);
        return inner.AcknowledgeAsync(streamName, eventId, consumerId, cancellationToken);
    }

    public Task<bool> NackAsync(string streamName, string eventId, string consumerId, bool requeue = true, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfFaulted(streamName);
        return inner.NackAsync(streamName, eventId, consumerId, requeue, cancellationToken);
    }

    public Task<long> GetPendingCountAsync(string streamName, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfFaulted(streamName);
        return inner.GetPendingCountAsync(streamName, cancellationToken);
    }

    public Task<EventBatchResult> WriteAsync(EventBatch batch, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(batch, cancellationToken);
}
