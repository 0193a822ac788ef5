using System.Text.Json;
using Svrnty.CQRS.Events.Benchmarks.Harness;
using Svrnty.CQRS.Events.Benchmarks.Workloads;
using Svrnty.CQRS.Events.Testing;

namespace Svrnty.CQRS.Events.Benchmarks.Tests;

/// <summary>
/// Runs every workload of the benchmark harness in-process with tiny sizes against the test PostgreSQL server (in a
/// database of its own) and checks that each completes and reports a positive rate for every implementation it
/// compares. Speeds are never asserted: this machine is shared and the sizes are far too small to mean anything.
/// </summary>
public sealed class WorkloadSmokeTests
{
    public static TheoryData<string, string[]> Workloads => new()
    {
        { "append-single", ["svrnty-postgres", "marten", "npgsql-raw", "npgsql-raw-prepared"] },
        { "append-batch", ["svrnty-postgres", "marten", "npgsql-raw", "npgsql-raw-prepared"] },
        { "append-concurrent", ["svrnty-postgres", "marten", "npgsql-raw", "npgsql-raw-prepared"] },
        { "read", ["svrnty-postgres", "marten", "npgsql-raw", "npgsql-raw-prepared"] },
        { "queue", ["svrnty-postgres", "skip-locked-raw"] },
        { "batch-outbox", ["svrnty-postgres", "svrnty-postgres-two-calls"] },
        { "subscription-latency", ["svrnty-postgres", "svrnty-inmemory"] },
        { "log-follow", ["svrnty-postgres", "marten"] },
        { "fan-out", ["svrnty-postgres", "svrnty-inmemory"] },
        { "inmemory-append", ["svrnty-inmemory", "locked-list"] },
        { "inmemory-read", ["svrnty-inmemory", "locked-list"] },
        { "growth", ["svrnty-postgres"] },
    };

    [Theory]
    [MemberData(nameof(Workloads))]
    public async Task Workload_completes_and_reports_a_positive_rate(string name, string[] implementations)
    {
        var workload = WorkloadCatalog.Select([name]).Single();
        var connectionString = workload.NeedsPostgres ? await PostgresServer.CreateDatabaseAsync() : null;

        var context = await BenchmarkRunner.RunAsync(connectionString, Sizes.Tiny, [workload], TextWriter.Null, compareJsonb: false, CancellationToken.None);

        Assert.Empty(context.Pending);
        Assert.NotEmpty(context.Results);
        Assert.Equal(implementations.Order(), context.Results.Select(r => r.Implementation).Distinct().Order());
        Assert.All(context.Results, r =>
        {
            Assert.True(r.EventsPerSecond > 0, $"{r.Workload} {r.Variant} {r.Implementation}: rate {r.EventsPerSecond}");
            Assert.True(r.P50Ms > 0 && r.P99Ms >= r.P50Ms, $"{r.Workload} {r.Variant} {r.Implementation}: p50 {r.P50Ms}, p99 {r.P99Ms}");
            Assert.Equal(Sizes.Tiny.Runs, r.Runs);
        });
    }

    [Fact]
    public async Task The_jsonb_comparison_runs_our_store_a_second_time_with_jsonb_payload_columns()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();

        var context = await BenchmarkRunner.RunAsync(connectionString, Sizes.Tiny, WorkloadCatalog.Select(["append-single", "read"]), TextWriter.Null,
            compareJsonb: true, CancellationToken.None);

        Assert.Equal(2, context.Results.Count(r => r.Implementation == "svrnty-postgres-jsonb" && r.EventsPerSecond > 0));
    }

    [Fact]
    public void Every_workload_of_the_catalog_is_smoke_tested_or_pending()
    {
        var tested = Workloads.Select(row => (string)row[0]);
        var pending = WorkloadCatalog.All.Where(w => w.PendingReason is not null).Select(w => w.Name);
        Assert.Equal(WorkloadCatalog.All.Select(w => w.Name).Order(), tested.Concat(pending).Order());
    }

    [Fact]
    public async Task Json_report_has_one_entry_per_result_with_the_documented_fields()
    {
        var context = await BenchmarkRunner.RunAsync(null, Sizes.Tiny, WorkloadCatalog.Select(["inmemory-append"]), TextWriter.Null, compareJsonb: false,
            CancellationToken.None);
        var path = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        try
        {
            await Report.WriteJsonAsync(path, context, new Dictionary<string, string> { ["sizes"] = "tiny" }, CancellationToken.None);

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            var results = document.RootElement.GetProperty("results").EnumerateArray().ToArray();
            Assert.Equal(2, results.Length);
            foreach (var result in results)
            {
                Assert.Equal("inmemory-append", result.GetProperty("workload").GetString());
                Assert.Contains(result.GetProperty("implementation").GetString(), new[] { "svrnty-inmemory", "locked-list" });
                Assert.True(result.GetProperty("eventsPerSecond").GetDouble() > 0);
                Assert.True(result.GetProperty("p50Ms").GetDouble() > 0);
                Assert.True(result.GetProperty("p99Ms").GetDouble() > 0);
                Assert.Equal(Sizes.Tiny.Runs, result.GetProperty("runs").GetInt32());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Command_line_is_parsed_and_bad_arguments_are_refused()
    {
        var options = BenchmarkOptions.Parse(["--quick", "--json", "out.json", "--workloads", "read, queue", "--connection", "Host=x"]);

        Assert.Same(Sizes.Quick, options.Sizes);
        Assert.Equal("out.json", options.JsonPath);
        Assert.Equal(["read", "queue"], options.Workloads);
        Assert.Equal("Host=x", options.ConnectionString);
        Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--fast"]));
        Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--json"]));
        Assert.Throws<ArgumentException>(() => WorkloadCatalog.Select(["no-such-workload"]));
    }
}
