namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>The base of every exception the event-streaming stores throw for a condition of the store itself.</summary>
public class EventStreamException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public EventStreamException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and, where possible, what to do about it.</param>
    public EventStreamException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong and, where possible, what to do about it.</param>
    /// <param name="innerException">The cause.</param>
    public EventStreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
