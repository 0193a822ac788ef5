using Microsoft.Extensions.DependencyInjection.Extensions;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Queues;
using Svrnty.CQRS.Events.Streams;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The registration every backend shares: its stream store and its queue store behind the contract's
/// interfaces, with <c>TryAdd</c> so an interface the application registered first is kept.</summary>
internal static class EventStoreBackendRegistration
{
    /// <summary>Registers <typeparamref name="TStreams"/> as <see cref="IEventStreamStore"/> (and its reader, writer and
    /// locator halves, and <see cref="IEventBatchWriter"/>) and <typeparamref name="TQueues"/> as <see cref="IEventQueue"/>, <see cref="IQueueLeaseExtender"/>
    /// and <see cref="IEventQueueMonitor"/>. The stream store serves the queue half of <see cref="IEventStreamStore"/>
    /// through the registered <see cref="IEventQueue"/>.</summary>
    public static IServiceCollection AddEventStoreBackend<TStreams, TQueues>(this IServiceCollection services)
        where TStreams : EventStreamStoreBase
        where TQueues : EventQueueBase
    {
        services.TryAddSingleton<TQueues>();
        services.TryAddSingleton<IEventQueue>(sp => sp.GetRequiredService<TQueues>());
        services.TryAddSingleton<IQueueLeaseExtender>(sp => sp.GetRequiredService<TQueues>());
        services.TryAddSingleton<IEventQueueMonitor>(sp => sp.GetRequiredService<TQueues>());
        services.TryAddSingleton<TStreams>();
        services.TryAddSingleton<IEventStreamStore>(sp => sp.GetRequiredService<TStreams>());
        services.TryAddSingleton<IEventStreamWriter>(sp => sp.GetRequiredService<IEventStreamStore>());
        services.TryAddSingleton<IEventStreamReader>(sp => sp.GetRequiredService<IEventStreamStore>());
        services.TryAddSingleton<IEventStreamLocator>(sp => sp.GetRequiredService<TStreams>());
        services.TryAddSingleton<IEventBatchWriter>(sp => sp.GetRequiredService<IEventStreamStore>());
        return services;
    }
}
