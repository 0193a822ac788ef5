using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Batches;

/// <summary>
/// <see cref="IPostgresEventBatchWriter"/> (DESIGN.md semantic 24): a batch inside the application's own transaction
/// commits or rolls back with the application's rows, is invisible until then, and a failed batch leaves the
/// transaction usable.
/// </summary>
public sealed class PostgresTransactionBatchTests
{
    private static async Task<(ServiceProvider Services, PostgresDatabase Database, IEventStreamStore Store, IPostgresEventBatchWriter Writer)> StartAsync()
    {
        var services = await TestServices.StartAsync();
        var database = services.GetRequiredService<PostgresDatabase>();
        await using var create = database.DataSource.CreateCommand($"CREATE TABLE {database.Schema}.app_orders (id text PRIMARY KEY)");
        await create.ExecuteNonQueryAsync();
        return (services, database, services.GetRequiredService<IEventStreamStore>(), services.GetRequiredService<IPostgresEventBatchWriter>());
    }

    private static async Task InsertOrderAsync(PostgresDatabase database, NpgsqlConnection connection, NpgsqlTransaction transaction, string id)
    {
        await using var insert = new NpgsqlCommand($"INSERT INTO {database.Schema}.app_orders (id) VALUES ($1)", connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task<long> OrdersAsync(PostgresDatabase database)
    {
        await using var count = database.DataSource.CreateCommand($"SELECT count(*) FROM {database.Schema}.app_orders");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_batch_commits_with_the_application_rows_and_is_invisible_before()
    {
        var (services, database, store, writer) = await StartAsync();
        await using var _ = services;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await InsertOrderAsync(database, connection, transaction, "42");

        var result = await writer.WriteAsync(new EventBatch()
            .Append("order-42", new TestEvent("placed", 1), expectedLength: 0)
            .Enqueue("emails", new TestEvent("receipt", 1)), transaction);

        Assert.Equal([0L], result.Offsets);
        Assert.Equal(0, await store.GetStreamLengthAsync("order-42"));
        Assert.Equal(0, await store.GetPendingCountAsync("emails"));
        Assert.Equal(0, await store.GetStreamLengthAsync(LogStreams.Category("order")));

        await transaction.CommitAsync();

        Assert.Equal(1, await store.GetStreamLengthAsync("order-42"));
        Assert.Equal(1, await store.GetPendingCountAsync("emails"));
        Assert.Equal(1, await store.GetStreamLengthAsync(LogStreams.Category("order")));
        Assert.Equal(1, await OrdersAsync(database));
    }

    [Fact]
    public async Task A_rollback_of_the_application_transaction_takes_the_batch_with_it()
    {
        var (services, database, store, writer) = await StartAsync();
        await using var _ = services;
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await InsertOrderAsync(database, connection, transaction, "43");
            await writer.WriteAsync(new EventBatch().Append("order-43", new TestEvent("placed", 1)).CommitOffset("order-43", "g", 1), transaction);
            await transaction.RollbackAsync();
        }

        Assert.Equal(0, await store.GetStreamLengthAsync("order-43"));
        Assert.Null(await services.GetRequiredService<IConsumerOffsetStore>().GetOffsetAsync("order-43", "g"));
        Assert.Equal(0, await OrdersAsync(database));
        Assert.Equal(0, await store.AppendAsync("order-43", new TestEvent("again", 2)));
    }

    [Fact]
    public async Task A_failed_batch_writes_nothing_and_leaves_the_application_transaction_usable()
    {
        var (services, database, store, writer) = await StartAsync();
        await using var _ = services;
        await store.AppendAsync("order-44", new TestEvent("exists", 0));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await InsertOrderAsync(database, connection, transaction, "44");

        var error = await Assert.ThrowsAsync<StreamConcurrencyException>(() => writer.WriteAsync(new EventBatch()
            .Enqueue("emails-44", new TestEvent("receipt", 1))
            .Append("order-44", new TestEvent("placed", 1), expectedLength: 0), transaction));
        Assert.Equal(("order-44", 1L), (error.StreamName, error.ActualLength));

        await InsertOrderAsync(database, connection, transaction, "44b");
        await transaction.CommitAsync();
        Assert.Equal(2, await OrdersAsync(database));
        Assert.Equal(1, await store.GetStreamLengthAsync("order-44"));
        Assert.Equal(0, await store.GetPendingCountAsync("emails-44"));
    }

    [Fact]
    public async Task The_appended_streams_stay_locked_until_the_application_commits()
    {
        var (services, database, store, writer) = await StartAsync();
        await using var _ = services;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await writer.WriteAsync(new EventBatch().Append("order-45", new TestEvent("placed", 1)), transaction);

        var blocked = store.AppendAsync("order-45", new TestEvent("later", 2));
        await ServerActivity.UntilWaitingOnALockHeldByAsync(database.DataSource, connection, "an append to the batch's stream waits for the application's commit");
        Assert.False(blocked.IsCompleted);

        await transaction.CommitAsync();
        using var deadline = new CancellationTokenSource(Deadline.Default);
        Assert.Equal(1, await blocked.WaitAsync(deadline.Token));
    }

    [Fact]
    public async Task Batches_and_appends_on_other_streams_go_on_while_one_stream_is_held()
    {
        var (services, database, store, writer) = await StartAsync();
        await using var _ = services;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await writer.WriteAsync(new EventBatch().Append("held-a", new TestEvent("placed", 1)), transaction);

        // Disjoint streams (semantic 23): neither waits for the held stream's row.
        using var deadline = new CancellationTokenSource(Deadline.Default);
        var other = await store.WriteAsync(new EventBatch()
            .Append("free-b", new TestEvent("b", 2))
            .Append("free-c", new TestEvent("c", 3))
            .Enqueue("free-q", new TestEvent("q", 4)), deadline.Token);
        Assert.Equal([0L, 0L], other.Offsets);
        Assert.Equal(1, await store.AppendAsync("free-b", new TestEvent("b2", 5), cancellationToken: deadline.Token));

        // A batch that touches the held stream waits, whatever else it touches, and nothing of it shows meanwhile.
        var touching = store.WriteAsync(new EventBatch()
            .Append("free-c", new TestEvent("c2", 6))
            .Append("held-a", new TestEvent("a2", 7)), deadline.Token);
        await ServerActivity.UntilWaitingOnALockHeldByAsync(database.DataSource, connection, "a batch touching the held stream waits");
        Assert.False(touching.IsCompleted);
        Assert.Equal(1, await store.GetStreamLengthAsync("free-c", deadline.Token));

        await transaction.CommitAsync();
        Assert.Equal([1L, 1L], (await touching.WaitAsync(deadline.Token)).Offsets);
    }

    [Fact]
    public async Task A_completed_transaction_is_refused_before_any_io()
    {
        var (services, database, _, writer) = await StartAsync();
        await using var __ = services;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await transaction.CommitAsync();

        Assert.Equal("transaction", (await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            writer.WriteAsync(new EventBatch().Append("s", new TestEvent("x", 1)), transaction))).ParamName);
        Assert.Equal("transaction", (await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            writer.WriteAsync(new EventBatch().Append("s", new TestEvent("x", 1)), null!))).ParamName);
        Assert.Equal("batch", (await Assert.ThrowsAnyAsync<ArgumentException>(() => writer.WriteAsync(new EventBatch(), null!))).ParamName);
    }
}
