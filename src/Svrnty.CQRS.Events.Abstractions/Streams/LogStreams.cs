using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// The names of the log streams the store maintains itself: <see cref="All"/>, every event of every stream, and
/// <see cref="Category"/>, every event of the streams of one category (the part of a stream's name before its first
/// <c>-</c>: <c>order-42</c> and <c>order-42-lines</c> are in category <c>order</c>; a name without <c>-</c> is in no
/// category). A log stream is read, followed and consumed like any stream, by its name; it is never written to. Its
/// events keep their own <see cref="StoredEvent.StreamName"/> and <see cref="StoredEvent.Offset"/>, and
/// <see cref="StoredEvent.Position"/> is their place in the log: 0-based, gapless, never reused, given when the event
/// becomes visible, so a reader never skips an event that commits late. Names that start with <c>$</c> are reserved.
/// </summary>
public static class LogStreams
{
    /// <summary>The log of every event of every stream.</summary>
    public const string All = "$all";

    /// <summary>The prefix of a category log's name.</summary>
    public const string CategoryPrefix = "$ce-";

    /// <summary>The first character of the names the store reserves for itself.</summary>
    public const char ReservedPrefix = '$';

    /// <summary>The longest category: its log's name is at most <see cref="Argument.MaxNameLength"/>.</summary>
    private static readonly int MaxCategoryLength = Argument.MaxNameLength - CategoryPrefix.Length;

    /// <summary>The log of the streams of <paramref name="category"/>: <c>$ce-{category}</c>.</summary>
    /// <param name="category">The category: not empty or blank, without <c>-</c> or control characters, at most 252
    /// characters (so that the log's name is at most 256).</param>
    /// <returns>The log stream's name.</returns>
    /// <exception cref="ArgumentException">The category is not valid.</exception>
    public static string Category(string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        if (!IsValidCategory(category))
        {
            throw new ArgumentException(
                $"A category must be 1 to {MaxCategoryLength} characters, not blank, without '-' or control characters; got '{category}'.",
                nameof(category));
        }

        return CategoryPrefix + category;
    }

    /// <summary>Whether <paramref name="streamName"/> names a log stream: <see cref="All"/> or a valid category log.</summary>
    /// <param name="streamName">A stream name.</param>
    /// <returns>True for a log stream.</returns>
    public static bool IsLog(string? streamName) =>
        streamName == All
        || (streamName is not null && streamName.StartsWith(CategoryPrefix, StringComparison.Ordinal)
            && IsValidCategory(streamName[CategoryPrefix.Length..]));

    /// <summary>The category of an ordinary stream: the part of its name before the first <c>-</c>, or null when the
    /// name has no <c>-</c>, starts with one, or the part before it could not name a log (blank, or over 252
    /// characters): such a stream is in <see cref="All"/> only.</summary>
    /// <param name="streamName">An ordinary stream's name.</param>
    /// <returns>The category, or null.</returns>
    public static string? CategoryOf(string streamName)
    {
        ArgumentNullException.ThrowIfNull(streamName);
        var dash = streamName.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && IsValidCategory(streamName[..dash]) ? streamName[..dash] : null;
    }

    /// <summary>The category a category log follows, or null when <paramref name="streamName"/> is not a category log.</summary>
    /// <param name="streamName">A stream name.</param>
    /// <returns>The category, or null.</returns>
    public static string? CategoryLogged(string streamName) =>
        streamName.StartsWith(CategoryPrefix, StringComparison.Ordinal) && IsLog(streamName) ? streamName[CategoryPrefix.Length..] : null;

    private static bool IsValidCategory(string category) =>
        Argument.IsName(category, MaxCategoryLength) && !category.Contains('-', StringComparison.Ordinal);
}
