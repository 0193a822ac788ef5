using Microsoft.Extensions.DependencyInjection.Extensions;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.InMemory;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.InMemory.Configuration;
using Svrnty.CQRS.Events.InMemory.Consumers;
using Svrnty.CQRS.Events.InMemory.Offsets;
using Svrnty.CQRS.Events.InMemory.Queues;
using Svrnty.CQRS.Events.InMemory.Retention;
using Svrnty.CQRS.Events.InMemory.Streams;
using Svrnty.CQRS.Events.Retention;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the in-memory backend of Svrnty.CQRS.Events.</summary>
public static class InMemoryEventStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers every contract interface (<see cref="IEventStreamStore"/> with <see cref="IEventStreamWriter"/>,
    /// <see cref="IEventStreamReader"/> and <see cref="IEventQueue"/>, <see cref="IConsumerOffsetStore"/>,
    /// <see cref="IDeadLetterStore"/>, <see cref="IStreamConfigurationStore"/>, <see cref="IRetentionPolicyStore"/>), and
    /// what the hosted consumers need (<see cref="IParkedEventStore"/>, <see cref="IQueueLeaseExtender"/>,
    /// <see cref="IEventStreamLocator"/>, change notifications, consumer-group locks) as in-memory singletons. Uses <c>TryAdd</c>, so an interface registered before is kept; safe to call twice. Data
    /// lives as long as the service provider.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddInMemoryEventStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddEventStreamingCore();
        services.TryAddSingleton<InMemoryEventStorage>();
        services.AddEventStoreBackend<InMemoryEventStreamStore, InMemoryEventQueue>();
        services.TryAddSingleton<IDeadLetterStore, InMemoryDeadLetterStore>();
        services.TryAddSingleton<IConsumerOffsetStore, InMemoryConsumerOffsetStore>();
        services.TryAddSingleton<IStreamConfigurationStore, InMemoryStreamConfigurationStore>();
        services.TryAddSingleton<IRetentionPolicyStore, InMemoryRetentionPolicyStore>();
        services.TryAddSingleton<IParkedEventStore, InMemoryParkedEventStore>();
        services.TryAddSingleton<IStreamChangeNotifier, InMemoryChangeNotifier>();
        services.TryAddSingleton<IConsumerGroupLock, InMemoryConsumerGroupLock>();
        services.TryAddSingleton<IConsumerTransactionFactory, EventBatchConsumerTransactions>();
        services.TryAddSingleton<IRetentionBackend, InMemoryRetentionBackend>();
        services.TryAddSingleton<Svrnty.CQRS.Events.Diagnostics.IEventStoreHealthProbe, InMemoryHealthProbe>();
        return services;
    }
}
