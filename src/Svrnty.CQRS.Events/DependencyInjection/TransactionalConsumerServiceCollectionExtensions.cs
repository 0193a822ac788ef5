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
    /// <typeparam name="THandler">The handler: an <see cref="ITransactionalEventStreamHandler"/> (every event) or an
    /// <see cref="ITransactionalEventStreamHandler{TEvent}"/> for one or more event types (the others are passed over);
    /// resolved from a new scope for each batch of reads (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="streamName">The stream to consume.</param>
    /// <param name="consumerGroup">The consumer group whose offset is committed.</param>
    /// <param name="configure">Sets the options; see <see cref="EventStreamConsumerOptions"/> for defaults.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name, or a handler that implements neither interface (or both); an
    /// invalid option fails at startup.</exception>
    public static IServiceCollection AddTransactionalEventStreamConsumer<THandler>(this IServiceCollection services, string streamName,
        string consumerGroup, Action<EventStreamConsumerOptions>? configure = null)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddEventStreamConsumerCore<THandler>(streamName, consumerGroup, options =>
        {
            if (configure is not null)
            {
                options.Configure(configure);
            }
        }, transactional: true);
    }

    /// <summary>
    /// Runs <typeparamref name="THandler"/> in a background service for the messages of <paramref name="queueName"/>, like
    /// <c>AddQueueConsumer</c>, except that the handler's <see cref="ConsumerTransaction.Batch"/> (and on PostgreSQL its
    /// own SQL) and the message's acknowledgement are written in one transaction: if the consumer lost the lease, nothing
    /// of it commits. Registering the same handler on the same queue twice (with either method) is a no-op. Register a
    /// backend too.
    /// </summary>
    /// <typeparam name="THandler">The handler: an <see cref="ITransactionalQueueMessageHandler"/> (every message) or an
    /// <see cref="ITransactionalQueueMessageHandler{TMessage}"/> for one or more message types (the others are acknowledged
    /// without a call); resolved from a new scope for each message (registered scoped if absent).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="queueName">The queue to consume.</param>
    /// <param name="configure">Sets the options; see <see cref="QueueConsumerOptions"/> for defaults.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An invalid name, or a handler that implements neither interface (or both); an
    /// invalid option fails at startup.</exception>
    public static IServiceCollection AddTransactionalQueueConsumer<THandler>(this IServiceCollection services, string queueName,
        Action<QueueConsumerOptions>? configure = null)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddQueueConsumerCore<THandler>(queueName, options =>
        {
            if (configure is not null)
            {
                options.Configure(configure);
            }
        }, transactional: true);
    }

    /// <summary>The backend's unit of work, or the backend-neutral one over <see cref="IEventBatchWriter"/>.</summary>
    internal static IConsumerTransactionFactory Transactions(IServiceProvider services) =>
        services.GetService<IConsumerTransactionFactory>() ?? new EventBatchConsumerTransactions(services.GetRequiredService<IEventBatchWriter>());
}
