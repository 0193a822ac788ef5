using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.ContractTests.Consumers;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Hosting;

/// <summary>
/// Transactional handlers on PostgreSQL that write rows of their own with the consumer's transaction: the rows commit
/// and roll back with the offset or the acknowledgement. The table has no unique key, so a row written twice would show.
/// </summary>
public sealed class TransactionalConsumerSqlTests(PostgresFixture fixture) : StoreSuite(fixture), IClassFixture<PostgresFixture>
{
    private const string Group = "sql-projection";

    private async Task<string> CreateTableAsync()
    {
        var database = Fixture.Services.GetRequiredService<PostgresDatabase>();
        var table = $"{database.Schema}.\"projection_{Guid.NewGuid():N}\"";
        await using var command = database.DataSource.CreateCommand($"CREATE TABLE {table} (event_id text NOT NULL, call int NOT NULL)");
        await command.ExecuteNonQueryAsync();
        return table;
    }

    private async Task<IReadOnlyList<string>> RowsAsync(string table)
    {
        var database = Fixture.Services.GetRequiredService<PostgresDatabase>();
        await using var command = database.DataSource.CreateCommand($"SELECT event_id FROM {table} ORDER BY call");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private Task<TestHost> StartAsync(string stream, RowScript script, Action<EventStreamConsumerOptions>? configure = null,
        Action<IServiceCollection>? services = null) =>
        TestHost.StartAsync(Fixture, s =>
        {
            s.AddSingleton(script);
            services?.Invoke(s);
            s.AddTransactionalEventStreamConsumer<RowWritingHandler>(stream, Group, o =>
            {
                o.PollInterval = TimeSpan.FromHours(1);
                o.RetryDelay = TimeSpan.Zero;
                configure?.Invoke(o);
            });
        });

    [Fact]
    public async Task The_handlers_rows_commit_with_the_offset()
    {
        var stream = NewName();
        var source = NewEvents(4).ToArray();
        await Streams.AppendAsync(stream, source);
        var table = await CreateTableAsync();
        await using var host = await StartAsync(stream, new RowScript(table));

        await Deadline.UntilAsync(() => Offsets.GetOffsetAsync(stream, Group), o => o == 4, "the group committed past every event");

        Assert.Equal(source.Select(e => e.EventId), await RowsAsync(table));
    }

    [Fact]
    public async Task The_handlers_rows_roll_back_when_its_batch_fails_and_the_offset_stays()
    {
        var stream = NewName();
        var source = NewEvents(3).ToArray();
        await Streams.AppendAsync(stream, source);
        var table = await CreateTableAsync();
        // At offset 1 the row is written, then the batch's append expects a wrong length: both roll back.
        var script = new RowScript(table) { FailAt = 1, EffectsStream = NewName("effects") };
        await using var host = await StartAsync(stream, script, o =>
        {
            o.MaxAttempts = 1;
            o.OnFailure = ConsumerFailureMode.Stop;
        });

        await host.ConsumerTask!.WaitAsync(Deadline.Default);

        Assert.Equal(1, await Offsets.GetOffsetAsync(stream, Group));
        Assert.Equal([source[0].EventId], await RowsAsync(table));
        Assert.Equal(1, await Streams.GetStreamLengthAsync(script.EffectsStream));
    }

    [Fact]
    public async Task A_consumer_stopped_between_handler_and_commit_writes_each_row_exactly_once_after_a_restart()
    {
        var stream = NewName();
        var source = NewEvents(3).ToArray();
        await Streams.AppendAsync(stream, source);
        var table = await CreateTableAsync();
        var script = new RowScript(table);
        var crash = new CrashAtFirstCommit();

        await using (var first = await StartAsync(stream, script, o => (o.RetryDelay, o.MaxRetryDelay) = (TimeSpan.FromHours(1), TimeSpan.FromHours(1)),
                         crash.Install))
        {
            await crash.Reached.WaitAsync(Deadline.Default);
            await first.StopAsync();
        }

        Assert.Empty(await RowsAsync(table));
        await using var second = await StartAsync(stream, script);
        await Deadline.UntilAsync(() => Offsets.GetOffsetAsync(stream, Group), o => o == 3, "the restarted group committed past every event");

        Assert.Equal(source.Select(e => e.EventId), await RowsAsync(table));
        Assert.Equal(4, script.Calls);
    }

    [Fact]
    public async Task A_queue_handlers_row_rolls_back_when_its_lease_was_lost_and_commits_once_with_the_acknowledgement()
    {
        var queue = NewName("queue");
        var message = NewEvent("m");
        await Streams.EnqueueAsync(queue, message);
        var table = await CreateTableAsync();
        var visibility = TimeSpan.FromMinutes(1);
        var stolen = false;
        // The first call writes its row, then outlives its lease (never extended here) while another consumer takes the message.
        var script = new RowScript(table)
        {
            BeforeReturn = async (call, ct) =>
            {
                if (call == 1)
                {
                    Time.Advance(visibility + TimeSpan.FromSeconds(1));
                    stolen = await Streams.DequeueAsync(queue, "thief", TimeSpan.FromSeconds(10), ct) is not null;
                }
            },
        };
        await using var host = await TestHost.StartAsync(Fixture, s =>
        {
            s.AddSingleton(script);
            s.AddSingleton<IQueueLeaseExtender>(new NoLeaseExtension());
            s.AddTransactionalQueueConsumer<RowWritingQueueHandler>(queue, o =>
            {
                o.PollInterval = TimeSpan.FromSeconds(1);
                o.VisibilityTimeout = visibility;
            });
        });

        await Deadline.UntilAsync(() => Streams.GetPendingCountAsync(queue), n => n == 0, "the message is acknowledged",
            () => Time.Advance(TimeSpan.FromSeconds(1)));

        Assert.True(stolen);
        Assert.Equal([message.EventId], await RowsAsync(table));
        Assert.Equal(2, script.Calls);
    }

    private sealed class NoLeaseExtension : IQueueLeaseExtender
    {
        public Task<DateTimeOffset?> ExtendLeaseAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
            CancellationToken cancellationToken = default) => Task.FromResult<DateTimeOffset?>(DateTimeOffset.MaxValue);
    }

    public sealed class RowWritingQueueHandler(RowScript script) : ITransactionalQueueMessageHandler
    {
        public async Task HandleAsync(DequeuedEvent message, ConsumerTransaction transaction, CancellationToken cancellationToken)
        {
            var sql = transaction.AsPostgres();
            var call = script.NextCall();
            await using (var insert = new NpgsqlCommand($"INSERT INTO {script.Table} (event_id, call) VALUES ($1, $2)", sql.Connection, sql.Transaction))
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = message.EventId });
                insert.Parameters.Add(new NpgsqlParameter { Value = call });
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            if (script.BeforeReturn is { } hook)
            {
                await hook(call, cancellationToken);
            }
        }
    }

    /// <summary>What <see cref="RowWritingHandler"/> writes: a row per call, and an effect append failing at <see cref="FailAt"/>.</summary>
    public sealed class RowScript(string table)
    {
        private int _calls;

        public string Table => table;

        public long? FailAt { get; init; }

        public string? EffectsStream { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public Func<int, CancellationToken, Task>? BeforeReturn { get; init; }

        public int NextCall() => Interlocked.Increment(ref _calls);
    }

    public sealed class RowWritingHandler(RowScript script) : ITransactionalEventStreamHandler
    {
        public async Task HandleAsync(StoredEvent storedEvent, ConsumerTransaction transaction, CancellationToken cancellationToken)
        {
            var sql = transaction.AsPostgres();
            await using (var insert = new NpgsqlCommand($"INSERT INTO {script.Table} (event_id, call) VALUES ($1, $2)", sql.Connection, sql.Transaction))
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = storedEvent.EventId });
                insert.Parameters.Add(new NpgsqlParameter { Value = script.NextCall() });
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            if (script.EffectsStream is { } effects)
            {
                transaction.Batch.Append(effects, new TestEvent(storedEvent.EventId, 0), storedEvent.Offset == script.FailAt ? 99 : null);
            }
        }
    }
}
