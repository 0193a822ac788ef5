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
