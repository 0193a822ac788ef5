using System.Text.RegularExpressions;

namespace Svrnty.CQRS.Events.DocsSnippets;

/// <summary>
/// Every C# block of the pages (README.md, MIGRATION-GUIDE.md, docs/*.md and the packages' READMEs) is either compiled
/// (the line before it is <c>&lt;!-- snippet: name --&gt;</c>, checked against its region by
/// <see cref="Every_marked_snippet_is_the_code_of_its_region"/>) or explicitly marked as a fragment that is not compiled
/// (the line before it is <c>&lt;!-- fragment --&gt;</c> or <c>&lt;!-- fragment: why --&gt;</c>). See docs/testing.md.
/// </summary>
public sealed partial class DocsSyncTests
{
    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_csharp_block_is_a_compiled_snippet_or_marked_as_a_fragment(string page)
    {
        var unmarked = CSharpBlocks(File.ReadAllLines(Path.Combine(Root, page)))
            .Where(b => !SnippetMarker().IsMatch(b.Before) && !FragmentMarker().IsMatch(b.Before))
            .Select(b => $"{page}:{b.Line}: {b.FirstLine}")
            .ToList();

        Assert.True(unmarked.Count == 0,
            $"These C# blocks are neither compiled nor marked. Put '<!-- snippet: name -->' on the line before the fence and the " +
            $"same code in '#region name' in tests/Svrnty.CQRS.Events.DocsSnippets, or, for code that cannot compile on its own, " +
            $"'<!-- fragment -->' (docs/testing.md):\n{string.Join('\n', unmarked)}");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_fragment_marker_is_on_the_line_before_a_csharp_block(string page)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, page));
        var blocks = CSharpBlocks(lines).Select(b => b.Line - 1).ToHashSet();
        var stray = Enumerable.Range(0, lines.Length)
            .Where(i => FragmentMarker().IsMatch(lines[i]) && !blocks.Contains(i + 1))
            .Select(i => $"{page}:{i + 1}")
            .ToList();

        Assert.True(stray.Count == 0, $"A fragment marker must be on the line right before a ```csharp fence:\n{string.Join('\n', stray)}");
    }

    [Fact]
    public void The_block_scanner_sees_csharp_blocks_in_every_spelling_and_skips_those_inside_other_blocks()
    {
        string[] page =
        [
            "<!-- fragment -->", "```csharp", "a();", "```",
            "````markdown", "```csharp", "not a block of the page", "```", "````",
            "  ```C#", "b();", "  ```",
            "~~~cs", "c();", "~~~",
            "```csharp title=\"x\"", "d();", "```",
            "```bash", "dotnet test", "```",
        ];

        var blocks = CSharpBlocks(page).ToList();

        Assert.Equal([2, 10, 13, 16], blocks.Select(b => b.Line));
        Assert.Equal(["a();", "b();", "c();", "d();"], blocks.Select(b => b.FirstLine));
        Assert.Matches(FragmentMarker(), blocks[0].Before);
    }

    /// <summary>The C# blocks of a page: their 1-based fence line, the line before the fence and the first line of code.
    /// A fence opens with three or more backticks or tildes (indented or not) and closes with at least as many of the same
    /// character; blocks inside another block (a Markdown example) are not the page's.</summary>
    private static IEnumerable<(int Line, string Before, string FirstLine)> CSharpBlocks(IReadOnlyList<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            var open = FenceOpen().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var fence = open.Groups["fence"].Value;
            var language = open.Groups["info"].Value.Split(' ', 2)[0].ToLowerInvariant();
            var end = i + 1;
            while (end < lines.Count && !IsClose(lines[end], fence))
            {
                end++;
            }

            if (language is "csharp" or "cs" or "c#")
            {
                yield return (i + 1, i > 0 ? lines[i - 1].Trim() : string.Empty, i + 1 < end ? lines[i + 1].Trim() : string.Empty);
            }

            i = end;
        }
    }

    private static bool IsClose(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    [GeneratedRegex(@"^\s*(?<fence>`{3,}|~{3,})\s*(?<info>[^`]*)$")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"^<!-- fragment(:[^>]*)? -->$")]
    private static partial Regex FragmentMarker();
}
