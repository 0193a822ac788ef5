using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests;

/// <summary>What only the PostgreSQL backend has to show: durability, round trips, locking, registration.</summary>
public sealed class PostgresStoreTests
{
    [Fact]
    public async Task Events_queues_and_offsets_read_back_equal_after_the_service_provider_is_rebuilt()
    {
        var connectionString = await PostgresServer.GetConnectionStringAsync();
        var schema = TestServices.NewSchema();
        var events = new ICorrelatedEvent[]
        {
            new TestEvent("a", 1) { CorrelationId = "c-1" },
            new RichEvent(Guid.NewGuid(), 10.25m, DateTimeOffset.Parse("2031-01-02T03:04:05.1234567+05:30", System.Globalization.CultureInfo.InvariantCulture),
                new RichEvent.Address("Main St", "Québec"), "note"),
        };
        var queued = new TestEvent("q", 2);

        await using (var before = TestServices.Build(connectionString, schema))
        {
            await EventStoreFixture.StartHostedServicesAsync(before);
            var store = before.GetRequiredService<IEventStreamStore>();
            await store.AppendAsync("orders-1", events);
            await store.EnqueueAsync("emails", queued);
            await before.GetRequiredService<IConsumerOffsetStore>().CommitOffsetAsync("orders-1", "projector", 2);
        }

        await using var after = TestServices.Build(connectionString, schema);
        await EventStoreFixture.StartHostedServicesAsync(after);
        var reopened = after.GetRequiredService<IEventStreamStore>();

        Assert.Equal(events, (await reopened.ReadStreamAsync("orders-1", 0, 10)).Select(e => e.Event));
        Assert.Equal(queued, (await reopened.DequeueAsync("emails", "w", TimeSpan.FromSeconds(5)))?.Event);
        Assert.Equal(2, await after.GetRequiredService<IConsumerOffsetStore>().GetOffsetAsync("orders-1", "projector"));
        Assert.Equal(2, (await reopened.GetStreamMetadataAsync("orders-1")).Length);
    }

    [Fact]
    public async Task Append_batch_read_dequeue_ack_and_nack_are_one_round_trip_each()
    {
        await using var services = await StartAsync();
        var store = services.GetRequiredService<IEventStreamStore>();
        await store.GetStreamLengthAsync("warm-up"); // the once-per-process schema check is not counted

        Assert.Equal(1, await CountCommandsAsync(() => store.AppendAsync("rt", new TestEvent("a", 1))));
        Assert.Equal(1, await CountCommandsAsync(() => store.AppendAsync("rt", Enumerable.Range(0, 100).Select(i => (ICorrelatedEvent)new TestEvent("b", i)).ToArray(), expectedLength: 1)));
        Assert.Equal(1, await CountCommandsAsync(() => store.ReadStreamAsync("rt", 0, 1000)));
        Assert.Equal(1, await CountCommandsAsync(() => store.GetStreamMetadataAsync("rt")));
        Assert.Equal(1, await CountCommandsAsync(() => store.EnqueueAsync("rt-q", new TestEvent("q", 1))));
        await store.EnqueueAsync("rt-q", new TestEvent("q", 2));
        DequeuedEvent? first = null;
        Assert.Equal(1, await CountCommandsAsync(async () => first = await store.DequeueAsync("rt-q", "c", TimeSpan.FromMinutes(1))));
        Assert.Equal(1, await CountCommandsAsync(() => store.AcknowledgeAsync("rt-q", first!.EventId, "c")));
        var second = await store.DequeueAsync("rt-q", "c", TimeSpan.FromMinutes(1));
        Assert.Equal(1, await CountCommandsAsync(() => store.NackAsync("rt-q", second!.EventId, "c")));
    }

    [Fact]
    public async Task An_appender_holding_one_stream_does_not_block_appends_to_another()
    {
        await using var services = await StartAsync();
        var store = services.GetRequiredService<IEventStreamStore>();
        var database = services.GetRequiredService<PostgresDatabase>();
        await store.AppendAsync("held", new TestEvent("a", 0));

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM {database.Schema}.streams WHERE stream_name = 'held' FOR UPDATE", connection, transaction))
        {
            await lockRow.ExecuteScalarAsync();
        }

        var blocked = store.AppendAsync("held", new TestEvent("b", 1));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await store.AppendAsync("free", new TestEvent("c", 2), deadline.Token));
        Assert.False(blocked.IsCompleted);

        await transaction.RollbackAsync();
        Assert.Equal(1, await blocked.WaitAsync(deadline.Token));
    }

    [Fact]
    public async Task The_application_s_own_data_source_is_used_and_left_open()
    {
        var connectionString = await PostgresServer.GetConnectionStringAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(dataSource);
        services.AddPostgresEventStreaming(o => o.SchemaName = TestServices.NewSchema());

        await using (var provider = services.BuildServiceProvider())
        {
            await EventStoreFixture.StartHostedServicesAsync(provider);
            Assert.Same(dataSource, provider.GetRequiredService<PostgresDatabase>().DataSource);
            Assert.Equal(0, await provider.GetRequiredService<IEventStreamStore>().AppendAsync("s", new TestEvent("x", 1)));
        }

        await using var command = dataSource.CreateCommand("SELECT 1");
        Assert.Equal(1, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_migration_service_starts_before_hosted_services_registered_earlier()
    {
        var services = new ServiceCollection();
        services.AddHostedService<EarlyService>();
        services.AddPostgresEventStreaming("Host=localhost");
        services.AddPostgresEventStreaming("Host=localhost");

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).ToArray();

        Assert.Equal(typeof(MigrationHostedService), hosted[0].ImplementationType);
        Assert.Single(hosted, d => d.ImplementationType == typeof(MigrationHostedService));
    }

    [Theory]
    [InlineData("Event-Streaming", "SchemaName")]
    [InlineData("drop table x;--", "SchemaName")]
    [InlineData("", "SchemaName")]
    [InlineData("9starts_with_digit", "SchemaName")]
    public void Invalid_schema_names_are_rejected_at_startup_with_what_to_fix(string schema, string expected)
    {
        using var services = new ServiceCollection().AddPostgresEventStreaming(o =>
        {
            o.ConnectionString = "Host=localhost";
            o.SchemaName = schema;
        }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PostgresEventStreamingOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("lower-case letters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_database_configuration_is_rejected_with_what_to_fix()
    {
        using var services = new ServiceCollection().AddPostgresEventStreaming(_ => { }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PostgresEventStreamingOptions>>().Value);

        Assert.Contains("AddNpgsqlDataSource", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=localhost", PostgresDatabase.DefaultMaxAutoPrepare, true)]
    [InlineData("Host=localhost;Max Auto Prepare=0;No Reset On Close=false", 0, false)]
    [InlineData("Host=localhost;maxautoprepare=5", 5, true)]
    public void The_backends_own_data_source_prepares_statements_and_skips_the_reset_unless_the_connection_string_says_otherwise(
        string connectionString, int maxAutoPrepare, bool noResetOnClose)
    {
        using var dataSource = PostgresDatabase.CreateDataSource(connectionString);

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(maxAutoPrepare, settings.MaxAutoPrepare);
        Assert.Equal(noResetOnClose, settings.NoResetOnClose);
    }

    [Fact]
    public async Task A_consumer_group_lock_lives_on_its_own_session_which_ends_when_the_lock_is_released()
    {
        // The statement pool skips Npgsql's reset (which would release advisory locks and LISTENs), so a connection
        // holding session state must never go back to it: the lock's session ends with the lease.
        await using var services = await StartAsync();
        var database = services.GetRequiredService<PostgresDatabase>();
        var key = Consumers.PostgresConsumerGroupLock.Key(database.SchemaName, "s", "g");
        var lease = await services.GetRequiredService<Svrnty.CQRS.Events.Consumers.IConsumerGroupLock>().TryAcquireAsync("s", "g", CancellationToken.None);
        Assert.NotNull(lease);
        await using var observer = await database.DataSource.OpenConnectionAsync();
        await using var holder = new NpgsqlCommand(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1", observer);
        holder.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
        var pid = (int)(await holder.ExecuteScalarAsync())!;

        await lease.DisposeAsync();

        await using var alive = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", observer);
        alive.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
        var deadline = Stopwatch.StartNew();
        while ((long)(await alive.ExecuteScalarAsync())! != 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"The session {pid} that held the lock is still open.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public void An_invalid_connection_string_is_rejected_without_echoing_the_password()
    {
        using var services = new ServiceCollection()
            .AddPostgresEventStreaming("Host=localhost;Password=s3cr3t-pw;Bogus Keyword=1").BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PostgresEventStreamingOptions>>().Value);

        Assert.Contains("ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-pw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_connection_does_not_reveal_the_password()
    {
        await using var services = TestServices.Build("Host=127.0.0.1;Port=1;Username=u;Password=s3cr3t-pw;Timeout=2", TestServices.NewSchema(), autoMigrate: false);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => services.GetRequiredService<IEventStreamStore>().GetStreamLengthAsync("s"));

        Assert.DoesNotContain("s3cr3t-pw", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<ServiceProvider> StartAsync()
    {
        var services = TestServices.Build(await PostgresServer.GetConnectionStringAsync(), TestServices.NewSchema());
        await EventStoreFixture.StartHostedServicesAsync(services);
        return services;
    }

    /// <summary>Counts the commands Npgsql sends while <paramref name="operation"/> runs, from its own traces.</summary>
    private static async Task<int> CountCommandsAsync(Func<Task> operation)
    {
        var commands = new ConcurrentBag<string>();
        var owner = new AsyncLocal<bool> { Value = true };
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (owner.Value && activity.Kind == ActivityKind.Client && activity.DisplayName != "connect")
                {
                    commands.Add(activity.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await operation();
        return commands.Count;
    }

    private sealed class EarlyService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
