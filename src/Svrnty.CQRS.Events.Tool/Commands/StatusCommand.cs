using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.Tool.Commands;

/// <summary><c>status --connection CS [--schema NAME]</c>: the applied and pending migrations.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var connection = CommonOptions.Connection();
        var schema = CommonOptions.Schema();
        var command = new Command("status",
            "List the migrations the schema has applied and those this version of the library would apply. Changes nothing.")
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
            var applied = await migrator.GetAppliedMigrationsAsync(ct).ConfigureAwait(false);
            var pending = await migrator.GetPendingMigrationsAsync(ct).ConfigureAwait(false);

            await output.WriteLineAsync($"Schema \"{schemaName}\" ({CommonOptions.Describe(connectionString!)})".AsMemory(), ct).ConfigureAwait(false);
            foreach (var migration in applied)
            {
                var embedded = migrator.Migrations.FirstOrDefault(m => m.Version == migration.Version);
                var note = embedded is null ? "  (not in this version of the library: applied by a newer one)"
                    : embedded.Checksum != migration.Checksum ? $"  (checksum {migration.Checksum} differs from this version's {embedded.Checksum}: the script was edited after it was applied)"
                    : string.Empty;
                await output.WriteLineAsync($"  applied  {migration.Name}{note}".AsMemory(), ct).ConfigureAwait(false);
            }

            foreach (var migration in pending)
            {
                await output.WriteLineAsync($"  pending  {migration.Name}".AsMemory(), ct).ConfigureAwait(false);
            }

            var summary = pending.Count == 0
                ? $"{applied.Count} applied, 0 pending: up to date."
                : $"{applied.Count} applied, {pending.Count} pending: run 'svrnty-events apply', or 'svrnty-events script --from {(applied.Count == 0 ? 0 : applied[^1].Version)}' for the SQL.";
            await output.WriteLineAsync(summary.AsMemory(), ct).ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }
}
