using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.Grpc.V1;
using Svrnty.CQRS.Events.InMemory.Tests;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;

/// <summary>
/// The gRPC service on one backend, hosted as an application hosts it: the backend's fixture (in memory, or PostgreSQL
/// on the real server the PostgreSQL tests find) registered in a Kestrel application with
/// <c>AddEventStreamingGrpc()</c> and <c>MapEventStreamingGrpc()</c>, with the fixture's fake clock.
/// Two hooks are added for the tests: subscriptions are tracked (to see the server's enumeration end) and the store
/// can be told to fail for a stream (to see how failures are mapped).
/// </summary>
public abstract class GrpcServer : IAsyncLifetime
{
    private TestApp? _app;

    protected GrpcServer(EventStoreFixture backend) => Backend = backend;

    public EventStoreFixture Backend { get; }

    /// <summary>The clock every store reads; tests move it forward instead of sleeping.</summary>
    public FakeTimeProvider Time => Backend.Time;

    /// <summary>The page size the server reads with, small so that paging is exercised with few events.</summary>
    public const int PageSize = 7;

    public TestApp App => _app ?? throw new InvalidOperationException("The server is not started.");

    public EventStreaming.EventStreamingClient Client => App.Client;

    public IServiceProvider Services => App.Services;

    public SubscriptionTracker Subscriptions { get; } = new();

    public StoreFaults Faults { get; } = new();

    /// <summary>Registers the backend the way an application does, sharing the fixture's data and clock.</summary>
    public void AddBackend(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(Time);
        Backend.AddBackendTo(services);
    }

    /// <summary>Starts another application on the same backend, e.g. with other registrations or endpoints.</summary>
    public Task<TestApp> StartAppAsync(Action<IServiceCollection>? configureServices = null, Action<Microsoft.AspNetCore.Builder.WebApplication>? configureApp = null) =>
        TestApp.StartAsync(services =>
        {
            AddBackend(services);
            configureServices?.Invoke(services);
        }, configureApp);

    public async Task InitializeAsync()
    {
        await Backend.InitializeAsync();
        _app = await StartAppAsync(services =>
        {
            services.AddEventStreamingGrpc(o => o.PageSize = PageSize);
            services.Decorate<IEventStreamSubscriber>(inner => new TrackingSubscriber(inner, Subscriptions));
            services.Decorate<IEventStreamStore>(inner => new FaultInjectingStore(inner, Faults));
        });
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await Backend.DisposeAsync();
    }
}

/// <summary>The gRPC service on the in-memory backend.</summary>
public sealed class InMemoryGrpcServer() : GrpcServer(new InMemoryFixture());

/// <summary>The gRPC service on the PostgreSQL backend, on the real server (<see cref="PostgresServer"/>).</summary>
public sealed class PostgresGrpcServer() : GrpcServer(new PostgresFixture());
