namespace Svrnty.CQRS.Events.Tool.Tests;

/// <summary>Runs <c>svrnty-events</c> in-process, as its entry point does, and keeps what it wrote.</summary>
internal static class Tool
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SvrntyEventsCli.InvokeAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs a command that must succeed; fails with what it wrote otherwise.</summary>
    public static async Task<string> RunOkAsync(params string[] args)
    {
        var (exitCode, output, error) = await RunAsync(args);
        Assert.True(exitCode == 0, $"svrnty-events {string.Join(' ', args.Select(a => a.Contains("Password", StringComparison.Ordinal) ? "<connection>" : a))} exited with {exitCode}:\n{error}\n{output}");
        return output;
    }
}
