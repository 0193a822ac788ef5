using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.Grpc;
using Svrnty.CQRS.Events.PostgreSQL;
using Svrnty.CQRS.Events.Retention;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.DocsSnippets;

/// <summary>
/// Keeps the documentation true to the code. A page marks a code block with <c>&lt;!-- snippet: name --&gt;</c> on the
/// line before it; the block must be the text of <c>#region name</c> (or <c>// #region name</c>) in this project or in
/// the sample, so the code shown compiles (and, here, runs). And docs/configuration.md must list every option of every
/// options class with its default.
/// </summary>
public sealed partial class DocsSyncTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> Pages() => new(PagePaths());

    private static IEnumerable<string> PagePaths() =>
        Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Append(Path.Combine(Root, "README.md")).Append(Path.Combine(Root, "MIGRATION-GUIDE.md"))
            .Concat(Directory.GetFiles(Path.Combine(Root, "src"), "README.md", SearchOption.AllDirectories))
            .Select(p => Path.GetRelativePath(Root, p)).Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_marked_snippet_is_the_code_of_its_region(string page)
    {
        var regions = Regions();
        var lines = File.ReadAllLines(Path.Combine(Root, page));
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = SnippetMarker().Match(lines[i]);
            if (!marker.Success)
            {
                continue;
            }

            var name = marker.Groups[1].Value;
            Assert.True(regions.TryGetValue(name, out var code), $"{page}:{i + 1}: no #region {name} in the snippets project or the sample");
            Assert.True(i + 1 < lines.Length && lines[i + 1].StartsWith("```csharp", StringComparison.Ordinal), $"{page}:{i + 1}: the snippet marker must be followed by a ```csharp block");
            var block = lines.Skip(i + 2).TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).ToList();
            Assert.True(code == string.Join('\n', block), $"{page}:{i + 1}: the snippet '{name}' differs from its region. The region says:\n{code}");
        }
    }

    [Fact]
    public void The_pages_use_snippets()
    {
        var marked = PagePaths().Where(p => File.ReadAllLines(Path.Combine(Root, p)).Any(l => SnippetMarker().IsMatch(l)));
        Assert.Contains(Path.Combine("docs", "getting-started.md"), marked);
    }

    public static TheoryData<Type> OptionTypes() =>
    [
        typeof(PostgresEventStreamingOptions), typeof(EventStreamConsumerOptions), typeof(QueueConsumerOptions), typeof(SubscriptionOptions),
        typeof(ReplayOptions), typeof(RetentionOptions), typeof(RetentionPolicy), typeof(StreamConfiguration), typeof(EventSerializationOptions),
        typeof(EventStreamingTelemetryOptions), typeof(EventStreamingGrpcOptions), typeof(Svrnty.CQRS.Events.HealthChecks.EventStreamingHealthCheckOptions), typeof(PostgresRetryOptions),
    ];

    [Theory]
    [MemberData(nameof(OptionTypes))]
    public void Configuration_lists_every_option_with_its_default(Type type)
    {
        var page = File.ReadAllLines(Path.Combine(Root, "docs", "configuration.md"));
        var start = Array.FindIndex(page, l => l.StartsWith('#') && l.Contains($"`{type.Name}`", StringComparison.Ordinal));
        Assert.True(start >= 0, $"docs/configuration.md has no heading with `{type.Name}`");
        var section = page.Skip(start + 1).TakeWhile(l => !l.StartsWith('#')).ToList();
        var defaults = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var row = section.FirstOrDefault(l => l.StartsWith($"| `{property.Name}` |", StringComparison.Ordinal));
            Assert.True(row is not null, $"docs/configuration.md, section `{type.Name}`: no row for `{property.Name}`");
            if (property.GetCustomAttribute<System.Runtime.CompilerServices.RequiredMemberAttribute>() is null && Format(property.GetValue(defaults)) is { } expected)
            {
                var cell = row.Split('|')[2].Trim();
                Assert.True(cell.StartsWith(expected, StringComparison.Ordinal),
                    $"docs/configuration.md, `{type.Name}.{property.Name}`: the default column says '{cell}', the code says '{expected}'");
            }
        }
    }

    /// <summary>How the page writes a default: <c>1,000</c>, <c>30 s</c>, <c>200 ms</c>, <c>5 min</c>, <c>14 days</c>,
    /// <c>false</c>, <c>null</c>, <c>`text`</c>, an enum member. Null for what the page describes in words.</summary>
    private static string? Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        int or long => string.Format(CultureInfo.InvariantCulture, "{0:N0}", value),
        TimeSpan t when t == TimeSpan.Zero => "zero",
        TimeSpan t when t.TotalDays >= 1 && t.TotalDays % 1 == 0 => $"{t.TotalDays} day{(t.TotalDays == 1 ? "" : "s")}",
        TimeSpan t when t.TotalMinutes >= 1 && t.TotalMinutes % 1 == 0 => $"{t.TotalMinutes} min",
        TimeSpan t when t.TotalSeconds >= 1 && t.TotalSeconds % 1 == 0 => $"{t.TotalSeconds} s",
        TimeSpan t => $"{t.TotalMilliseconds} ms",
        string s => $"`{s}`",
        Enum e => $"`{e}`",
        SubscriptionStart s => $"`{s.Kind}`",
        _ => null,
    };

    private static Dictionary<string, string> Regions()
    {
        var regions = new Dictionary<string, string>(StringComparer.Ordinal);
        var sources = Directory.GetFiles(Path.Combine(Root, "tests", "Svrnty.CQRS.Events.DocsSnippets"), "*.cs")
            .Concat(Directory.GetFiles(Path.Combine(Root, "samples"), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        foreach (var file in sources)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var region = RegionStart().Match(lines[i]);
                if (!region.Success)
                {
                    continue;
                }

                var body = lines.Skip(i + 1).TakeWhile(l => !RegionEnd().IsMatch(l)).ToList();
                var indent = body.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
                Assert.True(regions.TryAdd(region.Groups[1].Value, string.Join('\n', body.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()))),
                    $"#region {region.Groups[1].Value} is defined twice");
            }
        }

        return regions;
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

    [GeneratedRegex(@"^<!-- snippet: ([\w-]+)")]
    private static partial Regex SnippetMarker();

    [GeneratedRegex(@"^\s*(?://\s*)?#region ([\w-]+)\s*$")]
    private static partial Regex RegionStart();

    [GeneratedRegex(@"^\s*(?://\s*)?#endregion\b")]
    private static partial Regex RegionEnd();
}
