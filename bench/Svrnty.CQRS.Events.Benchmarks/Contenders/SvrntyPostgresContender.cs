using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NpgsqlTypes;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.Benchmarks.Contenders;

/// <summary>Our PostgreSQL backend, registered as an application registers it, in a schema of its own, with its hosted
/// services running as in an application: among them the background log sequencer, so every workload pays for keeping
/// the global log numbered. With a <c>payloadType</c> (<c>--compare-jsonb</c>), the payload columns are altered to that
/// type after the migrations, to measure what the type costs the same code (<c>svrnty-postgres-jsonb</c>).</summary>
internal sealed class SvrntyPostgresContender : IStreamContender, IQueueContender
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly ServiceProvider _services;
    private readonly IHostedService[] _hosted;
    private readonly IEventStreamStore _store;
    private readonly string _connectionString;

    private SvrntyPostgresContender(ServiceProvider services, string connectionString, string schema, string? payloadType)
    {
        Implementation = payloadType is null ? "svrnty-postgres" : $"svrnty-postgres-{payloadType}";
        _services = services;
        _hosted = services.GetServices<IHostedService>().ToArray();
        _store = services.GetRequiredService<IEventStreamStore>();
        _connectionString = connectionString;
        Schema = schema;
    }

    public string Implementation { get; }

    public string Schema { get; }

    /// <summary>The container, for workloads that need more than the store (a subscriber).</summary>
    public IServiceProvider Services => _services;

    public static Task<SvrntyPostgresContender> CreateAsync(string connectionString, CancellationToken cancellationToken) =>
        CreateAsync(connectionString, payloadType: null, cancellationToken);

    public static async Task<SvrntyPostgresContender> CreateAsync(string connectionString, string? payloadType, CancellationToken cancellationToken)
    {
        var schema = Schemas.NewName("svrnty");
        var services = new ServiceCollection()
            .AddLogging()
            .AddPostgresEventStreaming(o =>
            {
                o.ConnectionString = connectionString;
                o.SchemaName = schema;
            })
            .BuildServiceProvider();
        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        if (payloadType is not null)
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            foreach (var table in new[] { "events", "queue_messages", "dead_letters" })
            {
                await Schemas.ExecuteAsync(dataSource, $"ALTER TABLE \"{schema}\".{table} ALTER COLUMN data TYPE {payloadType} USING data::{payloadType}", cancellationToken);
            }
        }

        var contender = new SvrntyPostgresContender(services, connectionString, schema, payloadType);
        foreach (var hosted in contender._hosted)
        {
            await hosted.StartAsync(cancellationToken);
        }

        return contender;
    }

    public Task AppendAsync(string stream, OrderPlaced @event, CancellationToken cancellationToken) =>
        _store.AppendAsync(stream, @event, cancellationToken);

    public Task AppendBatchAsync(string stream, IReadOnlyList<OrderPlaced> events, CancellationToken cancellationToken) =>
        _store.AppendAsync(stream, events, expectedLength: null, cancellationToken);

    public async Task<int> ReadPageAsync(string stream, long fromOffset, int count, CancellationToken cancellationToken) =>
        (await _store.ReadStreamAsync(stream, fromOffset, count, cancellationToken)).Count;

    public async Task FillAsync(string stream, int count, CancellationToken cancellationToken)
    {
        for (var done = 0; done < count; done += 1_000)
        {
            await _store.AppendAsync(stream, Payload.Batch(done, Math.Min(1_000, count - done)), expectedLength: null, cancellationToken);
        }
    }

    public async Task AnalyzeAsync(CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await Schemas.ExecuteAsync(dataSource, $"ANALYZE \"{Schema}\".events, \"{Schema}\".streams", cancellationToken);
    }

    public async Task AssertGaplessAsync(string stream, long count, CancellationToken cancellationToken)
    {
        var offsets = new List<long>();
        for (long from = 0; ; from += 1_000)
        {
            var page = await _store.ReadStreamAsync(stream, from, 1_000, cancellationToken);
            offsets.AddRange(page.Select(e => e.Offset));
            if (page.Count < 1_000)
            {
                break;
            }
        }

        var length = await _store.GetStreamLengthAsync(stream, cancellationToken);
        Schemas.AssertGapless(Implementation, stream, count, offsets.Count, offsets.Distinct().Count(),
            offsets.Count == 0 ? 0 : offsets.Min(), offsets.Count == 0 ? 0 : offsets.Max(), first: 0);
        if (length != count)
        {
            throw new InvalidOperationException($"{Implementation}: stream '{stream}' reports length {length}, expected {count}.");
        }
    }

    public Task EnqueueAsync(string queue, OrderPlaced @event, CancellationToken cancellationToken) =>
        _store.EnqueueAsync(queue, @event, cancellationToken);

    public async Task<bool> DequeueAndAckAsync(string queue, string consumer, CancellationToken cancellationToken)
    {
        var message = await _store.DequeueAsync(queue, consumer, Lease, cancellationToken);
        if (message is null)
        {
            return false;
        }

        if (!await _store.AcknowledgeAsync(queue, message.EventId, consumer, cancellationToken))
        {
            throw new InvalidOperationException($"svrnty-postgres: the ack of {message.EventId} by {consumer} was refused.");
        }

        return true;
    }

    /// <summary>
    /// Bench-only pre-fill for the growth workloads: binary COPY of <paramref name="count"/> rows exactly as
    /// an append would write them (same columns, type name and JSON) into one stream, its <c>streams</c> row,
    /// then VACUUM ANALYZE, as autovacuum would have done on a table that grew to this size. Much faster than appending.
    /// </summary>
    public async Task CopyPrefillAsync(string stream, int count, CancellationToken cancellationToken)
    {
        var serializer = _services.GetRequiredService<EventSerializer>();
        var now = TimeProvider.System.GetUtcNow();
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var importer = await connection.BeginBinaryImportAsync(
                $"COPY \"{Schema}\".events (stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at) FROM STDIN (FORMAT BINARY)",
                cancellationToken);
            await using (importer)
            {
                for (var i = 0; i < count; i++)
                {
                    var e = Payload.Create(i);
                    var serialized = serializer.Serialize(e);
                    await importer.StartRowAsync(cancellationToken);
                    await importer.WriteAsync(stream, NpgsqlDbType.Text, cancellationToken);
                    await importer.WriteAsync((long)i, NpgsqlDbType.Bigint, cancellationToken);
                    await importer.WriteAsync(e.EventId, NpgsqlDbType.Text, cancellationToken);
                    await importer.WriteAsync(serialized.EventType, NpgsqlDbType.Text, cancellationToken);
                    await importer.WriteAsync(e.CorrelationId, NpgsqlDbType.Text, cancellationToken);
                    await importer.WriteAsync(serialized.Json, NpgsqlDbType.Json, cancellationToken);
                    await importer.WriteAsync(e.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                    await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                }

                await importer.CompleteAsync(cancellationToken);
            }
        }

        await using (var command = dataSource.CreateCommand(
            $"INSERT INTO \"{Schema}\".streams (stream_name, next_offset, created_at, updated_at) VALUES ($1, $2, $3, $3)"))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = count });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await Schemas.ExecuteAsync(dataSource, $"VACUUM ANALYZE \"{Schema}\".events", cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _hosted.Reverse())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
        await Schemas.DropAsync(_connectionString, Schema);
    }
}
