using Svrnty.CQRS.Events.Benchmarks.Contenders;
using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks.Workloads;

/// <summary>One workload of the run: it measures every implementation that applies and adds their rows to the context.</summary>
internal abstract class Workload
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>Whether it needs PostgreSQL.</summary>
    public virtual bool NeedsPostgres => true;

    /// <summary>Why it cannot run yet, or null when it can.</summary>
    public virtual string? PendingReason => null;

    public abstract Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken);

    /// <summary>The PostgreSQL stream contenders, each in a new schema: ours, Marten, and (unless left out) the raw limit on
    /// Npgsql's defaults and prepared.</summary>
    protected static async Task<Contenders<IStreamContender>> PostgresContendersAsync(BenchmarkContext context, CancellationToken cancellationToken,
        bool includeRaw = true)
    {
        var set = new Contenders<IStreamContender>();
        try
        {
            set.Add(await SvrntyPostgresContender.CreateAsync(context.ConnectionString, cancellationToken));
            if (context.CompareJsonb)
            {
                set.Add(await SvrntyPostgresContender.CreateAsync(context.ConnectionString, payloadType: "jsonb", cancellationToken));
            }

            set.Add(await MartenContender.CreateAsync(context.ConnectionString, cancellationToken));
            if (includeRaw)
            {
                set.Add(await RawNpgsqlContender.CreateAsync(context.ConnectionString, prepared: false, cancellationToken));
                set.Add(await RawNpgsqlContender.CreateAsync(context.ConnectionString, prepared: true, cancellationToken));
            }

            return set;
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
    }

    protected static string NewStream(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}

/// <summary>The contenders of one workload, alive together so that their runs can interleave; disposed together.</summary>
internal sealed class Contenders<T> : List<T>, IAsyncDisposable
    where T : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var contender in this)
        {
            await contender.DisposeAsync();
        }
    }
}

/// <summary>The workloads in the order they run, by the names <c>--workloads</c> takes.</summary>
internal static class WorkloadCatalog
{
    public static IReadOnlyList<Workload> All { get; } =
    [
        new AppendSingleWorkload(),
        new AppendBatchWorkload(),
        new AppendConcurrentWorkload(),
        new ReadWorkload(),
        new QueueWorkload(),
        new BatchOutboxWorkload(),
        new SubscriptionLatencyWorkload(),
        new LogFollowWorkload(),
        new FanOutWorkload(),
        new InMemoryAppendWorkload(),
        new InMemoryReadWorkload(),
        new GrowthWorkload(),
    ];

    public static IReadOnlyList<Workload> Select(IReadOnlyCollection<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return All;
        }

        var unknown = names.Where(n => All.All(w => w.Name != n)).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException(
                $"Unknown workload(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", All.Select(w => w.Name))}.", nameof(names));
        }

        return All.Where(w => names.Contains(w.Name)).ToArray();
    }
}
