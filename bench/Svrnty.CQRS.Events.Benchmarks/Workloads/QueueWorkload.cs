using System.Diagnostics;
using Svrnty.CQRS.Events.Benchmarks.Contenders;
using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks.Workloads;

/// <summary>
/// Enqueue N messages one call at a time (the <c>enqueue</c> row), then 4 competing consumers dequeue and acknowledge
/// until the queue is empty (the <c>dequeue+ack</c> row: messages/s, latency of one dequeue + ack).
/// </summary>
internal sealed class QueueWorkload : Workload
{
    public override string Name => "queue";

    public override string Description => "enqueue N, then 4 consumers dequeue + ack until empty (limit: hand-written SKIP LOCKED UPDATE + DELETE)";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var contenders = new Contenders<IQueueContender>
        {
            await SvrntyPostgresContender.CreateAsync(context.ConnectionString, cancellationToken),
            await SkipLockedRawQueue.CreateAsync(context.ConnectionString, cancellationToken),
        };
        var consumers = context.Sizes.QueueConsumers;
        var enqueueRuns = contenders.Select(_ => new List<RunSample>()).ToArray();
        await context.MeasureAsync(Name, context.Sizes.QueueMessages, contenders.Select((contender, index) => new Entrant(contender.Implementation, "dequeue+ack",
            async (n, ct) =>
            {
                var queue = NewStream("queue");
                var events = Payload.Batch(0, n);
                var enqueueLatencies = new LatencyRecorder(n);
                var enqueueTime = Stopwatch.StartNew();
                foreach (var e in events)
                {
                    var start = LatencyRecorder.Start();
                    await contender.EnqueueAsync(queue, e, ct);
                    enqueueLatencies.Stop(start);
                }

                enqueueRuns[index].Add(new RunSample(n, enqueueTime.Elapsed, enqueueLatencies.Latencies));

                var recorders = Enumerable.Range(0, consumers).Select(_ => new LatencyRecorder(n / consumers)).ToArray();
                var delivered = new long[consumers];
                var total = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, consumers).Select(c => Task.Run(async () =>
                {
                    var consumer = $"consumer-{c}";
                    while (true)
                    {
                        var start = LatencyRecorder.Start();
                        if (!await contender.DequeueAndAckAsync(queue, consumer, ct))
                        {
                            break;
                        }

                        recorders[c].Stop(start);
                        delivered[c]++;
                    }
                }, ct)));
                var elapsed = total.Elapsed;
                if (delivered.Sum() != n)
                {
                    throw new InvalidOperationException($"{contender.Implementation}: {delivered.Sum()} messages delivered, {n} enqueued.");
                }

                return new RunSample(n, elapsed, LatencyRecorder.Merge(recorders));
            })).ToArray(), cancellationToken);

        // The enqueue phase of the same measured runs (each entrant's first sample is its warm-up).
        for (var i = 0; i < contenders.Count; i++)
        {
            context.Add(BenchmarkResult.From(Name, contenders[i].Implementation, "enqueue", enqueueRuns[i].Skip(1).ToArray()));
        }
    }
}
