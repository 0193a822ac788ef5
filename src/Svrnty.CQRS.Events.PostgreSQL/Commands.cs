using Npgsql;
using NpgsqlTypes;

namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>Typed positional parameters for the hot-path commands (no boxing, no type inference per call).</summary>
internal static class Commands
{
    public static NpgsqlCommand With<T>(this NpgsqlCommand command, T value)
    {
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        return command;
    }

    public static NpgsqlCommand With<T>(this NpgsqlCommand command, T value, NpgsqlDbType type)
    {
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value, NpgsqlDbType = type });
        return command;
    }

    public static NpgsqlParameterCollection With<T>(this NpgsqlParameterCollection parameters, T value)
    {
        parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        return parameters;
    }

    public static NpgsqlParameterCollection With<T>(this NpgsqlParameterCollection parameters, T value, NpgsqlDbType type)
    {
        parameters.Add(new NpgsqlParameter<T> { TypedValue = value, NpgsqlDbType = type });
        return parameters;
    }

    public static NpgsqlBatchCommand With<T>(this NpgsqlBatchCommand command, T value)
    {
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        return command;
    }

    public static NpgsqlBatchCommand With<T>(this NpgsqlBatchCommand command, T value, NpgsqlDbType type)
    {
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value, NpgsqlDbType = type });
        return command;
    }

    /// <summary>PostgreSQL stores microseconds in UTC; Npgsql accepts only UTC offsets for <c>timestamptz</c>.</summary>
    public static DateTimeOffset Utc(this DateTimeOffset value) => value.ToUniversalTime();

    public static DateTimeOffset GetTimestamp(this NpgsqlDataReader reader, int ordinal) =>
        reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static string? GetNullableString(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
