using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Svrnty.CQRS.Events.Packaging.Tests;

/// <summary>
/// Runs <c>bash eng/pack.sh FEED</c> once for the test class, as README's Install section says, into a feed of its own;
/// its build folder is inside the repository (the script requires it) and both are removed afterwards.
/// </summary>
public sealed partial class LocalFeedFixture : IAsyncLifetime
{
    public LocalFeedFixture()
    {
        Root = FindRoot();
        var id = Guid.NewGuid().ToString("N")[..12];
        Feed = Path.Combine(Path.GetTempPath(), $"svrnty-feed-{id}");
        Work = Path.Combine(Path.GetTempPath(), $"svrnty-app-{id}");
        BuildDirectory = Path.Combine(Root, "artifacts", $"pack-test-{id}");
        Version = VersionPattern().Match(File.ReadAllText(Path.Combine(Root, "Directory.Build.props"))) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("No <Version> in Directory.Build.props.");
    }

    /// <summary>The repository.</summary>
    public string Root { get; }

    /// <summary>The local feed eng/pack.sh wrote.</summary>
    public string Feed { get; }

    /// <summary>A folder for the tests' applications and tools.</summary>
    public string Work { get; }

    /// <summary>The packages' version (Directory.Build.props).</summary>
    public string Version { get; }

    public string BuildDirectory { get; }

    /// <summary>What eng/pack.sh printed.</summary>
    public string PackOutput { get; private set; } = string.Empty;

    public TimeSpan PackTime { get; private set; }

    /// <summary>The package ids: one per project under src/.</summary>
    public IReadOnlyList<string> PackageIds =>
        Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList()!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Work);
        var clock = Stopwatch.StartNew();
        PackOutput = await Shell.RunAsync($"bash eng/pack.sh '{Feed}'", Root, TimeSpan.FromMinutes(8),
            new Dictionary<string, string> { ["SVRNTY_PACK_BUILD_DIR"] = BuildDirectory });
        PackTime = clock.Elapsed;
    }

    public Task DisposeAsync()
    {
        foreach (var directory in new[] { Feed, Work, BuildDirectory })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        return Task.CompletedTask;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Svrnty.CQRS.Events.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Svrnty.CQRS.Events.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionPattern();
}
