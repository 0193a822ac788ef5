using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.ContractTests.Consumers;

namespace Svrnty.CQRS.Events.ContractTests.Diagnostics;

/// <summary>Metrics and traces: each instrument fires with the right tags; traces go from producer to consumer.</summary>
public abstract class TelemetryTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    /// <summary>No dash: by default the destination tag is the part before the first '-', so this name is its own tag.</summary>
    private static string UniqueName(string prefix) => $"{prefix}{Guid.NewGuid():N}";

    [Fact]
    public async Task Store_operations_are_counted_and_timed_with_bounded_tags()
    {
        using var capture = new TelemetryCapture();
        var stream = UniqueName("tel");
        var queue = UniqueName("telq");

        await Streams.AppendAsync(stream, NewEvents(3));
        await Streams.AppendAsync(stream, NewEvent());
        await Streams.EnqueueAsync(queue, NewEvent("a"));
        await Streams.EnqueueAsync(queue, NewEvent("b"));
        var first = await Streams.DequeueAsync(queue, "c", TimeSpan.FromSeconds(30));
        await Streams.AcknowledgeAsync(queue, first!.EventId, "c");
        var second = await Streams.DequeueAsync(queue, "c", TimeSpan.FromSeconds(30));
        await Streams.NackAsync(queue, second!.EventId, "c", requeue: false);

        Assert.Equal(4, capture.Sum("svrnty.events.appended", stream));
        Assert.Equal(2, capture.Sum("svrnty.messages.enqueued", queue));
        Assert.Equal(2, capture.Sum("svrnty.messages.dequeued", queue));
        Assert.Equal(1, capture.Sum("svrnty.messages.acknowledged", queue));
        Assert.Equal(1, capture.Sum("svrnty.messages.nacked", queue));
        Assert.Equal(1, capture.Sum("svrnty.messages.dead_lettered", queue));
        foreach (var (name, operation) in new[] { (stream, "append"), (queue, "enqueue"), (queue, "dequeue"), (queue, "ack"), (queue, "nack") })
        {
            var durations = capture.Measurements.Where(m => m.Instrument == "svrnty.operation.duration"
                && Equals(m.Tags["messaging.destination.name"], name) && Equals(m.Tags["messaging.operation.name"], operation)).ToArray();
            Assert.NotEmpty(durations);
            Assert.All(durations, d => Assert.True(d.Value >= 0 && d.Tags.ContainsKey("db.system.name") && Equals(d.Tags["messaging.system"], "svrnty")));
        }
    }

    [Fact]
    public async Task A_batch_counts_its_appends_enqueues_and_acknowledgements_under_one_write_batch_span()
    {
        var queue = UniqueName("telbq");
        var stream = UniqueName("telb");
        await Streams.EnqueueAsync(queue, NewEvent("held"));
        var held = await Streams.DequeueAsync(queue, "c", TimeSpan.FromMinutes(5));
        using var capture = new TelemetryCapture();

        await Fixture.Services.GetRequiredService<Abstractions.IEventBatchWriter>().WriteAsync(new Abstractions.EventBatch()
            .Acknowledge(queue, held!.EventId, "c")
            .Enqueue(queue, NewEvent("a"))
            .Enqueue(queue, NewEvent("b"))
            .Append(stream, NewEvents(3)));

        Assert.Equal(1, capture.Sum("svrnty.messages.acknowledged", queue, "write_batch"));
        Assert.Equal(2, capture.Sum("svrnty.messages.enqueued", queue, "write_batch"));
        Assert.Equal(3, capture.Sum("svrnty.events.appended", queue, "write_batch"));
        var span = Assert.Single(capture.Activities, a => Equals(a.GetTagItem("messaging.destination.name"), queue));
        Assert.Equal(ActivityKind.Producer, span.Kind);
        Assert.Equal(4, span.GetTagItem("messaging.batch.message_count"));
    }

    [Fact]
    public async Task By_default_per_entity_streams_share_their_category_tag()
    {
        using var capture = new TelemetryCapture();
        var category = UniqueName("order");

        await Streams.AppendAsync($"{category}-1", NewEvent());
        await Streams.AppendAsync($"{category}-2", NewEvent());

        Assert.Equal(2, capture.Sum("svrnty.events.appended", category));
    }

    [Fact]
    public async Task A_failed_operation_is_timed_with_its_error_type_and_marks_its_span()
    {
        using var capture = new TelemetryCapture();
        var stream = UniqueName("fail");
        await Streams.AppendAsync(stream, NewEvent());

        await Assert.ThrowsAsync<Abstractions.StreamConcurrencyException>(() => Streams.AppendAsync(stream, NewEvents(1), expectedLength: 0));

        Assert.Contains(capture.Measurements, m => m.Instrument == "svrnty.operation.duration" && Equals(m.Tags["messaging.destination.name"], stream)
            && Equals(m.Tags.GetValueOrDefault("error.type"), typeof(Abstractions.StreamConcurrencyException).FullName));
        Assert.Contains(capture.Activities, a => Equals(a.GetTagItem("messaging.destination.name"), stream) && a.Status == ActivityStatusCode.Error);
    }

    [Fact]
    public async Task A_trace_goes_from_the_request_that_appended_to_the_handler_that_consumed()
    {
        using var capture = new TelemetryCapture();
        var stream = UniqueName("trace");
        var e = NewEvent("traced", correlationId: "corr-7");
        using (var request = new Activity("POST /orders").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            await Streams.AppendAsync(stream, e);
            request.Stop();

            await using var host = await TestHost.StartAsync(Fixture, s => s.AddEventStreamConsumer<RecordingStreamHandler>(stream, "g",
                o => o.PollInterval = TimeSpan.FromHours(1)));
            await host.Recorder.WhenHandled(1).WaitAsync(Deadline.Default);
            await Deadline.UntilAsync(() => capture.Activities.Any(a => a.OperationName.StartsWith("process", StringComparison.Ordinal)
                && Equals(a.GetTagItem("messaging.message.id"), e.EventId)), "the handler span ended");

            var append = Assert.Single(capture.Activities, a => a.OperationName.StartsWith("append", StringComparison.Ordinal)
                && Equals(a.GetTagItem("messaging.destination.name"), stream));
            var process = Assert.Single(capture.Activities, a => a.OperationName.StartsWith("process", StringComparison.Ordinal)
                && Equals(a.GetTagItem("messaging.message.id"), e.EventId));
            Assert.Equal(request.TraceId, append.TraceId);
            Assert.Equal(request.SpanId, append.ParentSpanId);
            Assert.Equal(request.TraceId, process.TraceId);
            Assert.Equal(append.SpanId, process.ParentSpanId);
            Assert.Equal(ActivityKind.Consumer, process.Kind);
            Assert.Equal("corr-7", process.GetTagItem("messaging.message.conversation_id"));
            Assert.Equal("g", process.GetTagItem("messaging.consumer.group.name"));
        }
    }

    [Fact]
    public async Task A_queued_message_carries_its_trace_to_the_queue_handler()
    {
        using var capture = new TelemetryCapture();
        var queue = UniqueName("traceq");
        var e = NewEvent("traced");
        using (var request = new Activity("POST /emails").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            await Streams.EnqueueAsync(queue, e);
            request.Stop();

            await using var host = await TestHost.StartAsync(Fixture, s => s.AddQueueConsumer<RecordingQueueHandler>(queue,
                o => o.PollInterval = TimeSpan.FromHours(1)));
            await host.Recorder.WhenHandled(1).WaitAsync(Deadline.Default);
            await Deadline.UntilAsync(() => capture.Activities.Any(a => a.OperationName.StartsWith("process", StringComparison.Ordinal)
                && Equals(a.GetTagItem("messaging.message.id"), e.EventId)), "the handler span ended");

            var process = Assert.Single(capture.Activities, a => a.OperationName.StartsWith("process", StringComparison.Ordinal)
                && Equals(a.GetTagItem("messaging.message.id"), e.EventId));
            Assert.Equal(request.TraceId, process.TraceId);
        }
    }

    [Fact]
    public async Task Gauges_report_queue_depth_dead_letters_oldest_message_and_consumer_lag_of_watched_targets()
    {
        using var capture = new TelemetryCapture();
        var queue = UniqueName("gaugeq");
        var stream = UniqueName("gauge");
        await Streams.EnqueueAsync(queue, NewEvent("leased"));
        await Streams.EnqueueAsync(queue, NewEvent("rejected"));
        await Streams.EnqueueAsync(queue, NewEvent("waiting"));
        await Streams.DequeueAsync(queue, "c", TimeSpan.FromMinutes(5));
        var rejected = await Streams.DequeueAsync(queue, "c", TimeSpan.FromMinutes(5));
        await Streams.NackAsync(queue, rejected!.EventId, "c", requeue: false);
        await Streams.AppendAsync(stream, NewEvents(10));
        await Offsets.CommitOffsetAsync(stream, "g", 4);
        Time.Advance(TimeSpan.FromSeconds(42));

        await using var host = await TestHost.StartAsync(Fixture, s => s.ConfigureEventStreamingTelemetry(o =>
        {
            o.MonitoredQueues.Add(queue);
            o.MonitoredConsumerGroups.Add((stream, "g"));
        }));
        await Deadline.UntilAsync(() =>
        {
            capture.RecordGauges();
            return Task.FromResult(capture.Last("svrnty.consumer.lag", stream));
        }, lag => lag == 6, "the gauges were refreshed (the consumer lag is 6)", () => Time.Advance(TimeSpan.FromSeconds(15)));

        Assert.Equal(1, capture.Last("svrnty.queue.messages.visible", queue));
        Assert.Equal(1, capture.Last("svrnty.queue.messages.in_flight", queue));
        Assert.Equal(1, capture.Last("svrnty.queue.dead_letters", queue));
        Assert.True(capture.Last("svrnty.queue.oldest_message.age", queue) >= 42);
        Assert.True(capture.Last("svrnty.consumer.lag.age", stream) >= 42);
    }
}
