namespace Svrnty.CQRS.Events.Serialization;

/// <summary>An event that cannot be stored: it does not serialize, or it is too large. It is an
/// <see cref="ArgumentException"/> naming the parameter that held the event.</summary>
internal sealed class InvalidEventException(string reason, string paramName, Exception? innerException)
    : ArgumentException(reason, paramName, innerException)
{
    /// <summary>The message without the parameter name, to name another parameter.</summary>
    public string Reason { get; } = reason;

    /// <summary>The same error for another parameter name.</summary>
    public InvalidEventException For(string otherParamName) => new(Reason, otherParamName, InnerException);
}
