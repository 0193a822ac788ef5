using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Tests.Consumers;

public sealed class MissingBackendTests
{
    [Fact]
    public async Task A_stream_consumer_without_a_backend_fails_at_startup_naming_the_missing_registration()
    {
        var error = await StartAsync(s => s.AddEventStreamConsumer<Projector>("orders", "read-model"));

        Assert.Contains("Projector", error.Message, StringComparison.Ordinal);
        Assert.Contains("'orders'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddInMemoryEventStorage()", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddPostgresEventStreaming(", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queue_consumer_without_a_backend_fails_at_startup_naming_the_missing_registration()
    {
        var error = await StartAsync(s => s.AddQueueConsumer<ReceiptSender>("emails"));

        Assert.Contains("ReceiptSender", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddInMemoryEventStorage()", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("StreamFollower", error.Message, StringComparison.Ordinal);
    }

    private static async Task<InvalidOperationException> StartAsync(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        configure(builder.Services);
        using var host = builder.Build();
        return await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
    }

    private sealed class ReceiptSender : IQueueMessageHandler
    {
        public Task HandleAsync(DequeuedEvent message, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Projector : IEventStreamHandler
    {
        public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
