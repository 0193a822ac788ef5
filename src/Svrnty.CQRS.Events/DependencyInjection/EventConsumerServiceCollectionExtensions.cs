using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Validation;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers hosted consumers of streams and queues.</summary>
/// <remarks>A consumer's options are named options (the name is <see cref="EventStreamConsumerOptions.NameFor"/> or
/// <see cref="QueueConsumerOptions.NameFor"/>), validated at startup: an invalid value fails the host's start with an
/// <see cref="OptionsValidationException"/> naming the consumer and the option.</remarks>
public static class EventConsumerServiceCollectionExtensions
{
    /// <summary>Runs <typeparamref name="THandler"/> for every event of <paramref name="streamName"/> as
    /// <paramref name="consumerGroup"/> with the default options, or those configured under its name
    /// (<see cref="EventStreamConsumerOptions.NameFor"/>); see
    /// <see cref="AddEventStreamConsumer{THandler}(IServiceCollection, string, string, Action{EventStreamConsumerOptions}?)"/>.</summary>
    /// <typeparam name="THandler">The handler: an <see cref="IEventStreamHandler"/> (every event) or an
    /// <see cref="IEventStreamHandler{TEvent}"/> for one or more event types (the others are passed over); resolved from a
    /// new scope for each batch (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="streamName">The stream to consume.</param>
    /// <param name="consumerGroup">The consumer group whose offset is committed.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name, or a handler that implements neither interface (or both).</exception>
    public static IServiceCollection AddEventStreamConsumer<THandler>(this IServiceCollection services, string streamName, string consumerGroup)
        where THandler : class =>
        services.AddEventStreamConsumer<THandler>(streamName, consumerGroup, configure: null);

    /// <summary>
    /// Runs <typeparamref name="THandler"/> in a background service for every event of <paramref name="streamName"/>,
    /// in order, as <paramref name="consumerGroup"/>: it resumes from the group's committed offset, commits after each
    /// batch and at shutdown (at-least-once: only the uncommitted tail is handled twice after a crash), retries a
    /// failing event with backoff and then parks it or stops, and is active on one app instance at a time.
    /// Registering the same stream and group twice is a no-op (the first registration's options stay). Register a
    /// backend too.
    /// </summary>
    /// <typeparam name="THandler">The handler: an <see cref="IEventStreamHandler"/> (every event) or an
    /// <see cref="IEventStreamHandler{TEvent}"/> for one or more event types (the others are passed over); resolved from a
    /// new scope for each batch (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="streamName">The stream to consume.</param>
    /// <param name="consumerGroup">The consumer group whose offset is committed.</param>
    /// <param name="configure">Sets the options; see <see cref="EventStreamConsumerOptions"/> for defaults.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name, or a handler that implements neither interface (or both).</exception>
    public static IServiceCollection AddEventStreamConsumer<THandler>(this IServiceCollection services, string streamName, string consumerGroup,
        Action<EventStreamConsumerOptions>? configure)
        where THandler : class =>
        services.AddEventStreamConsumerCore<THandler>(streamName, consumerGroup, options =>
        {
            if (configure is not null)
            {
                options.Configure(configure);
            }
        });

    /// <summary>
    /// Runs <typeparamref name="THandler"/> for every event of <paramref name="streamName"/> as
    /// <paramref name="consumerGroup"/>, as <see cref="AddEventStreamConsumer{THandler}(IServiceCollection, string, string, Action{EventStreamConsumerOptions}?)"/>
    /// does, with its options bound from <paramref name="configuration"/> (for example
    /// <c>builder.Configuration.GetSection("Consumers:Projections")</c> holding <c>{ "BatchSize": 500, "PollInterval": "00:00:05" }</c>).
    /// </summary>
    /// <typeparam name="THandler">The handler: an <see cref="IEventStreamHandler"/> (every event) or an
    /// <see cref="IEventStreamHandler{TEvent}"/> for one or more event types (the others are passed over); resolved from a
    /// new scope for each batch (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="streamName">The stream to consume.</param>
    /// <param name="consumerGroup">The consumer group whose offset is committed.</param>
    /// <param name="configuration">The section bound to <see cref="EventStreamConsumerOptions"/>.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name, or a handler that implements neither interface (or both).</exception>
    public static IServiceCollection AddEventStreamConsumer<THandler>(this IServiceCollection services, string streamName, string consumerGroup,
        IConfigurationSection configuration)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddEventStreamConsumerCore<THandler>(streamName, consumerGroup, options => options.Bind(configuration));
    }

    /// <summary>Runs <typeparamref name="THandler"/> for the messages of <paramref name="queueName"/> with the default
    /// options, or those configured under its name (<see cref="QueueConsumerOptions.NameFor"/>); see
    /// <see cref="AddQueueConsumer{THandler}(IServiceCollection, string, Action{QueueConsumerOptions}?)"/>.</summary>
    /// <typeparam name="THandler">The handler: an <see cref="IQueueMessageHandler"/> (every message) or an
    /// <see cref="IQueueMessageHandler{TMessage}"/> for one or more message types (the others are acknowledged without a
    /// call); resolved from a new scope for each message (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="queueName">The queue to consume.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name, or a handler that implements neither interface (or both).</exception>
    public static IServiceCollection AddQueueConsumer<THandler>(this IServiceCollection services, string queueName)
        where THandler : class =>
        services.AddQueueConsumer<THandler>(queueName, configure: null);

    /// <summary>
    /// Runs <typeparamref name="THandler"/> in a background service for the messages of <paramref name="queueName"/>
    /// with <see cref="QueueConsumerOptions.Concurrency"/> workers: each message is leased (and the lease extended while
    /// the handler runs), acknowledged on success, and given back on failure; the store dead-letters it after
    /// <see cref="StreamConfiguration.MaxDeliveryAttempts"/> deliveries (set at startup from
    /// <see cref="QueueConsumerOptions.MaxDeliveryAttempts"/> when given). Registering the same handler on the same queue
    /// twice is a no-op (the first registration's options stay); another handler on the same queue is a consumer of its
    /// own. Register a backend too.
    /// </summary>
    /// <typeparam name="THandler">The handler: an <see cref="IQueueMessageHandler"/> (every message) or an
    /// <see cref="IQueueMessageHandler{TMessage}"/> for one or more message types (the others are acknowledged without a
    /// call); resolved from a new scope for each message (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="queueName">The queue to consume.</param>
    /// <param name="configure">Sets the options; see <see cref="QueueConsumerOptions"/> for defaults.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name, or a handler that implements neither interface (or both).</exception>
    public static IServiceCollection AddQueueConsumer<THandler>(this IServiceCollection services, string queueName,
        Action<QueueConsumerOptions>? configure)
        where THandler : class =>
        services.AddQueueConsumerCore<THandler>(queueName, options =>
        {
            if (configure is not null)
            {
                options.Configure(configure);
            }
        });

    /// <summary>
    /// Runs <typeparamref name="THandler"/> for the messages of <paramref name="queueName"/>, as
    /// <see cref="AddQueueConsumer{THandler}(IServiceCollection, string, Action{QueueConsumerOptions}?)"/> does, with its
    /// options bound from <paramref name="configuration"/> (for example <c>{ "Concurrency": 4, "MaxDeliveryAttempts": 3 }</c>).
    /// </summary>
    /// <typeparam name="THandler">The handler: an <see cref="IQueueMessageHandler"/> (every message) or an
    /// <see cref="IQueueMessageHandler{TMessage}"/> for one or more message types (the others are acknowledged without a
    /// call); resolved from a new scope for each message (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="queueName">The queue to consume.</param>
    /// <param name="configuration">The section bound to <see cref="QueueConsumerOptions"/>.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name, or a handler that implements neither interface (or both).</exception>
    public static IServiceCollection AddQueueConsumer<THandler>(this IServiceCollection services, string queueName,
        IConfigurationSection configuration)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddQueueConsumerCore<THandler>(queueName, options => options.Bind(configuration));
    }

    internal static IServiceCollection AddEventStreamConsumerCore<THandler>(this IServiceCollection services, string streamName, string consumerGroup,
        Action<OptionsBuilder<EventStreamConsumerOptions>> configure, bool transactional = false)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(services);
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.Name(consumerGroup, nameof(consumerGroup));
        var dispatch = HandlerDispatch.ForStream(typeof(THandler), transactional);
        if (services.Any(d => d.ServiceType == typeof(EventStreamConsumerRegistration) && d.ImplementationInstance is EventStreamConsumerRegistration r
                              && r.StreamName == streamName && r.ConsumerGroup == consumerGroup))
        {
            return services;
        }

        var registration = new EventStreamConsumerRegistration(streamName, consumerGroup) { Transactional = transactional, Dispatch = dispatch };
        configure(services.AddOptions<EventStreamConsumerOptions>(registration.OptionsName).ValidateOnStart());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventStreamConsumerOptions>, EventStreamConsumerOptionsValidator>());
        services.AddSingleton(registration);
        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(sp =>
        {
            BackendGuard.Require(sp, $"The stream consumer {typeof(THandler).Name} of '{streamName}' (group '{consumerGroup}')");
            var options = sp.GetRequiredService<IOptionsMonitor<EventStreamConsumerOptions>>().Get(registration.OptionsName);
            var configured = registration with { Options = options };
            return transactional
                ? ActivatorUtilities.CreateInstance<EventStreamConsumerService<THandler>>(sp, configured, TransactionalConsumerServiceCollectionExtensions.Transactions(sp))
                : ActivatorUtilities.CreateInstance<EventStreamConsumerService<THandler>>(sp, configured);
        });
        return services;
    }

    internal static IServiceCollection AddQueueConsumerCore<THandler>(this IServiceCollection services, string queueName,
        Action<OptionsBuilder<QueueConsumerOptions>> configure, bool transactional = false)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(services);
        Argument.WritableName(queueName, nameof(queueName));
        var dispatch = HandlerDispatch.ForQueue(typeof(THandler), transactional);
        if (services.Any(d => d.ServiceType == typeof(QueueConsumerRegistration) && d.ImplementationInstance is QueueConsumerRegistration r
                              && r.QueueName == queueName && r.HandlerType == typeof(THandler)))
        {
            return services;
        }

        var registration = new QueueConsumerRegistration(queueName, typeof(THandler)) { Transactional = transactional, Dispatch = dispatch };
        configure(services.AddOptions<QueueConsumerOptions>(registration.OptionsName).ValidateOnStart());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueueConsumerOptions>, QueueConsumerOptionsValidator>());
        // Before the first queue consumer, so that the delivery limits are set before any message is delivered.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, QueueDeliveryLimits>(sp => new QueueDeliveryLimits(
            sp, sp.GetServices<QueueConsumerRegistration>(), sp.GetRequiredService<IOptionsMonitor<QueueConsumerOptions>>())));
        services.AddSingleton(registration);
        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(sp =>
        {
            BackendGuard.Require(sp, $"The queue consumer {typeof(THandler).Name} of '{queueName}'");
            var options = sp.GetRequiredService<IOptionsMonitor<QueueConsumerOptions>>().Get(registration.OptionsName);
            var configured = registration with { Options = options };
            return transactional
                ? ActivatorUtilities.CreateInstance<QueueConsumerService<THandler>>(sp, configured, TransactionalConsumerServiceCollectionExtensions.Transactions(sp))
                : ActivatorUtilities.CreateInstance<QueueConsumerService<THandler>>(sp, configured);
        });
        return services;
    }
}
