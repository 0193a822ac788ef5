using Microsoft.Extensions.DependencyInjection.Extensions;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.Serialization;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the backend-agnostic runtime of Svrnty.CQRS.Events.</summary>
public static class EventStreamingServiceCollectionExtensions
{
    /// <summary>
    /// Registers what every backend shares: the <see cref="EventSerializer"/>, <see cref="TimeProvider.System"/>
    /// (unless a <see cref="TimeProvider"/> is already registered), and the backend-agnostic consumer services
    /// (<see cref="IEventStreamSubscriber"/>, <see cref="IConsumerLagMonitor"/>, <see cref="IEventReplayService"/>).
    /// Our backends and packages call this; safe to call more than once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    internal static IServiceCollection AddEventStreamingCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<EventSerializationOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EventSerializer>();
        services.AddOptions<EventStreamingTelemetryOptions>();
        services.TryAddSingleton(sp => new EventStreamingTelemetry(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<EventStreamingTelemetryOptions>>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp => new MonitoringTargets(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<EventStreamingTelemetryOptions>>(),
            sp.GetServices<EventStreamConsumerRegistration>(),
            sp.GetServices<QueueConsumerRegistration>()));
        services.TryAddSingleton<GaugeCollector>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, GaugeCollector>(sp => sp.GetRequiredService<GaugeCollector>()));
        services.TryAddSingleton<StreamFollower>();
        services.TryAddSingleton<IEventStreamSubscriber, EventStreamSubscriber>();
        services.TryAddSingleton<IConsumerLagMonitor, ConsumerLagMonitor>();
        services.TryAddSingleton<IEventReplayService, EventReplayService>();
        return services;
    }

    /// <summary>Configures how events are serialized and how their types are named in storage.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options, e.g. <c>o =&gt; o.MapEventType&lt;OrderPlaced&gt;("order-placed")</c>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection ConfigureEventSerialization(this IServiceCollection services, Action<EventSerializationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddEventStreamingCore();
        services.Configure(configure);
        return services;
    }

    /// <summary>Configures how metrics are tagged and which queues and consumer groups get gauges.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection ConfigureEventStreamingTelemetry(this IServiceCollection services, Action<EventStreamingTelemetryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddEventStreamingCore();
        services.Configure(configure);
        return services;
    }
}
