using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Svrnty.CQRS.Events.Serialization;

/// <summary>
/// What a payload must be for every backend to store it and give it back as it was written: one JSON value (RFC 8259,
/// no comments, no trailing commas, nested at most <see cref="MaxDepth"/> deep) in valid UTF-16 text, whose strings
/// hold no <c>\u0000</c> escape and no unpaired surrogate escape (<c>\ud800</c>). The last two are valid JSON syntax, but
/// PostgreSQL's <c>jsonb</c> rejects them, so a payload that held one could not be queried as <c>jsonb</c> nor covered by
/// the optional payload index; refusing them on every backend keeps the backends alike.
/// </summary>
internal static class JsonPayload
{
    /// <summary>The deepest nesting of arrays and objects accepted.</summary>
    public const int MaxDepth = 1_000;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary>Why <paramref name="json"/> cannot be stored, or null when it can.</summary>
    public static string? Problem(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return "The JSON payload is empty.";
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            if (Utf8.FromUtf16(json, buffer, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
            {
                return "The JSON payload is not valid UTF-16 text: it holds an unpaired surrogate character.";
            }

            return Problem(buffer.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether JSON written by System.Text.Json can be stored. Its syntax is known to be valid, and its
    /// strings can hold a NUL or an unpaired surrogate only as a <c>\u</c> escape, so JSON without one is cleared without
    /// being parsed.</summary>
    public static string? SerializedProblem(string json) =>
        json.AsSpan().IndexOf(@"\u", StringComparison.Ordinal) < 0 ? null : Problem(json);

    private static string? Problem(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        char[]? text = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped)
                {
                    continue;
                }

                // Unescaped, a string is never longer than its escaped form.
                var length = reader.ValueSpan.Length;
                if (text is null || text.Length < length)
                {
                    if (text is not null)
                    {
                        ArrayPool<char>.Shared.Return(text);
                    }

                    text = ArrayPool<char>.Shared.Rent(length);
                }

                int copied;
                try
                {
                    copied = reader.CopyString(text);
                }
                catch (InvalidOperationException)
                {
                    return $"The JSON payload holds an unpaired surrogate escape (such as \\ud800) at byte {reader.TokenStartIndex}, which PostgreSQL's jsonb cannot represent.";
                }

                if (text.AsSpan(0, copied).Contains('\0'))
                {
                    return $"The JSON payload holds the escape \\u0000 (NUL) at byte {reader.TokenStartIndex}, which PostgreSQL's jsonb cannot represent.";
                }
            }

            return null;
        }
        catch (JsonException e)
        {
            return $"The payload is not valid JSON: {e.Message}";
        }
        finally
        {
            if (text is not null)
            {
                ArrayPool<char>.Shared.Return(text);
            }
        }
    }
}
