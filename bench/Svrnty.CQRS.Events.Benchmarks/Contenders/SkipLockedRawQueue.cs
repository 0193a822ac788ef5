using Npgsql;
using NpgsqlTypes;

namespace Svrnty.CQRS.Events.Benchmarks.Contenders;

/// <summary>
/// The queue limit: a minimal hand-written SKIP LOCKED queue. Enqueue is one INSERT; a delivery is one UPDATE that
/// leases the oldest visible row (FOR UPDATE SKIP LOCKED) and returns it, then one DELETE by the holder: the same two
/// round trips as our dequeue + ack, without dead letters, delivery limits or idempotent enqueue.
/// </summary>
internal sealed class SkipLockedRawQueue : IQueueContender
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;
    private readonly string _schema;
    private readonly string _enqueueSql;
    private readonly string _dequeueSql;
    private readonly string _ackSql;

    private SkipLockedRawQueue(NpgsqlDataSource dataSource, string connectionString, string schema)
    {
        _dataSource = dataSource;
        _connectionString = connectionString;
        _schema = schema;
        var q = $"\"{schema}\".queue";
        _enqueueSql = $"INSERT INTO {q} (queue_name, event_id, event_type, data, visible_at) VALUES ($1, $2, $3, $4, $5)";
        _dequeueSql = $"""
            UPDATE {q} SET holder = $2, visible_at = $4
            WHERE queue_name = $1 AND id = (
                SELECT id FROM {q} WHERE queue_name = $1 AND visible_at <= $3 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, event_id, event_type, data
            """;
        _ackSql = $"DELETE FROM {q} WHERE queue_name = $1 AND id = $2 AND holder = $3";
    }

    public string Implementation => "skip-locked-raw";

    public static async Task<SkipLockedRawQueue> CreateAsync(string connectionString, CancellationToken cancellationToken)
    {
        var schema = Schemas.NewName("skiplocked");
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await Schemas.ExecuteAsync(dataSource, $"""
            CREATE SCHEMA "{schema}";
            CREATE TABLE "{schema}".queue (
                queue_name text NOT NULL, id bigint GENERATED ALWAYS AS IDENTITY, event_id text NOT NULL, event_type text NOT NULL,
                data json NOT NULL, visible_at timestamptz NOT NULL, holder text NULL,
                PRIMARY KEY (queue_name, id));
            """, cancellationToken);
        return new SkipLockedRawQueue(dataSource, connectionString, schema);
    }

    public async Task EnqueueAsync(string queue, OrderPlaced @event, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_enqueueSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = queue });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = @event.EventId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nameof(OrderPlaced) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payload.Serialize(@event), NpgsqlDbType = NpgsqlDbType.Json });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = TimeProvider.System.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DequeueAndAckAsync(string queue, string consumer, CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetUtcNow();
        long id;
        await using (var command = _dataSource.CreateCommand(_dequeueSql))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = queue });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = consumer });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now + Lease });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return false;
            }

            id = reader.GetInt64(0);
            _ = Payload.Deserialize(reader.GetString(3));
        }

        await using (var ack = _dataSource.CreateCommand(_ackSql))
        {
            ack.Parameters.Add(new NpgsqlParameter<string> { TypedValue = queue });
            ack.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
            ack.Parameters.Add(new NpgsqlParameter<string> { TypedValue = consumer });
            if (await ack.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                throw new InvalidOperationException($"skip-locked-raw: the ack of {id} by {consumer} was refused.");
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await Schemas.DropAsync(_connectionString, _schema);
    }
}
