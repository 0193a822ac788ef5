using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace Svrnty.CQRS.Events.Benchmarks.Contenders;

/// <summary>
/// Marten's event store with its defaults (append mode <c>QuickWithServerTimestamps</c>, System.Text.Json), string
/// stream keys, one lightweight session per operation as an application would use it, in a schema of its own.
/// </summary>
internal sealed class MartenContender : IStreamContender
{
    private readonly DocumentStore _store;
    private readonly string _connectionString;
    private readonly string _schema;
    private long _conflictRetries;

    private MartenContender(DocumentStore store, string connectionString, string schema)
    {
        _store = store;
        _connectionString = connectionString;
        _schema = schema;
    }

    public string Implementation => "marten";

    public static async Task<MartenContender> CreateAsync(string connectionString, CancellationToken cancellationToken)
    {
        var schema = Schemas.NewName("marten");
        var store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = schema;
            options.Events.DatabaseSchemaName = schema;
            options.Events.StreamIdentity = StreamIdentity.AsString;
            options.Events.AddEventType<OrderPlaced>();
            options.AutoCreateSchemaObjects = AutoCreate.All;
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return new MartenContender(store, connectionString, schema);
    }

    /// <summary>Appends that Marten rejected because a concurrent appender took the same version, and were retried.</summary>
    public long ConflictRetries => Interlocked.Read(ref _conflictRetries);

    /// <summary>
    /// Append + SaveChangesAsync. Marten's quick append does not queue appenders of one stream: two concurrent appends
    /// can draw the same version, and the loser fails with <see cref="EventStreamUnexpectedMaxEventIdException"/>. An
    /// application retries it, so this does too (counted in <see cref="ConflictRetries"/>; never happens with one writer).
    /// </summary>
    public async Task AppendAsync(string stream, OrderPlaced @event, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await using var session = _store.LightweightSession();
                session.Events.Append(stream, @event);
                await session.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (EventStreamUnexpectedMaxEventIdException)
            {
                Interlocked.Increment(ref _conflictRetries);
            }
        }
    }

    public async Task AppendBatchAsync(string stream, IReadOnlyList<OrderPlaced> events, CancellationToken cancellationToken)
    {
        await using var session = _store.LightweightSession();
        session.Events.Append(stream, events);
        await session.SaveChangesAsync(cancellationToken);
    }

    public async Task<int> ReadPageAsync(string stream, long fromOffset, int count, CancellationToken cancellationToken)
    {
        // Marten's versions count from 1: offset n is version n + 1. FetchStreamAsync takes an inclusive range.
        await using var session = _store.QuerySession();
        var events = await session.Events.FetchStreamAsync(stream, version: fromOffset + count, fromVersion: fromOffset + 1, token: cancellationToken);
        return events.Count;
    }

    public async Task FillAsync(string stream, int count, CancellationToken cancellationToken)
    {
        for (var done = 0; done < count; done += 1_000)
        {
            await AppendBatchAsync(stream, Payload.Batch(done, Math.Min(1_000, count - done)), cancellationToken);
        }
    }

    public async Task AnalyzeAsync(CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await Schemas.ExecuteAsync(dataSource, $"ANALYZE \"{_schema}\".mt_events, \"{_schema}\".mt_streams", cancellationToken);
    }

    public async Task AssertGaplessAsync(string stream, long count, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT count(*), count(DISTINCT version), coalesce(min(version), 0), coalesce(max(version), 0) FROM \"{_schema}\".mt_events WHERE stream_id = $1",
            connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        Schemas.AssertGapless(Implementation, stream, count, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), first: 1);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await Schemas.DropAsync(_connectionString, _schema);
    }
}
