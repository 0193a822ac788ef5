using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.ContractTests.Consumers;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Hosting;

/// <summary>A queue consumer in a real generic host: <c>HostOptions.ShutdownTimeout</c> bounds what it does after a stop.</summary>
public sealed class HostShutdownTests
{
    [Fact]
    public async Task The_host_s_shutdown_timeout_cancels_an_acknowledgement_that_outlives_it()
    {
        var queue = $"queue-{Guid.NewGuid():N}";
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new Recorder { OnMessage = (_, _) => release.Task }; // finishes its work whatever the token says
        var acks = new HangingAcknowledgements();
        var connectionString = await PostgresServer.GetConnectionStringAsync();
        using var host = new HostBuilder()
            .ConfigureServices(s =>
            {
                s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
                s.AddPostgresEventStreaming(o => (o.ConnectionString, o.SchemaName) = (connectionString, TestServices.NewSchema()));
                s.AddSingleton(recorder);
                s.AddQueueConsumer<RecordingQueueHandler>(queue);
                s.DecorateQueue(acks.Wrap);
            })
            .Build();
        await host.StartAsync();
        var e = new TestEvent("in-flight", 1);
        await host.Services.GetRequiredService<IEventStreamStore>().EnqueueAsync(queue, e);
        await recorder.WhenCalled(1).WaitAsync(Deadline.Default);

        var stopping = host.StopAsync();
        release.SetResult();
        await acks.Started.WaitAsync(Deadline.Default);
        await stopping.WaitAsync(Deadline.Default);

        await acks.Cancelled.WaitAsync(Deadline.Default);
        var consumer = host.Services.GetServices<IHostedService>().OfType<BackgroundService>()
            .Single(s => s.GetType().Name.StartsWith("QueueConsumerService", StringComparison.Ordinal));
        await consumer.ExecuteTask!.WaitAsync(Deadline.Default);
        Assert.True(consumer.ExecuteTask.IsCompletedSuccessfully);
        Assert.Equal(1, await host.Services.GetRequiredService<IEventStreamStore>().GetPendingCountAsync(queue));
    }

    /// <summary>Acknowledgements that hang until cancelled, as on a server that stopped answering.</summary>
    private sealed class HangingAcknowledgements
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public Task Cancelled => _cancelled.Task;

        public IEventQueue Wrap(IEventQueue inner) => new Queue(inner, this);

        private sealed class Queue(IEventQueue inner, HangingAcknowledgements acks) : IEventQueue
        {
            public Task EnqueueAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default) =>
                inner.EnqueueAsync(streamName, @event, cancellationToken);

            public Task<DequeuedEvent?> DequeueAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
                CancellationToken cancellationToken = default) =>
                inner.DequeueAsync(streamName, consumerId, visibilityTimeout, cancellationToken);

            public async Task<bool> AcknowledgeAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken = default)
            {
                acks._started.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    acks._cancelled.TrySetResult();
                    throw;
                }

                return await inner.AcknowledgeAsync(streamName, eventId, consumerId, cancellationToken);
            }

            public Task<bool> NackAsync(string streamName, string eventId, string consumerId, bool requeue = true,
                CancellationToken cancellationToken = default) =>
                inner.NackAsync(streamName, eventId, consumerId, requeue, cancellationToken);

            public Task<long> GetPendingCountAsync(string streamName, CancellationToken cancellationToken = default) =>
                inner.GetPendingCountAsync(streamName, cancellationToken);
        }
    }
}
