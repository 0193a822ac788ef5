using System.Reflection;

namespace Svrnty.CQRS.Events.ContractTests;

/// <summary>Finds the suites a backend's test project has not derived, so a forgotten suite fails loudly.</summary>
public static class ContractSuites
{
    public static IReadOnlyList<Type> All { get; } = typeof(StoreSuite).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: true, IsPublic: true } && t.IsSubclassOf(typeof(StoreSuite)))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToArray();

    public static void AssertEveryDerived(Assembly backendTests)
    {
        var derived = backendTests.GetTypes().Where(t => t is { IsAbstract: false }).Select(t => t.BaseType).ToHashSet();
        var missing = All.Where(suite => !derived.Contains(suite)).Select(s => s.Name).ToArray();
        Assert.True(missing.Length == 0, $"{backendTests.GetName().Name} does not run these contract suites: {string.Join(", ", missing)}");
    }
}
