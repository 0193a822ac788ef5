namespace Svrnty.CQRS.Events.PostgreSQL.Execution;

/// <summary>Whether an operation may be sent to the server again after a transient error.</summary>
internal enum Repeat
{
    /// <summary>Repeating it changes nothing more than doing it once (idempotent appends, reads, acks, offset commits,
    /// upserts of settings, retention's deletes of what is due).</summary>
    Safe,

    /// <summary>Repeating it could duplicate or hide an effect (enqueue, dequeue): retried only when the connection could
    /// not be opened, so that nothing was sent.</summary>
    OnlyIfNotSent,
}
