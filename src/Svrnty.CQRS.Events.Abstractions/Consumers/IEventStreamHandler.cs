namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Handles the events of a stream for a hosted stream consumer (<c>AddEventStreamConsumer</c>).</summary>
/// <remarks>
/// Delivery is at least once: after a crash, the events since the last committed offset are handled again. Make the
/// handler idempotent, for example by recording <see cref="StoredEvent.Offset"/> or <see cref="StoredEvent.EventId"/>
/// with its effect. Events arrive one at a time, in offset order.
/// </remarks>
public interface IEventStreamHandler
{
    /// <summary>Handles one event. Throwing makes the consumer retry it, then park it or stop, as configured.</summary>
    /// <param name="storedEvent">The event and its position.</param>
    /// <param name="cancellationToken">Signalled when the consumer stops.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken);
}

/// <summary>
/// Handles the events of type <typeparamref name="TEvent"/> of a stream for a hosted stream consumer
/// (<c>AddEventStreamConsumer</c>). One class may implement it for several event types; the consumer calls the
/// implementation for the event's type (or the most specific base type or interface it handles) and moves past the
/// events of types the class does not handle without calling it.
/// </summary>
/// <remarks>
/// Delivery is at least once and in offset order, as for <see cref="IEventStreamHandler"/>. An event whose type could
/// not be resolved arrives as an <see cref="UnknownEvent"/>: implement <c>IEventStreamHandler&lt;UnknownEvent&gt;</c> to
/// see those.
/// </remarks>
/// <typeparam name="TEvent">The event type handled (a class, a base record or an interface).</typeparam>
public interface IEventStreamHandler<in TEvent>
    where TEvent : ICorrelatedEvent
{
    /// <summary>Handles one event. Throwing makes the consumer retry it, then park it or stop, as configured.</summary>
    /// <param name="event">The event.</param>
    /// <param name="storedEvent">Where it is: <see cref="StoredEvent.StreamName"/>, <see cref="StoredEvent.Offset"/>,
    /// <see cref="StoredEvent.Position"/>, <see cref="StoredEvent.EventId"/> and the rest (its <see cref="StoredEvent.Event"/>
    /// is <paramref name="event"/>).</param>
    /// <param name="cancellationToken">Signalled when the consumer stops.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    Task HandleAsync(TEvent @event, StoredEvent storedEvent, CancellationToken cancellationToken);
}
