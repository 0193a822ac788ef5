using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests;

/// <summary>
/// What a backend gives the contract suite: a service provider built the way an application builds it (the backend's
/// <c>Add*</c> method, its hosted services started), isolated from every other test class, with a fake clock.
/// </summary>
public abstract class EventStoreFixture : IAsyncLifetime
{
    private ServiceProvider? _services;
    private IHostedService[] _hostedServices = [];

    /// <summary>The clock every store reads; tests move it forward instead of sleeping.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>Registers the backend under test.</summary>
    protected abstract void AddBackend(IServiceCollection services);

    /// <summary>Registers the backend on <paramref name="services"/> once more.</summary>
    public void AddBackendTo(IServiceCollection services) => AddBackend(services);

    /// <summary>Builds a service provider with the backend registered the way an application registers it.</summary>
    public ServiceProvider BuildServices(Action<IServiceCollection>? configure = null, Action<IServiceCollection>? configureFirst = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        configureFirst?.Invoke(services);
        AddBackend(services);
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Starts every hosted service of <paramref name="services"/> (migrations, for example), as a host would.</summary>
    public static async Task<IHostedService[]> StartHostedServicesAsync(IServiceProvider services)
    {
        var hosted = services.GetServices<IHostedService>().ToArray();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        return hosted;
    }

    public virtual async Task InitializeAsync()
    {
        _services = BuildServices();
        _hostedServices = await StartHostedServicesAsync(_services);
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var service in _hostedServices.Reverse())
        {
            await service.StopAsync(CancellationToken.None);
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}

/// <summary>The base of every contract suite: handles on the stores and unique names per test.</summary>
public abstract class StoreSuite(EventStoreFixture fixture)
{
    protected EventStoreFixture Fixture { get; } = fixture;

    protected FakeTimeProvider Time => Fixture.Time;

    protected IEventStreamStore Streams => Fixture.Services.GetRequiredService<IEventStreamStore>();

    protected IConsumerOffsetStore Offsets => Fixture.Services.GetRequiredService<IConsumerOffsetStore>();

    protected IDeadLetterStore DeadLetters => Fixture.Services.GetRequiredService<IDeadLetterStore>();

    protected IStreamConfigurationStore Configurations => Fixture.Services.GetRequiredService<IStreamConfigurationStore>();

    protected IRetentionPolicyStore RetentionPolicies => Fixture.Services.GetRequiredService<IRetentionPolicyStore>();

    /// <summary>A name no other test uses, so tests sharing a fixture never see each other's data.</summary>
    protected static string NewName(string prefix = "stream") => $"{prefix}-{Guid.NewGuid():N}";

    protected static TestEvent NewEvent(string name = "x", int number = 0, string? correlationId = null) =>
        new(name, number) { CorrelationId = correlationId };

    protected static IReadOnlyCollection<ICorrelatedEvent> NewEvents(int count, string name = "batch") =>
        Enumerable.Range(0, count).Select(i => (ICorrelatedEvent)NewEvent(name, i)).ToArray();

    protected async Task<long> AppendManyAsync(string stream, int count)
    {
        var last = -1L;
        for (var i = 0; i < count; i++)
        {
            last = await Streams.AppendAsync(stream, NewEvent("e", i));
        }

        return last;
    }
}
