using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>One <c>AddEventStreamConsumer</c> registration (<c>Transactional</c>: an <see cref="ITransactionalEventStreamHandler"/>
/// or its typed form).</summary>
internal sealed record EventStreamConsumerRegistration(string StreamName, string ConsumerGroup)
{
    public string OptionsName => EventStreamConsumerOptions.NameFor(StreamName, ConsumerGroup);

    /// <summary>The consumer's named options, resolved when its hosted service is created.</summary>
    public EventStreamConsumerOptions Options { get; init; } = new();

    /// <summary>Whether the handler is an <see cref="ITransactionalEventStreamHandler"/> (or its typed form).</summary>
    public bool Transactional { get; init; }

    /// <summary>The handler's call for each event type, built from its interfaces at registration.</summary>
    public required HandlerDispatch<StoredEvent> Dispatch { get; init; }
}

/// <summary>One <c>AddQueueConsumer</c> registration: the handler type is part of its identity (<c>Transactional</c>: an
/// <see cref="ITransactionalQueueMessageHandler"/> or its typed form).</summary>
internal sealed record QueueConsumerRegistration(string QueueName, Type HandlerType)
{
    public string OptionsName => QueueConsumerOptions.NameFor(QueueName, HandlerType);

    /// <summary>The consumer's named options, resolved when its hosted service is created.</summary>
    public QueueConsumerOptions Options { get; init; } = new();

    /// <summary>Whether the handler is an <see cref="ITransactionalQueueMessageHandler"/> (or its typed form).</summary>
    public bool Transactional { get; init; }

    /// <summary>The handler's call for each message type, built from its interfaces at registration.</summary>
    public required HandlerDispatch<DequeuedEvent> Dispatch { get; init; }
}
