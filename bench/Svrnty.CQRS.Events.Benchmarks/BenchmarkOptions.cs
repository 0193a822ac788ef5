using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks;

/// <summary>The command line: <c>[--quick] [--json PATH] [--workloads LIST] [--connection CS] [--compare-jsonb]</c>.</summary>
internal sealed record BenchmarkOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Svrnty.CQRS.Events.Benchmarks -- [options]

          --quick            smaller sizes: the whole run in under 3 minutes on 2 cores (the growth pre-fill is 50k, not 1M)
          --json PATH        also write the results as JSON to PATH
          --workloads LIST   comma-separated workloads (default: all):
                             append-single, append-batch, append-concurrent, read, queue, subscription-latency,
                             log-follow, fan-out, inmemory-append, inmemory-read, growth
          --connection CS    an Npgsql connection string to a database where the harness may create and drop schemas;
                             without it, a throwaway local cluster is started from the PostgreSQL binaries and removed after
          --compare-jsonb    also run our store with its payload columns altered back to jsonb (svrnty-postgres-jsonb),
                             to compare the payload column types (docs/benchmarks.md)
          --help             this text
        """;

    public Sizes Sizes { get; init; } = Sizes.Full;

    public string? JsonPath { get; init; }

    public IReadOnlyCollection<string>? Workloads { get; init; }

    public string? ConnectionString { get; init; }

    public bool CompareJsonb { get; init; }

    public bool Help { get; init; }

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions();
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Sizes = Sizes.Quick },
                "--tiny" => options with { Sizes = Sizes.Tiny },
                "--json" => options with { JsonPath = Value(args, ref i) },
                "--workloads" => options with
                {
                    Workloads = Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                },
                "--connection" => options with { ConnectionString = Value(args, ref i) },
                "--compare-jsonb" => options with { CompareJsonb = true },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'.\n{Usage}", nameof(args)),
            };
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.\n{Usage}", nameof(args));
}
