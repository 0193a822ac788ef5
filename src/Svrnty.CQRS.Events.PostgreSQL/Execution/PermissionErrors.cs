using System.Text.RegularExpressions;
using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL.Execution;

/// <summary>
/// Turns PostgreSQL's bare <c>42501: permission denied for table events</c> into an
/// <see cref="EventStorePermissionException"/> that names the role, the grant it lacks, and how a DBA gives it.
/// </summary>
internal static partial class PermissionErrors
{
    /// <summary>Awaits <paramref name="operation"/>; a <c>42501</c> error becomes an <see cref="EventStorePermissionException"/>.</summary>
    public static async Task<T> TranslateAsync<T>(Task<T> operation, PostgresDatabase database, string operationName)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw Create(e, database, operationName);
        }
    }

    internal static EventStorePermissionException Create(PostgresException error, PostgresDatabase database, string operationName)
    {
        var role = RoleOf(database);
        var match = DeniedObject().Match(error.MessageText);
        string? type = match.Success ? match.Groups["type"].Value : null;
        string? name = match.Success ? match.Groups["name"].Value.Trim('"') : null;
        var schema = database.Schema;
        var needed = type switch
        {
            "schema" => $"USAGE on schema \"{name}\"",
            "table" or "relation" => $"SELECT, INSERT, UPDATE, DELETE on table {schema}.\"{name}\"",
            "sequence" => $"USAGE on sequence {schema}.\"{name}\"",
            "function" => $"EXECUTE on function {schema}.{name}",
            "database" => $"CONNECT on database \"{name}\"",
            _ => "a privilege on the schema or one of its objects",
        };
        var who = role is null ? "The application's role" : $"Role '{role}'";
        var message =
            $"{who} lacks {needed}: PostgreSQL refused the operation '{operationName}' with error 42501: {error.MessageText}. " +
            $"The role the application connects as needs USAGE on schema {schema}, SELECT, INSERT, UPDATE, DELETE on its tables and USAGE on its sequences (no CREATE, no ownership). " +
            $"A DBA grants them with the script that 'svrnty-events grants --role {role ?? "<role>"} --schema {database.SchemaName}' prints " +
            "(dotnet tool Svrnty.CQRS.Events.Tool; MIGRATION-GUIDE.md, \"Manual migrations by a DBA\").";
        return new EventStorePermissionException(message, error, role, type, name);
    }

    private static string? RoleOf(PostgresDatabase database)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString).Username;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // "permission denied for table events", "... for schema event_streaming", "... for database \"events\"".
    [GeneratedRegex(@"^permission denied for (?<type>[a-z ]+?) (?<name>\S+)$", RegexOptions.CultureInvariant)]
    private static partial Regex DeniedObject();
}
