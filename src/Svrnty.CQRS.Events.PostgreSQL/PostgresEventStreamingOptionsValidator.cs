using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>Checks <see cref="PostgresEventStreamingOptions"/> at startup, with messages that say what to fix.</summary>
internal sealed partial class PostgresEventStreamingOptionsValidator(IServiceProvider services) : IValidateOptions<PostgresEventStreamingOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresEventStreamingOptions options)
    {
        var failures = new List<string>();
        if (!IsValidSchemaName(options.SchemaName))
        {
            failures.Add($"SchemaName '{options.SchemaName}' is not valid: use 1 to 63 lower-case letters, digits and underscores, not starting with a digit (e.g. '{PostgresEventStreamingOptions.DefaultSchemaName}').");
        }

        if (options.ConnectionString is null)
        {
            if (services.GetService(typeof(NpgsqlDataSource)) is null)
            {
                failures.Add("No database configured: set ConnectionString (AddPostgresEventStreaming(\"Host=...;Database=...\")) or register an NpgsqlDataSource (AddNpgsqlDataSource) before resolving the stores.");
            }
        }
        else if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("ConnectionString is empty: give a connection string such as 'Host=localhost;Database=events;Username=app'.");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                // Npgsql's message names the keyword, never the value, so no password can leak here.
                failures.Add($"ConnectionString is not a valid Npgsql connection string: {e.Message}");
            }
        }

        if (options.MigrationConnectionString is { } migration)
        {
            if (string.IsNullOrWhiteSpace(migration))
            {
                failures.Add("MigrationConnectionString is empty: leave it null to migrate with ConnectionString, or give the connection string of a role that may alter the schema.");
            }
            else
            {
                try
                {
                    _ = new NpgsqlConnectionStringBuilder(migration);
                }
                catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
                {
                    failures.Add($"MigrationConnectionString is not a valid Npgsql connection string: {e.Message}");
                }
            }
        }

        if (options.Retry is not { } retry)
        {
            failures.Add("Retry must not be null; set Retry.MaxDuration = TimeSpan.Zero to turn retries off.");
        }
        else
        {
            if (retry.MaxDuration < TimeSpan.Zero || retry.MaxDuration > TimeSpan.FromMinutes(5))
            {
                failures.Add($"Retry.MaxDuration must be between zero (no retry) and 5 minutes; got {retry.MaxDuration}.");
            }

            if (retry.BaseDelay < TimeSpan.Zero || retry.MaxDelay < retry.BaseDelay || retry.MaxDelay > TimeSpan.FromMinutes(1))
            {
                failures.Add($"Retry delays must satisfy 0 <= BaseDelay <= MaxDelay <= 1 minute; got BaseDelay {retry.BaseDelay}, MaxDelay {retry.MaxDelay}.");
            }
        }

        if (options.MigrationLockTimeout < TimeSpan.FromSeconds(1) || options.MigrationLockTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"MigrationLockTimeout must be between 1 second and 1 hour; got {options.MigrationLockTimeout}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsValidSchemaName(string? name) => name is not null && SchemaNamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaNamePattern();
}
