using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Streams;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Logs;

/// <summary>
/// What only PostgreSQL has to show about the logs: an append whose transaction commits late is never skipped by a
/// reader that has already read past later appends (a position taken at insert time, read with <c>&gt;</c>, would be:
/// SqlStreamStore #121), committed events are not held back by it, and appenders never wait for the sequencer.
/// </summary>
public sealed class PostgresLogTests
{
    private const long HoldKey = 0x5356_4C54;

    /// <summary>Makes every insert of an event of a stream named <c>slow-...</c> wait, inside its append's transaction
    /// and after its row is written, until the test releases an advisory lock: the append's transaction is open with
    /// its events inserted, exactly the window in which a sequence-numbered log hands out a position that a later,
    /// faster append overtakes.</summary>
    private static async Task HoldSlowAppendsAsync(PostgresDatabase database)
    {
        await using var command = database.DataSource.CreateCommand($"""
            CREATE FUNCTION {database.Schema}.hold_slow() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.stream_name LIKE 'slow-%' THEN PERFORM pg_advisory_xact_lock_shared({HoldKey}); END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER hold_slow AFTER INSERT ON {database.Schema}.events FOR EACH ROW EXECUTE FUNCTION {database.Schema}.hold_slow();
            """);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task An_append_that_commits_after_a_reader_passed_later_events_appears_at_a_later_position_never_below()
    {
        await using var services = await TestServices.StartAsync();
        var store = services.GetRequiredService<IEventStreamStore>();
        var database = services.GetRequiredService<PostgresDatabase>();
        await HoldSlowAppendsAsync(database);
        await store.AppendAsync("fast-0", new TestEvent("first", 0));

        await using var gate = await database.DataSource.OpenConnectionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({HoldKey})", gate))
        {
            await hold.ExecuteScalarAsync();
        }

        var slow = store.AppendAsync("slow-1", new TestEvent("slow", 1));
        await ServerActivity.UntilWaitingOnALockHeldByAsync(database.DataSource, gate, "the slow append waits, its event inserted, its transaction open");

        // Committed appends are not held back by the open one, and a reader passes them.
        await store.AppendAsync("fast-1", new TestEvent("fast", 2));
        var read = await store.ReadStreamAsync(LogStreams.All, 0, 100);
        Assert.Equal(["first", "fast"], read.Select(e => ((TestEvent)e.Event).Name));
        Assert.Equal([0L, 1L], read.Select(e => e.Position));
        Assert.False(slow.IsCompleted);

        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({HoldKey})", gate))
        {
            await release.ExecuteScalarAsync();
        }

        using var deadline = new CancellationTokenSource(Deadline.Default);
        await slow.WaitAsync(deadline.Token);

        // The reader goes on from where it was and finds the late event after what it read, not below it.
        var next = await store.ReadStreamAsync(LogStreams.All, read[^1].Position + 1, 100);
        Assert.Equal((2L, "slow-1", "slow"), (Assert.Single(next).Position, next[0].StreamName, ((TestEvent)next[0].Event).Name));
        Assert.Equal(3, await store.GetStreamLengthAsync(LogStreams.All));
    }

    [Fact]
    public async Task The_background_sequencer_numbers_appends_that_nobody_reads()
    {
        await using var services = await TestServices.StartAsync();
        var store = services.GetRequiredService<IEventStreamStore>();
        var database = services.GetRequiredService<PostgresDatabase>();

        await store.AppendAsync("quiet-1", new TestEvent("a", 0));
        await store.AppendAsync("quiet-2", [new TestEvent("b", 1), new TestEvent("c", 2)]);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var pending = new NpgsqlCommand($"SELECT count(*) FROM {database.Schema}.log_pending", connection);
        await using var positioned = new NpgsqlCommand($"SELECT count(*) FROM {database.Schema}.event_positions", connection);
        await Deadline.UntilAsync(async () => ((long)(await pending.ExecuteScalarAsync())!, (long)(await positioned.ExecuteScalarAsync())!),
            counts => counts == (0, 3), "the background sequencer numbered the three events without any log read");
    }

    [Fact]
    public async Task The_upkeep_vacuum_frees_dead_pending_rows_for_reuse_and_truncates_only_a_table_that_grew_large()
    {
        await using var services = await TestServices.StartAsync();
        var store = services.GetRequiredService<PostgresEventStreamStore>();
        var database = services.GetRequiredService<PostgresDatabase>();
        await using var connection = await database.DataSource.OpenConnectionAsync();

        // Rows written and rolled back are dead at once and never visible: the dead rows of numbered appends, without
        // numbering anything.
        async Task<long> AddDeadRowsAsync(int count)
        {
            await using var insert = new NpgsqlCommand($"""
                BEGIN;
                INSERT INTO {database.Schema}.log_pending (stream_name, first_offset, event_count, category)
                SELECT 'dead-' || g, 0, 1, 'dead' FROM generate_series(1, {count}) g;
                ROLLBACK;
                """, connection);
            await insert.ExecuteNonQueryAsync();
            return await PagesAsync();
        }

        async Task<long> PagesAsync()
        {
            await using var size = new NpgsqlCommand($"SELECT pg_relation_size('{database.Schema}.log_pending') / 8192", connection);
            return (long)(await size.ExecuteScalarAsync())!;
        }

        // A table of a few seconds' appends keeps its pages (no lock against appends), and its dead rows' space is
        // reused: as many dead rows again fit in the same pages.
        var small = await AddDeadRowsAsync(20_000);
        Assert.InRange(small, 2, PostgresEventStreamStore.TruncatePendingAbovePages);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(small, await store.VacuumLogPendingAsync(CancellationToken.None)); // past Npgsql's auto-prepare, too
        }

        Assert.Equal(small, await AddDeadRowsAsync(20_000));
        await store.VacuumLogPendingAsync(CancellationToken.None);

        // A table that grew large (a long transaction held its dead rows back) is truncated.
        var large = await AddDeadRowsAsync(200_000);
        Assert.True(large > PostgresEventStreamStore.TruncatePendingAbovePages, $"{large} pages");
        Assert.Equal(large, await store.VacuumLogPendingAsync(CancellationToken.None));
        Assert.Equal(0, await PagesAsync());
    }

    [Fact]
    public async Task Migration_004_sets_log_pending_to_vacuum_by_row_count_and_never_truncate_on_its_own()
    {
        await using var services = await TestServices.StartAsync();
        var database = services.GetRequiredService<PostgresDatabase>();
        await using var command = database.DataSource.CreateCommand(
            $"SELECT reloptions FROM pg_class WHERE oid = '{database.Schema}.log_pending'::regclass");
        var options = (string[])(await command.ExecuteScalarAsync())!;
        Assert.Contains("vacuum_truncate=false", options);
        Assert.Contains("autovacuum_vacuum_scale_factor=0", options);
    }
}
