#region migration-guide-usings
using Svrnty.CQRS.Events.PostgreSQL.Migrations; // DatabaseMigrator, DatabaseScripts
#endregion

namespace Svrnty.CQRS.Events.DocsSnippets;

/// <summary>The code of MIGRATION-GUIDE.md, compiled (running it needs a database; the PostgreSQL migration tests
/// cover what it calls).</summary>
public static class MigrationGuide
{
    public static async Task<string> ExportScriptAsync(IHost app)
    {
        #region migration-guide-export-script
        var migrator = app.Services.GetRequiredService<DatabaseMigrator>();
        var applied = await migrator.GetAppliedMigrationsAsync();           // what the database has
        var pending = await migrator.GetPendingMigrationsAsync();           // what this version of the library needs
        Console.WriteLine($"{applied.Count} applied, {pending.Count} pending");
        await File.WriteAllTextAsync("event-streaming.sql", migrator.GenerateScript(fromVersion: applied.Count == 0 ? 0 : applied[^1].Version));
        #endregion
        return "event-streaming.sql";
    }
}
