using System.Diagnostics;

namespace Svrnty.CQRS.Events.Packaging.Tests;

/// <summary>Runs a command line as a user would in a terminal, with its output in a log file.</summary>
internal static class Shell
{
    /// <summary>
    /// Runs <paramref name="command"/> with bash in <paramref name="directory"/>; fails with the command's output when it
    /// exits with another code than 0 or takes longer than <paramref name="timeout"/>. The output goes to a file, not a
    /// pipe: build servers that outlive the command keep what they inherited open, and a pipe would never end.
    /// </summary>
    public static async Task<string> RunAsync(string command, string directory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var log = Path.Combine(Path.GetTempPath(), $"svrnty-shell-{Guid.NewGuid():N}.log");
        var info = new ProcessStartInfo("bash", ["-c", $"{command} > '{log}' 2>&1 < /dev/null"]) { WorkingDirectory = directory };

        // What `dotnet test` set for its own MSBuild must not steer the commands' builds; they start their own.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Cannot start bash.");
        using var deadline = new CancellationTokenSource(timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"'{command}' did not finish within {timeout}:\n{ReadAndDelete(log)}");
        }

        var output = ReadAndDelete(log);
        Assert.True(process.ExitCode == 0, $"'{command}' exited with {process.ExitCode} after {clock.Elapsed.TotalSeconds:F0} s:\n{output}");
        return output;
    }

    private static string ReadAndDelete(string log)
    {
        var text = File.Exists(log) ? File.ReadAllText(log) : string.Empty;
        File.Delete(log);
        return text;
    }
}
