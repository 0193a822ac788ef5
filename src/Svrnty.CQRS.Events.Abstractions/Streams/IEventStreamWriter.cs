using System.Diagnostics.CodeAnalysis;

namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Appends events to persistent, append-only streams.</summary>
/// <remarks>
/// Every event gets a sequential, gapless, 0-based offset in its stream. Offsets are never reused, not even after
/// retention has deleted old events. A stream comes into existence with its first append.
/// </remarks>
public interface IEventStreamWriter
{
    /// <summary>Appends one event to a stream.</summary>
    /// <param name="streamName">The stream; created by its first append.</param>
    /// <param name="event">The event. If an event with the same <see cref="ICorrelatedEvent.EventId"/> is already in
    /// the stream, nothing is appended and its existing offset is returned.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The offset of the event in the stream.</returns>
    /// <exception cref="ArgumentException">An invalid stream name or event; nothing was written.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The two AppendAsync overloads are the contract of DESIGN.md; a single event and a batch are not ambiguous.")]
    Task<long> AppendAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default);

    /// <summary>Appends a batch of events to a stream, atomically and at contiguous offsets.</summary>
    /// <param name="streamName">The stream; created by its first append.</param>
    /// <param name="events">The events, in order; at least one, with distinct event ids.</param>
    /// <param name="expectedLength">If set, the append succeeds only if the stream's length equals it
    /// (<c>0</c>: the stream must not exist yet); otherwise <see cref="StreamConcurrencyException"/> is thrown and
    /// nothing is written.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The offset of the last appended event.</returns>
    /// <remarks>
    /// Idempotency: events whose ids are already in the stream are skipped. If every event of the call is already
    /// there, the call succeeds and returns the existing offset of the last one, whatever <paramref name="expectedLength"/>
    /// says, so a write retried after a lost reply is safe. If only some are there, the others are appended (subject to
    /// <paramref name="expectedLength"/>) and the offset of the last newly appended event is returned.
    /// </remarks>
    /// <exception cref="ArgumentException">An invalid stream name, an empty batch, a null or invalid event, duplicate
    /// event ids in the batch, or a negative expected length; nothing was written.</exception>
    /// <exception cref="StreamConcurrencyException">The stream's length is not <paramref name="expectedLength"/>.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The two AppendAsync overloads are the contract of DESIGN.md; a single event and a batch are not ambiguous.")]
    Task<long> AppendAsync(string streamName, IReadOnlyCollection<ICorrelatedEvent> events,
        long? expectedLength = null, CancellationToken cancellationToken = default);
}
