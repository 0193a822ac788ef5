using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Batches;

/// <summary>
/// Atomic batches (DESIGN.md semantics 21-23): appends to several streams, enqueues, offset commits and
/// acknowledgements commit together or not at all, in the order added, idempotently, never deadlocking.
/// </summary>
public abstract class BatchTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private IEventBatchWriter Writer => Fixture.Services.GetRequiredService<IEventBatchWriter>();

    private static string NewCategory() => $"batch{Guid.NewGuid():N}";

    [Fact]
    public async Task Appends_to_several_streams_an_enqueue_an_offset_commit_and_an_ack_commit_together()
    {
        var (order, audit, queue, jobs) = (NewName("order"), NewName("audit"), NewName("emails"), NewName("jobs"));
        await Streams.EnqueueAsync(jobs, NewEvent("job"));
        var job = await Streams.DequeueAsync(jobs, "worker", TimeSpan.FromMinutes(1));
        var placed = NewEvent("placed");

        var result = await Writer.WriteAsync(new EventBatch()
            .Append(order, placed, expectedLength: 0)
            .Append(audit, NewEvents(2, "audit"))
            .Enqueue(queue, NewEvent("receipt"))
            .CommitOffset(order, "projection", 1)
            .Acknowledge(jobs, job!.EventId, "worker"));

        Assert.Equal([0L, 1L], result.Offsets);
        Assert.Equal(placed, Assert.Single(await Streams.ReadStreamAsync(order, 0, 10)).Event);
        Assert.Equal(2, await Streams.GetStreamLengthAsync(audit));
        Assert.Equal(1, await Streams.GetPendingCountAsync(queue));
        Assert.Equal(1, await Offsets.GetOffsetAsync(order, "projection"));
        Assert.Equal(0, await Streams.GetPendingCountAsync(jobs));
    }

    [Fact]
    public async Task A_wrong_expected_length_anywhere_writes_nothing_anywhere_and_names_the_stream()
    {
        var (first, second, queue) = (NewName(), NewName(), NewName("queue"));
        await Streams.AppendAsync(second, NewEvent("existing"));
        await Offsets.CommitOffsetAsync(first, "g", 5);
        await Streams.EnqueueAsync(queue, NewEvent("held"));
        var held = Assert.IsType<DequeuedEvent>(await Streams.DequeueAsync(queue, "worker", TimeSpan.FromMinutes(1)));

        var error = await Assert.ThrowsAsync<StreamConcurrencyException>(() => Writer.WriteAsync(new EventBatch()
            .Append(first, NewEvent("a"))
            .Enqueue(queue, NewEvent("b"))
            .CommitOffset(first, "g", 9)
            .Acknowledge(queue, held.EventId, "worker")
            .Append(second, NewEvent("c"), expectedLength: 0)));

        Assert.Equal((second, 0L, 1L), (error.StreamName, error.ExpectedLength, error.ActualLength));
        Assert.Equal(0, await Streams.GetStreamLengthAsync(first));
        Assert.Equal(1, await Streams.GetStreamLengthAsync(second));
        Assert.Equal(1, await Streams.GetPendingCountAsync(queue));
        Assert.Equal(5, await Offsets.GetOffsetAsync(first, "g"));
        Assert.True(await Streams.AcknowledgeAsync(queue, held.EventId, "worker"), "the message is still held: the batch's ack did not apply");
    }

    [Fact]
    public async Task An_ack_of_a_message_the_consumer_no_longer_holds_fails_the_batch_with_nothing_written()
    {
        var (stream, queue) = (NewName(), NewName("queue"));
        await Streams.EnqueueAsync(queue, NewEvent("m"));
        var message = Assert.IsType<DequeuedEvent>(await Streams.DequeueAsync(queue, "first", TimeSpan.FromSeconds(10)));
        Time.Advance(TimeSpan.FromSeconds(11));
        Assert.NotNull(await Streams.DequeueAsync(queue, "second", TimeSpan.FromMinutes(1)));

        var error = await Assert.ThrowsAsync<QueueLeaseLostException>(() => Writer.WriteAsync(new EventBatch()
            .Append(stream, NewEvent("effect"))
            .Acknowledge(queue, message.EventId, "first")));

        Assert.Equal((queue, message.EventId, "first"), (error.StreamName, error.EventId, error.ConsumerId));
        Assert.Equal(0, await Streams.GetStreamLengthAsync(stream));
        Assert.Equal(1, await Streams.GetPendingCountAsync(queue));
    }

    [Fact]
    public async Task Operations_apply_in_order_a_second_append_sees_the_first_and_repeated_ids_are_skipped()
    {
        var stream = NewName();
        var (a, b, c) = (NewEvent("a"), NewEvent("b"), NewEvent("c"));

        var result = await Writer.WriteAsync(new EventBatch()
            .Append(stream, a, expectedLength: 0)
            .Append(stream, [b], expectedLength: 1)
            .Append(stream, [b, c])
            .Append(stream, [a]));

        Assert.Equal([0L, 1L, 2L, 0L], result.Offsets);
        Assert.Equal([a, b, c], (await Streams.ReadStreamAsync(stream, 0, 10)).Select(e => e.Event));
    }

    [Fact]
    public async Task A_whole_batch_written_again_changes_nothing_and_returns_the_same_offsets()
    {
        var (orders, queue) = (NewName("order"), NewName("queue"));
        var batch = new EventBatch()
            .Append(orders, NewEvents(3), expectedLength: 0)
            .Enqueue(queue, NewEvent("email"))
            .CommitOffset(orders, "g", 3);

        var first = await Writer.WriteAsync(batch);
        var again = await Writer.WriteAsync(batch);

        Assert.Equal([2L], first.Offsets);
        Assert.Equal(first.Offsets, again.Offsets);
        Assert.Equal(3, await Streams.GetStreamLengthAsync(orders));
        Assert.Equal(1, await Streams.GetPendingCountAsync(queue));
    }

    [Fact]
    public async Task A_holder_whose_lease_expired_but_was_not_taken_still_acknowledges_in_a_batch()
    {
        var (stream, queue) = (NewName(), NewName("queue"));
        await Streams.EnqueueAsync(queue, NewEvent("m"));
        var message = Assert.IsType<DequeuedEvent>(await Streams.DequeueAsync(queue, "first", TimeSpan.FromSeconds(10)));
        Time.Advance(TimeSpan.FromSeconds(11)); // expired, but no one has dequeued it since (semantic 9)

        var result = await Writer.WriteAsync(new EventBatch()
            .Append(stream, NewEvent("effect"))
            .Acknowledge(queue, message.EventId, "first"));

        Assert.Equal([0L], result.Offsets);
        Assert.Equal(1, await Streams.GetStreamLengthAsync(stream));
        Assert.Equal(0, await Streams.GetPendingCountAsync(queue));
        Assert.Null(await Streams.DequeueAsync(queue, "second", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task An_ack_of_an_acknowledged_or_unknown_message_fails_the_batch_with_nothing_written()
    {
        var (stream, queue, other) = (NewName(), NewName("queue"), NewName("other"));
        await Streams.EnqueueAsync(queue, NewEvent("m"));
        var message = Assert.IsType<DequeuedEvent>(await Streams.DequeueAsync(queue, "c", TimeSpan.FromMinutes(1)));
        Assert.True(await Streams.AcknowledgeAsync(queue, message.EventId, "c"));

        foreach (var eventId in new[] { message.EventId, "never-enqueued" })
        {
            await Assert.ThrowsAsync<QueueLeaseLostException>(() => Writer.WriteAsync(new EventBatch()
                .Append(stream, NewEvent("effect"))
                .Enqueue(other, NewEvent("follow-up"))
                .CommitOffset(stream, "g", 1)
                .Acknowledge(queue, eventId, "c")));
        }

        Assert.Equal(0, await Streams.GetStreamLengthAsync(stream));
        Assert.Equal(0, await Streams.GetPendingCountAsync(other));
        Assert.Null(await Offsets.GetOffsetAsync(stream, "g"));
    }

    [Fact]
    public async Task A_batch_of_acknowledgements_alone_succeeds_with_no_offsets()
    {
        var queue = NewName("queue");
        await Streams.EnqueueAsync(queue, NewEvent("a"));
        await Streams.EnqueueAsync(queue, NewEvent("b"));
        var a = Assert.IsType<DequeuedEvent>(await Streams.DequeueAsync(queue, "c", TimeSpan.FromMinutes(1)));
        var b = Assert.IsType<DequeuedEvent>(await Streams.DequeueAsync(queue, "c", TimeSpan.FromMinutes(1)));

        var result = await Writer.WriteAsync(new EventBatch().Acknowledge(queue, a.EventId, "c").Acknowledge(queue, b.EventId, "c"));

        Assert.Empty(result.Offsets);
        Assert.Equal(0, await Streams.GetPendingCountAsync(queue));
    }

    [Fact]
    public async Task A_commit_in_a_batch_never_moves_a_group_backwards_and_commits_alone_are_a_batch()
    {
        var stream = NewName();
        await Offsets.CommitOffsetAsync(stream, "g", 10);

        var result = await Writer.WriteAsync(new EventBatch().CommitOffset(stream, "g", 4).CommitOffset(stream, "h", 2));

        Assert.Empty(result.Offsets);
        Assert.Equal(10, await Offsets.GetOffsetAsync(stream, "g"));
        Assert.Equal(2, await Offsets.GetOffsetAsync(stream, "h"));
    }

    [Fact]
    public async Task Bad_batches_fail_before_any_io()
    {
        Assert.Equal("batch", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Writer.WriteAsync(new EventBatch()))).ParamName);
        Assert.Equal("batch", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Writer.WriteAsync(null!))).ParamName);
        var batch = new EventBatch().Append(NewName(), NewEvents(EventBatch.MaxEvents));
        Assert.Equal("event", Assert.ThrowsAny<ArgumentException>(() => batch.Enqueue(NewName("queue"), NewEvent())).ParamName);
        Assert.Equal(EventBatch.MaxEvents, batch.EventCount);
        Assert.Equal("streamName", Assert.ThrowsAny<ArgumentException>(() => new EventBatch().Append(LogStreams.All, NewEvent())).ParamName);
        Assert.Equal("queueName", Assert.ThrowsAny<ArgumentException>(() => new EventBatch().Enqueue("$q", NewEvent())).ParamName);
        Assert.Equal("events", Assert.ThrowsAny<ArgumentException>(() => new EventBatch().Append("s", Array.Empty<ICorrelatedEvent>())).ParamName);
        Assert.Equal("event", Assert.ThrowsAny<ArgumentException>(() => new EventBatch().Append("s", NewEvent() with { EventId = "" })).ParamName);
        Assert.Equal("expectedLength", Assert.ThrowsAny<ArgumentException>(() => new EventBatch().Append("s", NewEvent(), -1)).ParamName);
        Assert.Equal("nextOffset", Assert.ThrowsAny<ArgumentException>(() => new EventBatch().CommitOffset("s", "g", -1)).ParamName);
        Assert.Equal("consumerId", Assert.ThrowsAny<ArgumentException>(() => new EventBatch().Acknowledge("q", "id", " ")).ParamName);
        Assert.Equal("streamName", Assert.ThrowsAny<ArgumentException>(() => new EventBatch().CommitOffset("$nope", "g", 1)).ParamName);
    }

    [Fact]
    public async Task A_reader_of_the_category_log_never_sees_half_a_batch()
    {
        var category = NewCategory();
        var (a, b) = ($"{category}-a", $"{category}-b");
        var log = LogStreams.Category(category);
        using var done = new CancellationTokenSource();
        var checks = 0;
        var reader = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                var events = new List<StoredEvent>();
                for (var from = 0L; ;)
                {
                    var page = await Streams.ReadStreamAsync(log, from, 100);
                    if (page.Count == 0)
                    {
                        break;
                    }

                    events.AddRange(page);
                    from = page[^1].Position + 1;
                }

                Assert.Equal(events.Count(e => e.StreamName == a), events.Count(e => e.StreamName == b));
                Interlocked.Increment(ref checks);
            }
        });

        for (var i = 0; i < 30; i++)
        {
            await Writer.WriteAsync(new EventBatch().Append(a, NewEvents(2)).Append(b, NewEvents(2)));
            if (i % 3 == 0)
            {
                // Interleave: let the reader finish a whole read of the log while batches are still being written.
                var seen = Volatile.Read(ref checks);
                await Deadline.UntilAsync(() => Task.FromResult(Volatile.Read(ref checks)), c => c > seen, "the reader read the log again");
            }
        }

        await done.CancelAsync();
        await reader;
        Assert.Equal(60, await Streams.GetStreamLengthAsync(a));
    }

    [Fact]
    public async Task Eight_writers_batching_over_two_streams_in_opposite_orders_never_deadlock_and_offsets_stay_gapless()
    {
        var (a, b) = (NewName("a"), NewName("b"));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
            {
                var batch = w % 2 == 0
                    ? new EventBatch().Append(a, NewEvent($"w{w}", i)).Append(b, NewEvent($"w{w}", i))
                    : new EventBatch().Append(b, NewEvent($"w{w}", i)).Append(a, NewEvent($"w{w}", i));
                await Writer.WriteAsync(batch);
            }
        }))).WaitAsync(Deadline.Default);

        foreach (var stream in new[] { a, b })
        {
            var events = await Streams.ReadStreamAsync(stream, 0, 1000);
            Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), events.Select(e => e.Offset));
        }
    }
}
