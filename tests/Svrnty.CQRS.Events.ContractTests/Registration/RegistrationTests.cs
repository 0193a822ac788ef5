using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Registration;

/// <summary>The backend's <c>Add*</c> method registers every contract interface as a singleton, with TryAdd.</summary>
public abstract class RegistrationTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    public static TheoryData<Type> ContractInterfaces =>
    [
        typeof(IEventStreamStore), typeof(IEventStreamWriter), typeof(IEventStreamReader), typeof(IEventQueue), typeof(IEventBatchWriter),
        typeof(IConsumerOffsetStore), typeof(IDeadLetterStore), typeof(IStreamConfigurationStore), typeof(IRetentionPolicyStore),
    ];

    [Theory]
    [MemberData(nameof(ContractInterfaces))]
    public void Every_contract_interface_is_a_singleton(Type contract)
    {
        var first = Fixture.Services.GetRequiredService(contract);

        Assert.Same(first, Fixture.Services.GetRequiredService(contract));
    }

    [Fact]
    public void The_smaller_stream_interfaces_are_the_same_store_and_the_queue_interfaces_the_same_queue_store()
    {
        var store = Fixture.Services.GetRequiredService<IEventStreamStore>();
        var queue = Fixture.Services.GetRequiredService<IEventQueue>();

        Assert.Same(store, Fixture.Services.GetRequiredService<IEventStreamWriter>());
        Assert.Same(store, Fixture.Services.GetRequiredService<IEventStreamReader>());
        Assert.Same(store, Fixture.Services.GetRequiredService<IEventStreamLocator>());
        Assert.Same(queue, Fixture.Services.GetRequiredService<IQueueLeaseExtender>());
        Assert.Same(queue, Fixture.Services.GetRequiredService<IEventQueueMonitor>());
    }

    [Fact]
    public async Task The_stream_store_serves_its_queue_half_through_the_registered_queue_store()
    {
        var queueName = $"q-{Guid.NewGuid():N}";
        var e = new TestEvent("via-store", 1);
        await Fixture.Services.GetRequiredService<IEventStreamStore>().EnqueueAsync(queueName, e);

        var dequeued = await Fixture.Services.GetRequiredService<IEventQueue>().DequeueAsync(queueName, "c", TimeSpan.FromMinutes(1));

        Assert.Equal(e, dequeued?.Event);
        Assert.Equal(1, await Fixture.Services.GetRequiredService<IEventStreamStore>().GetPendingCountAsync(queueName));
    }

    [Fact]
    public async Task A_store_the_application_registered_first_is_kept()
    {
        var custom = new CustomRetentionStore();
        await using var services = Fixture.BuildServices(configureFirst: s => s.AddSingleton<IRetentionPolicyStore>(custom));

        Assert.Same(custom, services.GetRequiredService<IRetentionPolicyStore>());
        Assert.NotNull(services.GetRequiredService<IEventStreamStore>());
    }

    [Fact]
    public async Task Registering_the_backend_twice_is_harmless()
    {
        await using var once = Fixture.BuildServices();
        await using var twice = Fixture.BuildServices(configure: Fixture.AddBackendTo);

        Assert.Single(twice.GetServices<IEventStreamStore>());
        Assert.Single(twice.GetServices<IConsumerOffsetStore>());
        Assert.Equal(
            once.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Select(s => s.GetType()),
            twice.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Select(s => s.GetType()));
    }

    private sealed class CustomRetentionStore : IRetentionPolicyStore
    {
        public Task SetAsync(RetentionPolicy policy, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<RetentionPolicy?> GetAsync(string streamName, CancellationToken cancellationToken = default) => Task.FromResult<RetentionPolicy?>(null);

        public Task<IReadOnlyList<RetentionPolicy>> ListAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<RetentionPolicy>>([]);

        public Task<bool> DeleteAsync(string streamName, CancellationToken cancellationToken = default) => Task.FromResult(false);
    }
}
