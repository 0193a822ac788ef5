using Npgsql;

namespace Svrnty.CQRS.Events.Benchmarks.Contenders;

/// <summary>An implementation of persistent streams under test: ours or a baseline. Offsets are 0-based here whatever
/// the implementation counts from.</summary>
internal interface IStreamContender : IAsyncDisposable
{
    /// <summary>svrnty-postgres, svrnty-inmemory, marten, npgsql-raw, npgsql-raw-prepared or locked-list.</summary>
    string Implementation { get; }

    Task AppendAsync(string stream, OrderPlaced @event, CancellationToken cancellationToken);

    Task AppendBatchAsync(string stream, IReadOnlyList<OrderPlaced> events, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="count"/> events from <paramref name="fromOffset"/>, deserialized; returns how many.</summary>
    Task<int> ReadPageAsync(string stream, long fromOffset, int count, CancellationToken cancellationToken);

    /// <summary>Fills a stream for the read workloads (not measured), the fastest way the implementation offers.</summary>
    Task FillAsync(string stream, int count, CancellationToken cancellationToken);

    /// <summary>Refreshes the planner statistics of the implementation's tables after a fill, as autovacuum does after a
    /// bulk load: without them a baseline's plain SELECT can be planned as a scan of the whole stream and a sort.</summary>
    Task AnalyzeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Throws unless the stream holds exactly the offsets 0 .. <paramref name="count"/> - 1, each once.</summary>
    Task AssertGaplessAsync(string stream, long count, CancellationToken cancellationToken);
}

/// <summary>An implementation of queues under test.</summary>
internal interface IQueueContender : IAsyncDisposable
{
    /// <summary>svrnty-postgres or skip-locked-raw.</summary>
    string Implementation { get; }

    Task EnqueueAsync(string queue, OrderPlaced @event, CancellationToken cancellationToken);

    /// <summary>Leases the next message, deserializes it and acknowledges it; false when the queue is empty.</summary>
    Task<bool> DequeueAndAckAsync(string queue, string consumer, CancellationToken cancellationToken);
}

/// <summary>Each contender works in a schema of its own, dropped when it is disposed.</summary>
internal static class Schemas
{
    public static string NewName(string prefix) => $"bench_{prefix}_{Guid.NewGuid():N}"[..32];

    public static async Task DropAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static void AssertGapless(string implementation, string stream, long count, long rows, long distinct, long min, long max, long first)
    {
        if (rows != count || distinct != count || (count > 0 && (min != first || max != first + count - 1)))
        {
            throw new InvalidOperationException(
                $"{implementation}: stream '{stream}' should hold {count} gapless offsets from {first} but has {rows} rows, {distinct} distinct, from {min} to {max}.");
        }
    }
}
