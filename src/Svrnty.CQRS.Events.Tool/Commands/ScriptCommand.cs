using System.CommandLine;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.Tool.Commands;

/// <summary><c>script [--from VERSION] [--schema NAME]</c>: the migration SQL, without a database.</summary>
internal static class ScriptCommand
{
    public static Command Create()
    {
        var from = new Option<int>("--from")
        {
            Description = "The schema's current version (as 'status' shows): only the migrations after it are written. Default: 0, a fresh database.",
            DefaultValueFactory = _ => 0,
            HelpName = "version",
        };
        from.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--from must be 0 or a version that 'status' lists.");
            }
        });
        var schema = CommonOptions.Schema();
        var command = new Command("script",
            "Print the SQL of the migrations, each in its own transaction and recorded in schema_version as the library would, for psql -v ON_ERROR_STOP=1 -f. Needs no database.")
        {
            from,
            schema,
        };
        command.SetAction((parseResult, cancellationToken) => CommonOptions.RunAsync(parseResult, (output, ct) =>
            output.WriteAsync(DatabaseScripts.GenerateMigrationScript(parseResult.GetRequiredValue(schema), parseResult.GetValue(from)).AsMemory(), ct),
            cancellationToken));
        return command;
    }
}
