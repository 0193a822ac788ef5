using System.CommandLine;
using Svrnty.CQRS.Events.Tool.Commands;

namespace Svrnty.CQRS.Events.Tool;

/// <summary>
/// <c>svrnty-events</c>: the schema of Svrnty.CQRS.Events for a DBA. <c>script</c> and <c>grants</c> print SQL without
/// a database; <c>status</c> and <c>apply</c> connect. Exit code 0 on success, 1 on any error (said on standard error).
/// </summary>
internal static class SvrntyEventsCli
{
    public static RootCommand Create() =>
        new("svrnty-events: the PostgreSQL schema of Svrnty.CQRS.Events for a DBA. Print the migration SQL and the grants for the application's role, see what a database has, apply the migrations.")
        {
            ScriptCommand.Create(),
            StatusCommand.Create(),
            ApplyCommand.Create(),
            GrantsCommand.Create(),
        };

    /// <summary>Parses <paramref name="args"/> and runs the command, writing to <paramref name="output"/> (the SQL, the
    /// status) and <paramref name="error"/> (errors).</summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
}
