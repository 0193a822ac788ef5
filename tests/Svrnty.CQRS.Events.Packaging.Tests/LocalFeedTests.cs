using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit.Abstractions;

namespace Svrnty.CQRS.Events.Packaging.Tests;

/// <summary>
/// The packages are not on nuget.org yet: README's Install section packs them into a local feed with eng/pack.sh and
/// points NuGet at it. These tests do exactly that on this machine: every package is there and carries no local path,
/// a new ASP.NET application installs the in-memory backend from the feed (its dependencies from nuget.org), appends
/// and reads an event, and the DBA tool installs from the feed and runs.
/// </summary>
public sealed class LocalFeedTests(LocalFeedFixture feed, ITestOutputHelper output) : IClassFixture<LocalFeedFixture>
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void Every_project_under_src_is_packed_with_its_symbols()
    {
        output.WriteLine($"eng/pack.sh took {feed.PackTime.TotalSeconds:F0} s");
        Assert.NotEmpty(feed.PackageIds);
        foreach (var id in feed.PackageIds)
        {
            Assert.True(File.Exists(Path.Combine(feed.Feed, $"{id}.{feed.Version}.nupkg")), $"{id}.{feed.Version}.nupkg is not in the feed:\n{feed.PackOutput}");
            Assert.True(File.Exists(Path.Combine(feed.Feed, $"{id}.{feed.Version}.snupkg")), $"{id}.{feed.Version}.snupkg is not in the feed");
        }
    }

    [Fact]
    public void The_packages_carry_no_path_of_this_machine()
    {
        var checkedFiles = 0;
        foreach (var package in Directory.GetFiles(feed.Feed, "*.*nupkg"))
        {
            using var zip = ZipFile.OpenRead(package);
            foreach (var entry in zip.Entries.Where(e => IsOurs(e.Name)))
            {
                using var content = new MemoryStream();
                using (var stream = entry.Open())
                {
                    stream.CopyTo(content);
                }

                content.Position = 0;
                var where = $"{Path.GetFileName(package)}:{entry.FullName}";
                if (entry.Name.EndsWith(".dll", StringComparison.Ordinal))
                {
                    using var pe = new PEReader(content);
                    foreach (var codeView in pe.ReadDebugDirectory().Where(d => d.Type == DebugDirectoryEntryType.CodeView))
                    {
                        var pdbPath = pe.ReadCodeViewDebugDirectoryData(codeView).Path;
                        Assert.True(pdbPath.StartsWith("/_/", StringComparison.Ordinal), $"{where}: its PDB path is {pdbPath}");
                    }
                }
                else
                {
                    using var provider = MetadataReaderProvider.FromPortablePdbStream(content);
                    var reader = provider.GetMetadataReader();
                    foreach (var handle in reader.Documents)
                    {
                        var name = reader.GetString(reader.GetDocument(handle).Name);
                        Assert.True(name.StartsWith("/_/", StringComparison.Ordinal) && !name.Contains(feed.Root, StringComparison.Ordinal),
                            $"{where}: a source document is {name}");
                    }
                }

                checkedFiles++;
            }
        }

        // Each package's assembly and its PDB, and the tool's copies of the assemblies it carries.
        Assert.True(checkedFiles >= 2 * feed.PackageIds.Count, $"only {checkedFiles} assemblies and PDBs checked");
    }

    [Fact]
    public void Readme_gives_the_commands_these_tests_run()
    {
        var readme = File.ReadAllText(Path.Combine(feed.Root, "README.md"));
        foreach (var command in new[]
                 {
                     "bash eng/pack.sh",
                     "dotnet new nugetconfig",
                     "dotnet nuget add source /path/to/Svrnty.CQRS.Events/artifacts/packages --name svrnty-local --configfile nuget.config",
                     $"dotnet add package Svrnty.CQRS.Events.InMemory --version {feed.Version}",
                     $"dotnet add package Svrnty.CQRS.Events.PostgreSQL --version {feed.Version}",
                 })
        {
            Assert.Contains(command, readme, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_new_web_application_installs_the_in_memory_backend_from_the_feed_then_appends_and_reads_an_event()
    {
        var app = Directory.CreateDirectory(Path.Combine(feed.Work, "MyApp")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "MyApp.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Svrnty.CQRS.Events.Abstractions;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddInMemoryEventStorage();
            await using var host = builder.Build();

            var store = host.Services.GetRequiredService<IEventStreamStore>();
            var offset = await store.AppendAsync("order-42", [new OrderPlaced("42", 99.90m)], expectedLength: 0);
            var events = await store.ReadStreamAsync("order-42", fromOffset: 0, maxCount: 10);
            Console.WriteLine($"appended at offset {offset}; read back {events.Count}: {events[0].Event}");

            public sealed record OrderPlaced(string OrderId, decimal Total) : CorrelatedEvent;
            """);

        // README's commands, in the application's folder; a package folder of its own, so that nothing cached from an
        // earlier pack of the same version stands in for this one.
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(feed.Work, "packages-app") };
        await StepAsync("dotnet new nugetconfig", app, environment);
        await StepAsync($"dotnet nuget add source '{feed.Feed}' --name svrnty-local --configfile nuget.config", app, environment);
        await StepAsync($"dotnet add package Svrnty.CQRS.Events.InMemory --version {feed.Version}", app, environment);
        var run = await StepAsync("dotnet run", app, environment);

        Assert.Matches(@"appended at offset 0; read back 1: OrderPlaced \{ .*OrderId = 42, Total = 99[.,]90 \}", run);
        var resolved = Directory.GetDirectories(Path.Combine(feed.Work, "packages-app"), "svrnty.cqrs.events*").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["svrnty.cqrs.events", "svrnty.cqrs.events.abstractions", "svrnty.cqrs.events.inmemory"], resolved);
    }

    [Fact]
    public async Task The_dba_tool_installs_from_the_feed_and_prints_the_migration_script()
    {
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(feed.Work, "packages-tool") };
        var tools = Path.Combine(feed.Work, "tools");

        await StepAsync($"dotnet tool install Svrnty.CQRS.Events.Tool --version {feed.Version} --tool-path '{tools}' --add-source '{feed.Feed}'", feed.Work, environment);
        var script = await StepAsync($"'{tools}/svrnty-events' script --schema events_app", feed.Work, environment);
        var version = await StepAsync($"'{tools}/svrnty-events' --version", feed.Work, environment);

        Assert.Contains("CREATE TABLE \"events_app\".events (", script, StringComparison.Ordinal);
        Assert.StartsWith(feed.Version, version.Trim(), StringComparison.Ordinal);
    }

    private async Task<string> StepAsync(string command, string directory, IReadOnlyDictionary<string, string> environment)
    {
        var clock = Stopwatch.StartNew();
        var text = await Shell.RunAsync(command, directory, StepTimeout, environment);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:F1} s  {command}");
        return text;
    }

    private static bool IsOurs(string file) =>
        (file.StartsWith("Svrnty.CQRS.Events", StringComparison.Ordinal) || file.StartsWith("svrnty-events", StringComparison.Ordinal)) &&
        (file.EndsWith(".dll", StringComparison.Ordinal) || file.EndsWith(".pdb", StringComparison.Ordinal));
}
