using System.CommandLine;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.Tool.Commands;

/// <summary><c>grants --role NAME [--owner NAME] [--schema NAME]</c>: the least-privilege grants for the application's
/// role, without a database.</summary>
internal static class GrantsCommand
{
    public static Command Create()
    {
        var role = new Option<string>("--role", "-r")
        {
            Description = "The role the application connects as (its ConnectionString's user).",
            Required = true,
            HelpName = "name",
        };
        var owner = new Option<string?>("--owner")
        {
            Description = "The role that runs the migrations (MigrationConnectionString's user), when it is not the role that runs this script: the default privileges are set for it.",
            HelpName = "name",
        };
        var schema = CommonOptions.Schema();
        var command = new Command("grants",
            "Print the least-privilege grants for the application's role: USAGE on the schema, SELECT, INSERT, UPDATE, DELETE on its tables, USAGE on its sequences, and the same for what later migrations create. Needs no database.")
        {
            role,
            owner,
            schema,
        };
        command.SetAction((parseResult, cancellationToken) => CommonOptions.RunAsync(parseResult, (output, ct) =>
            output.WriteAsync(DatabaseScripts.GenerateGrantScript(parseResult.GetRequiredValue(role), parseResult.GetRequiredValue(schema),
                parseResult.GetValue(owner)).AsMemory(), ct),
            cancellationToken));
        return command;
    }
}
