using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Validation;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers hosted consumers with exactly-once effects: the handler's batch commits with the consumer's
/// progress.</summary>
public static class TransactionalConsumerServiceCollectionExtensions
{
    /// <summary>
    /// Runs <typeparamref name="THandler"/> in a background service for every event of <paramref name="streamName"/>, in
    /// order, as <paramref name="consumerGroup"/>, like <c>AddEventStreamConsumer</c>, except that each event is committed
    /// on its own: the handler's <see cref="ConsumerTransaction.Batch"/> (and on PostgreSQL its own SQL) and the group's
    /// offset past the event are written in one transaction, so the effects of an event commit exactly once.
    /// <see cref="EventStreamConsumerOptions.CommitAfterEachEvent"/> does not apply (every event is committed). Registering
    /// the same stream and group twice (with either method) is a no-op. Register a backend too.
    /// </summary>
    /// <typeparam name="THandler">The handler, resolved from a new scope for each batch of reads (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="streamName">The stream to consume.</param>
    /// <param name="consumerGroup">The consumer group whose offset is committed.</param>
    /// <param name="configure">Sets the options; see <see cref="EventStreamConsumerOptions"/> for defaults.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name or option.</exception>
    public static IServiceCollection AddTransactionalEventStreamConsumer<THandler>(this IServiceCollection services, string streamName,
        string consumerGroup, Action<EventStreamConsumerOptions>? configure = null)
        where THandler : class, ITransactionalEventStreamHandler
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

        var registration = new EventStreamConsumerRegistration(streamName, consumerGroup, options, Transactional: true);
        services.AddSingleton(registration);
        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(sp =>
            ActivatorUtilities.CreateInstance<EventStreamConsumerService<THandler>>(sp, registration, Transactions(sp)));
        return services;
    }

    /// <summary>
    /// Runs <typeparamref name="THandler"/> in a background service for the messages of <paramref name="queueName"/>, like
    /// <c>AddQueueConsumer</c>, except that the handler's <see cref="ConsumerTransaction.Batch"/> (and on PostgreSQL its
    /// own SQL) and the message's acknowledgement are written in one transaction: if the consumer lost the lease, nothing
    /// of it commits. Registering the same handler on the same queue twice (with either method) is a no-op. Register a
    /// backend too.
    /// </summary>
    /// <typeparam name="THandler">The handler, resolved from a new scope for each message (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="queueName">The queue to consume.</param>
    /// <param name="configure">Sets the options; see <see cref="QueueConsumerOptions"/> for defaults.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name or option.</exception>
    public static IServiceCollection AddTransactionalQueueConsumer<THandler>(this IServiceCollection services, string queueName,
        Action<QueueConsumerOptions>? configure = null)
        where THandler : class, ITransactionalQueueMessageHandler
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

        var registration = new QueueConsumerRegistration(queueName, typeof(THandler), options, Transactional: true);
        services.AddSingleton(registration);
        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(sp =>
            ActivatorUtilities.CreateInstance<QueueConsumerService<THandler>>(sp, registration, Transactions(sp)));
        return services;
    }

    /// <summary>The backend's unit of work, or the backend-neutral one over <see cref="IEventBatchWriter"/>.</summary>
    private static IConsumerTransactionFactory Transactions(IServiceProvider services) =>
        services.GetService<IConsumerTransactionFactory>() ?? new EventBatchConsumerTransactions(services.GetRequiredService<IEventBatchWriter>());
}
