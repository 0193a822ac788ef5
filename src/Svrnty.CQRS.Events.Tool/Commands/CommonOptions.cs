using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Svrnty.CQRS.Events.PostgreSQL;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.Tool.Commands;

/// <summary>The options several commands share, and the way the connecting commands reach the database.</summary>
internal static class CommonOptions
{
    /// <summary>Read when <c>--connection</c> is not given, so that a password need not appear on a command line.</summary>
    public const string ConnectionVariable = "SVRNTY_EVENTS_CONNECTION";

    public static Option<string> Schema() => new("--schema", "-s")
    {
        Description = $"The schema of the event-streaming tables, as in the application's SchemaName option (default: {PostgresEventStreamingOptions.DefaultSchemaName}).",
        DefaultValueFactory = _ => PostgresEventStreamingOptions.DefaultSchemaName,
        HelpName = "name",
    };

    public static Option<string?> Connection() => new("--connection", "-c")
    {
        Description = $"The Npgsql connection string of a role that may read the schema (status) or create and alter it (apply). Default: the environment variable {ConnectionVariable}.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ConnectionVariable),
        HelpName = "connection-string",
    };

    /// <summary>Runs a command's body; the errors a DBA can fix (a bad name, an unreachable server, a refused privilege)
    /// are written as one line to standard error with exit code 1, without a stack trace.</summary>
    public static async Task<int> RunAsync(ParseResult parseResult, Func<TextWriter, CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            await body(parseResult.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or OptionsValidationException or MigrationException or NpgsqlException)
        {
            var message = e switch
            {
                OptionsValidationException options => string.Join(" ", options.Failures),
                ArgumentException { ParamName: { } parameter } argument =>
                    $"{OptionOf(parameter)}: {argument.Message.Replace($" (Parameter '{parameter}')", string.Empty, StringComparison.Ordinal)}",
                _ => e.Message,
            };
            await error.WriteLineAsync($"error: {message}".AsMemory(), cancellationToken).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The option that gave the library's argument <paramref name="parameter"/>.</summary>
    private static string OptionOf(string parameter) => parameter switch
    {
        "roleName" => "--role",
        "ownerRoleName" => "--owner",
        "schemaName" => "--schema",
        "fromVersion" => "--from",
        _ => parameter,
    };

    /// <summary>The library's own migrator on <paramref name="connectionString"/>, configured as an application with
    /// <c>AutoMigrate = false</c> would configure it; options are validated with the library's messages.</summary>
    public static ServiceProvider Connect(string? connectionString, string schema)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException($"No connection string: give --connection \"Host=...;Database=...;Username=...\" or set {ConnectionVariable}.");
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPostgresEventStreaming(o =>
        {
            o.ConnectionString = connectionString;
            o.SchemaName = schema;
            o.AutoMigrate = false;
            o.EnableNotifications = false;
        });
        var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<PostgresEventStreamingOptions>>().Value; // validates, before any connection
            return provider;
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>Where a connection string points, without its password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"Host={builder.Host}; Port={builder.Port}; Database={builder.Database}; Username={builder.Username}";
    }
}
