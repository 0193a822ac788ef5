using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>
/// A write committed on the primary, but PostgreSQL could not confirm that a synchronous standby has it: the commit was
/// waiting for synchronous replication (<c>synchronous_standby_names</c> is set and no standby answered) when the wait
/// was cancelled, by the command timeout, the caller's cancellation token or the end of the session. PostgreSQL then
/// reports "canceling wait for synchronous replication ... The transaction has already committed locally, but might not
/// have been replicated to the standby" as a warning, and the statement returns normally; the library turns that warning
/// into this exception instead of a success.
/// </summary>
/// <remarks>
/// <para>The outcome is unknown, not failed: the write is visible on the primary now, and it survives if the primary does;
/// after a failover to a standby that never received it, it is gone (and, for an append, its offset goes to another
/// event). Nothing the library did afterwards turned it into a success: it is never retried by the store.</para>
/// <para>What to do: send the same call again, with the same event ids. Appends and enqueues are idempotent by
/// <c>EventId</c>: a repeat of a write that is already there writes nothing, and succeeds only once the standby confirms
/// it (or fails the same way while the standby is still away). See docs/postgresql.md, "Replication and failover".</para>
/// </remarks>
public sealed class EventStoreDurabilityUnconfirmedException : EventStreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was written and what is unconfirmed.</param>
    public EventStoreDurabilityUnconfirmedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What was written and what is unconfirmed.</param>
    /// <param name="innerException">The error that ended the session, when the wait ended with it.</param>
    public EventStoreDurabilityUnconfirmedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal EventStoreDurabilityUnconfirmedException(string message, Exception? innerException, string operation, string? serverMessage)
        : base(message, innerException!)
    {
        Operation = operation;
        ServerMessage = serverMessage;
    }

    /// <summary>The operation whose commit is unconfirmed (<c>append</c>, <c>enqueue</c>, <c>write_batch</c>, ...), as the
    /// library's telemetry names it; null when the exception was created by other code.</summary>
    public string? Operation { get; }

    /// <summary>PostgreSQL's warning as the server sent it (its detail only with <c>Include Error Detail=true</c> in the connection string).</summary>
    public string? ServerMessage { get; }
}
