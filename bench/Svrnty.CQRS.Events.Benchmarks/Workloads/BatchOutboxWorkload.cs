using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Benchmarks.Contenders;
using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks.Workloads;

/// <summary>
/// The outbox write of README's <c>Checkout</c>, one writer, one order at a time: its first event appended to a new
/// stream <c>order-…</c> (<c>expectedLength: 0</c>) and a message enqueued on one queue. <c>svrnty-postgres</c> writes
/// both in one <see cref="IEventBatchWriter.WriteAsync"/> (one round trip, one commit);
/// <c>svrnty-postgres-two-calls</c> makes the two separate calls a crash can split (two round trips, two commits).
/// Each in a schema of its own; the rate counts orders (one event and one message each).
/// </summary>
internal sealed class BatchOutboxWorkload : Workload
{
    public override string Name => "batch-outbox";

    public override string Description =>
        "one writer, per order: append 1 event to a new stream + enqueue 1 message (one WriteAsync batch vs the two calls)";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var contenders = new Contenders<SvrntyPostgresContender>
        {
            await SvrntyPostgresContender.CreateAsync(context.ConnectionString, cancellationToken),
            await SvrntyPostgresContender.CreateAsync(context.ConnectionString, cancellationToken),
        };
        var batch = contenders[0].Services.GetRequiredService<IEventStreamStore>();
        var twoCalls = contenders[1].Services.GetRequiredService<IEventStreamStore>();
        await context.MeasureAsync(Name, context.Sizes.BatchOutboxOperations,
        [
            new Entrant("svrnty-postgres", null, (n, ct) => RunAsync(n, (stream, e, queue, message, c) =>
                batch.WriteAsync(new EventBatch().Append(stream, e, expectedLength: 0).Enqueue(queue, message), c), ct)),
            new Entrant("svrnty-postgres-two-calls", null, (n, ct) => RunAsync(n, async (stream, e, queue, message, c) =>
            {
                await twoCalls.AppendAsync(stream, [e], expectedLength: 0, c);
                await twoCalls.EnqueueAsync(queue, message, c);
            }, ct)),
        ], cancellationToken);
    }

    private delegate Task WriteOrder(string stream, OrderPlaced @event, string queue, OrderPlaced message, CancellationToken cancellationToken);

    private static async Task<RunSample> RunAsync(int count, WriteOrder write, CancellationToken cancellationToken)
    {
        var queue = NewStream("outbox");
        var prefix = NewStream("order");
        var events = Payload.Batch(0, count);
        var messages = events.Select(e => e with { EventId = $"receipt-{e.EventId}" }).ToArray();
        var latencies = new LatencyRecorder(count);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var start = LatencyRecorder.Start();
            await write($"{prefix}-{i}", events[i], queue, messages[i], cancellationToken);
            latencies.Stop(start);
        }

        return new RunSample(count, total.Elapsed, latencies.Latencies);
    }
}
