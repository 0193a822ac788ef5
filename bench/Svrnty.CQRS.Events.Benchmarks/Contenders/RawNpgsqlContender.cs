using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace Svrnty.CQRS.Events.Benchmarks.Contenders;

/// <summary>
/// The limit: what plain Npgsql does on a table with our <c>events</c> columns and only its primary key. Single appends
/// are one autocommit INSERT, batches one binary COPY, reads one SELECT; offsets are counted by the client, which is
/// only correct because each raw stream has one writer. Serializes and deserializes the same JSON as the stores do.
/// Two variants: <c>npgsql-raw</c> on Npgsql's defaults (statements parsed and planned on every call, the connection
/// reset on every use), as plain Npgsql code runs; <c>npgsql-raw-prepared</c> with the settings our stores' pool uses
/// (<c>Max Auto Prepare=32</c>, <c>No Reset On Close=true</c>), the best the same statements can do.
/// </summary>
internal sealed class RawNpgsqlContender : IStreamContender
{
    private const string Columns = "stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at";
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;
    private readonly string _schema;
    private readonly ConcurrentDictionary<string, StrongBox> _nextOffsets = new();
    private readonly string _insertSql;
    private readonly string _copySql;
    private readonly string _readSql;

    private RawNpgsqlContender(NpgsqlDataSource dataSource, string connectionString, string schema, bool prepared)
    {
        Implementation = prepared ? "npgsql-raw-prepared" : "npgsql-raw";
        _dataSource = dataSource;
        _connectionString = connectionString;
        _schema = schema;
        _insertSql = $"INSERT INTO \"{schema}\".events ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        _copySql = $"COPY \"{schema}\".events ({Columns}) FROM STDIN (FORMAT BINARY)";
        _readSql = $"SELECT stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at FROM \"{schema}\".events " +
                   "WHERE stream_name = $1 AND stream_offset >= $2 ORDER BY stream_offset LIMIT $3";
    }

    public string Implementation { get; }

    public static async Task<RawNpgsqlContender> CreateAsync(string connectionString, bool prepared, CancellationToken cancellationToken)
    {
        var schema = Schemas.NewName(prepared ? "rawp" : "raw");
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (prepared)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        var dataSource = builder.Build();
        await Schemas.ExecuteAsync(dataSource, $"""
            CREATE SCHEMA "{schema}";
            CREATE TABLE "{schema}".events (
                stream_name text NOT NULL, stream_offset bigint NOT NULL, event_id text NOT NULL, event_type text NOT NULL,
                correlation_id text NULL, data json NOT NULL, occurred_at timestamptz NOT NULL, created_at timestamptz NOT NULL,
                PRIMARY KEY (stream_name, stream_offset));
            """, cancellationToken);
        return new RawNpgsqlContender(dataSource, connectionString, schema, prepared);
    }

    public async Task AppendAsync(string stream, OrderPlaced @event, CancellationToken cancellationToken)
    {
        var offset = Interlocked.Increment(ref _nextOffsets.GetOrAdd(stream, _ => new StrongBox()).Value) - 1;
        await using var command = _dataSource.CreateCommand(_insertSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = offset });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = @event.EventId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nameof(OrderPlaced) });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = @event.CorrelationId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payload.Serialize(@event), NpgsqlDbType = NpgsqlDbType.Json });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = @event.OccurredAt.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = TimeProvider.System.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AppendBatchAsync(string stream, IReadOnlyList<OrderPlaced> events, CancellationToken cancellationToken)
    {
        var first = Interlocked.Add(ref _nextOffsets.GetOrAdd(stream, _ => new StrongBox()).Value, events.Count) - events.Count;
        var now = TimeProvider.System.GetUtcNow();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var importer = await connection.BeginBinaryImportAsync(_copySql, cancellationToken);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(stream, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(first + i, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(e.EventId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(nameof(OrderPlaced), NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(e.CorrelationId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(Payload.Serialize(e), NpgsqlDbType.Json, cancellationToken);
            await importer.WriteAsync(e.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    public async Task<int> ReadPageAsync(string stream, long fromOffset, int count, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_readSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromOffset });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = count });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<(long Offset, string EventId, OrderPlaced Event, DateTimeOffset CreatedAt)>(count);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add((reader.GetInt64(0), reader.GetString(1), Payload.Deserialize(reader.GetString(4)), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return events.Count;
    }

    public async Task FillAsync(string stream, int count, CancellationToken cancellationToken)
    {
        for (var done = 0; done < count; done += 1_000)
        {
            await AppendBatchAsync(stream, Payload.Batch(done, Math.Min(1_000, count - done)), cancellationToken);
        }
    }

    public Task AnalyzeAsync(CancellationToken cancellationToken) =>
        Schemas.ExecuteAsync(_dataSource, $"ANALYZE \"{_schema}\".events", cancellationToken);

    public async Task AssertGaplessAsync(string stream, long count, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT count(*), count(DISTINCT stream_offset), coalesce(min(stream_offset), 0), coalesce(max(stream_offset), 0) FROM \"{_schema}\".events WHERE stream_name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        Schemas.AssertGapless(Implementation, stream, count, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), first: 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await Schemas.DropAsync(_connectionString, _schema);
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}
