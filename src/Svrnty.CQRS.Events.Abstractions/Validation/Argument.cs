using System.Diagnostics.CodeAnalysis;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Validation;

/// <summary>
/// The contract's bad-input rules, in one place. Every store base class calls these before it calls its backend, so
/// bad input fails with an <see cref="ArgumentException"/> naming the parameter, before any I/O.
/// </summary>
internal static class Argument
{
    /// <summary>The longest stream, queue, consumer, group name or event id accepted.</summary>
    public const int MaxNameLength = 256;

    /// <summary>The most events one read returns.</summary>
    public const int MaxReadCount = 10_000;

    /// <summary>The longest visibility timeout accepted.</summary>
    public static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    /// <summary>Whether <paramref name="value"/> passes <see cref="Name"/>'s rules (not blank, no control characters),
    /// at most <paramref name="maxLength"/> characters long.</summary>
    /// <param name="value">The value.</param>
    /// <param name="maxLength">The longest accepted.</param>
    /// <returns>True when valid.</returns>
    public static bool IsName(string value, int maxLength = MaxNameLength) =>
        value.Length <= maxLength && !string.IsNullOrWhiteSpace(value) && !value.Any(char.IsControl);

    /// <summary>Checks a stream, queue, consumer or group name or an event id: not null, not blank, at most
    /// <see cref="MaxNameLength"/> characters, no control characters.</summary>
    /// <param name="value">The value.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The value.</returns>
    public static string Name([NotNull] string? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("The value must not be empty or whitespace.", paramName);
        }

        if (value.Length > MaxNameLength)
        {
            throw new ArgumentException($"The value must be at most {MaxNameLength} characters long; it has {value.Length}.", paramName);
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"The value must not contain control characters (found U+{(int)c:X4}).", paramName);
            }
        }

        return value;
    }

    /// <summary>Checks the name of a stream or queue that is written to (appends, enqueues, queue operations, stream
    /// configuration, retention policies): a valid <see cref="Name"/> that does not start with <c>$</c>, which is
    /// reserved for the log streams the store maintains (<see cref="LogStreams"/>).</summary>
    /// <param name="value">The value.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The value.</returns>
    public static string WritableName([NotNull] string? value, string paramName)
    {
        Name(value, paramName);
        if (value[0] == LogStreams.ReservedPrefix)
        {
            throw new ArgumentException(
                $"Names starting with '$' are reserved for the log streams the store maintains ('{LogStreams.All}', '{LogStreams.CategoryPrefix}<category>'), which are read-only; got '{Printable(value)}'.",
                paramName);
        }

        return value;
    }

    /// <summary>Checks the name of a stream that is read or consumed (reads, lengths, metadata, subscriptions, consumer
    /// offsets): a valid <see cref="Name"/>, and when it starts with <c>$</c>, a log stream (<see cref="LogStreams"/>).</summary>
    /// <param name="value">The value.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The value.</returns>
    public static string ReadableName([NotNull] string? value, string paramName)
    {
        Name(value, paramName);
        if (value[0] == LogStreams.ReservedPrefix && !LogStreams.IsLog(value))
        {
            throw new ArgumentException(
                $"Names starting with '$' are reserved; the only ones that exist are the log streams '{LogStreams.All}' and '{LogStreams.CategoryPrefix}<category>' (a category without '-'); got '{Printable(value)}'.",
                paramName);
        }

        return value;
    }

    /// <summary>Checks a batch: not null and not empty (its operations were validated as they were added).</summary>
    /// <param name="value">The batch.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The batch.</returns>
    public static EventBatch Batch([NotNull] EventBatch? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Count == 0)
        {
            throw new ArgumentException("The batch is empty: add at least one operation.", paramName);
        }

        return value;
    }

    /// <summary>Checks an event: not null, with a valid <see cref="ICorrelatedEvent.EventId"/>.</summary>
    /// <param name="value">The event.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The event.</returns>
    public static ICorrelatedEvent Event([NotNull] ICorrelatedEvent? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        var id = value.EventId;
        if (string.IsNullOrWhiteSpace(id) || id.Length > MaxNameLength || id.Any(char.IsControl))
        {
            throw new ArgumentException(
                $"The event's EventId must be 1 to {MaxNameLength} characters with no control characters and not blank; got '{Printable(id)}'.",
                paramName);
        }

        if (value.CorrelationId is { Length: > MaxNameLength })
        {
            throw new ArgumentException($"The event's CorrelationId must be at most {MaxNameLength} characters long.", paramName);
        }

        return value;
    }

    /// <summary>Checks a batch of events: not null, not empty, no null or invalid event, no event id twice.</summary>
    /// <param name="value">The batch.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The batch.</returns>
    public static IReadOnlyCollection<ICorrelatedEvent> Events([NotNull] IReadOnlyCollection<ICorrelatedEvent>? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Count == 0)
        {
            throw new ArgumentException("The batch must hold at least one event.", paramName);
        }

        var ids = new HashSet<string>(value.Count, StringComparer.Ordinal);
        foreach (var e in value)
        {
            if (e is null)
            {
                throw new ArgumentException("The batch must not hold a null event.", paramName);
            }

            Event(e, paramName);
            if (!ids.Add(e.EventId))
            {
                throw new ArgumentException($"The batch holds event id '{e.EventId}' more than once.", paramName);
            }
        }

        return value;
    }

    /// <summary>Checks a JSON payload: one JSON value in valid UTF-16 text, nested at most 1,000 deep, whose strings hold no
    /// <c>\u0000</c> escape and no unpaired surrogate escape (PostgreSQL's <c>jsonb</c> rejects both, so such a payload
    /// could not be queried or indexed as <c>jsonb</c>). Every backend stores a payload that passes exactly as given.</summary>
    /// <param name="value">The JSON text.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The value.</returns>
    public static string Json([NotNull] string? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (Serialization.JsonPayload.Problem(value) is { } problem)
        {
            throw new ArgumentException(problem, paramName);
        }

        return value;
    }

    /// <summary>Checks an offset or length: 0 or more.</summary>
    /// <param name="value">The value.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The value.</returns>
    public static long NotNegative(long value, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, paramName);
        return value;
    }

    /// <summary>Checks a page size: 1 to <see cref="MaxReadCount"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The value.</returns>
    public static int MaxCount(int value, string paramName)
    {
        if (value is < 1 or > MaxReadCount)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"The value must be between 1 and {MaxReadCount}.");
        }

        return value;
    }

    /// <summary>Checks a visibility timeout: positive and at most <see cref="MaxVisibilityTimeout"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The value.</returns>
    public static TimeSpan VisibilityTimeout(TimeSpan value, string paramName)
    {
        if (value <= TimeSpan.Zero || value > MaxVisibilityTimeout)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"The visibility timeout must be positive and at most {MaxVisibilityTimeout}.");
        }

        return value;
    }

    /// <summary>Checks a stream configuration.</summary>
    /// <param name="value">The configuration.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The configuration.</returns>
    public static StreamConfiguration Configuration([NotNull] StreamConfiguration? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        WritableName(value.StreamName, paramName);
        if (value.MaxDeliveryAttempts < 1)
        {
            throw new ArgumentException($"MaxDeliveryAttempts must be at least 1; got {value.MaxDeliveryAttempts}.", paramName);
        }

        return value;
    }

    /// <summary>Checks a retention policy: a valid stream name (or a pattern such as <c>orders-*</c>, with <c>*</c> only
    /// at the end) and at least one positive limit.</summary>
    /// <param name="value">The policy.</param>
    /// <param name="paramName">The parameter's name, reported in the exception.</param>
    /// <returns>The policy.</returns>
    public static RetentionPolicy Policy([NotNull] RetentionPolicy? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        WritableName(value.StreamName, paramName);
        if (value.StreamName.IndexOf('*', StringComparison.Ordinal) is >= 0 and var star && star != value.StreamName.Length - 1)
        {
            throw new ArgumentException(
                $"A retention policy's StreamName is a stream name or a prefix pattern ending in '*' (e.g. 'orders-*'); '*' is allowed only at the end, got '{Printable(value.StreamName)}'.",
                paramName);
        }

        if (value.MaxAge is null && value.MaxEventCount is null)
        {
            throw new ArgumentException("A retention policy needs MaxAge, MaxEventCount or both.", paramName);
        }

        if (value.MaxAge is { } age && age <= TimeSpan.Zero)
        {
            throw new ArgumentException($"MaxAge must be positive; got {age}.", paramName);
        }

        if (value.MaxEventCount is { } count && count < 1)
        {
            throw new ArgumentException($"MaxEventCount must be at least 1; got {count}.", paramName);
        }

        return value;
    }

    private static string Printable(string? value) =>
        value is null ? "(null)" : new string(value.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
