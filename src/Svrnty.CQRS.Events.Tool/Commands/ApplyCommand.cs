using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.Tool.Commands;

/// <summary><c>apply --connection CS [--schema NAME]</c>: runs the pending migrations, as the application's
/// <c>AutoMigrate</c> would.</summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var connection = CommonOptions.Connection();
        var schema = CommonOptions.Schema();
        var command = new Command("apply",
            "Apply the pending migrations, each in its own transaction, under the advisory lock the application takes, so it is safe while instances start. The role needs CREATE on the database the first time, then ownership of the schema.")
        {
            connection,
            schema,
        };
        command.SetAction((parseResult, cancellationToken) => CommonOptions.RunAsync(parseResult, async (output, ct) =>
        {
            var connectionString = parseResult.GetValue(connection);
            var schemaName = parseResult.GetRequiredValue(schema);
            var services = CommonOptions.Connect(connectionString, schemaName);
            await using var _ = services.ConfigureAwait(false);
            var migrator = services.GetRequiredService<DatabaseMigrator>();
            var applied = await migrator.MigrateAsync(ct).ConfigureAwait(false);

            foreach (var migration in applied)
            {
                await output.WriteLineAsync($"  applied  {migration.Name}".AsMemory(), ct).ConfigureAwait(false);
            }

            var version = migrator.Migrations[^1].Version;
            await output.WriteLineAsync((applied.Count == 0
                ? $"Schema \"{schemaName}\" ({CommonOptions.Describe(connectionString!)}) is up to date at version {version}."
                : $"Schema \"{schemaName}\" ({CommonOptions.Describe(connectionString!)}) migrated to version {version}: {applied.Count} applied.").AsMemory(), ct).ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }
}
