using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Validation;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers hosted consumers of streams and queues.</summary>
public static class EventConsumerServiceCollectionExtensions
{
    /// <summary>
    /// Runs <typeparamref name="THandler"/> in a background service for every event of <paramref name="streamName"/>,
    /// in order, as <paramref name="consumerGroup"/>: it resumes from the group's committed offset, commits after each
    /// batch and at shutdown (at-least-once: only the uncommitted tail is handled twice after a crash), retries a
    /// failing event with backoff and then parks it or stops, and is active on one app instance at a time.
    /// Registering the same stream and group twice is a no-op. Register a backend too.
    /// </summary>
    /// <typeparam name="THandler">The handler, resolved from a new scope for each batch (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="streamName">The stream to consume.</param>
    /// <param name="consumerGroup">The consumer group whose offset is committed.</param>
    /// <param name="configure">Sets the options; see <see cref="EventStreamConsumerOptions"/> for defaults.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name or option.</exception>
    public static IServiceCollection AddEventStreamConsumer<THandler>(this IServiceCollection services, string streamName, string consumerGroup,
        Action<EventStreamConsumerOptions>? configure = null)
        where THandler : class, IEventStreamHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.Name(consumerGroup, nameof(consumerGroup));
        var options = new EventStreamConsumerOptions();
        configure?.Invoke(options);
        options.Validate();

        if (services.Any(d => d.ServiceType == typeof(EventStreamConsumerRegistration) && d.ImplementationInstance is EventStreamConsumerRegistration r
                              && r.StreamName == streamName && r.ConsumerGroup == consumerGroup))
        {
            return services;
        }

        var registration = new EventStreamConsumerRegistration(streamName, consumerGroup, options);
        services.AddSingleton(registration);
        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(sp =>
        {
            BackendGuard.Require(sp, $"The stream consumer {typeof(THandler).Name} of '{streamName}' (group '{consumerGroup}')");
            return ActivatorUtilities.CreateInstance<EventStreamConsumerService<THandler>>(sp, registration);
        });
        return services;
    }

    /// <summary>
    /// Runs <typeparamref name="THandler"/> in a background service for the messages of <paramref name="queueName"/>
    /// with <see cref="QueueConsumerOptions.Concurrency"/> workers: each message is leased (and the lease extended while
    /// the handler runs), acknowledged on success, and given back on failure; the store dead-letters it after
    /// <see cref="StreamConfiguration.MaxDeliveryAttempts"/> deliveries. Registering the same handler on the same queue
    /// twice is a no-op (the first registration's options stay); another handler on the same queue is a consumer of its
    /// own. Register a backend too.
    /// </summary>
    /// <typeparam name="THandler">The handler, resolved from a new scope for each message (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="queueName">The queue to consume.</param>
    /// <param name="configure">Sets the options; see <see cref="QueueConsumerOptions"/> for defaults.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name or option.</exception>
    public static IServiceCollection AddQueueConsumer<THandler>(this IServiceCollection services, string queueName,
        Action<QueueConsumerOptions>? configure = null)
        where THandler : class, IQueueMessageHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        Argument.WritableName(queueName, nameof(queueName));
        var options = new QueueConsumerOptions();
        configure?.Invoke(options);
        options.Validate();

        if (services.Any(d => d.ServiceType == typeof(QueueConsumerRegistration) && d.ImplementationInstance is QueueConsumerRegistration r
                              && r.QueueName == queueName && r.HandlerType == typeof(THandler)))
        {
            return services;
        }

        var registration = new QueueConsumerRegistration(queueName, typeof(THandler), options);
        services.AddSingleton(registration);
        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(sp =>
        {
            BackendGuard.Require(sp, $"The queue consumer {typeof(THandler).Name} of '{queueName}'");
            return ActivatorUtilities.CreateInstance<QueueConsumerService<THandler>>(sp, registration);
        });
        return services;
    }
}
