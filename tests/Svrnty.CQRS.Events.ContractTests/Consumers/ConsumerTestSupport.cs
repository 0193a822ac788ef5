using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>What a consumer handled, with signals to wait on instead of sleeping.</summary>
public sealed class Recorder
{
    private readonly ConcurrentQueue<StoredEvent> _events = new();
    private readonly ConcurrentQueue<DequeuedEvent> _messages = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();

    /// <summary>Runs before each handled event; throw to fail it.</summary>
    public Func<StoredEvent, CancellationToken, Task>? OnEvent { get; set; }

    /// <summary>Runs before each handled message; throw to fail it.</summary>
    public Func<DequeuedEvent, CancellationToken, Task>? OnMessage { get; set; }

    public IReadOnlyList<StoredEvent> Events => _events.ToArray();

    public IReadOnlyList<DequeuedEvent> Messages => _messages.ToArray();

    public int Calls(string eventId) => _calls.GetValueOrDefault(eventId);

    public int TotalCalls => _calls.Values.Sum();

    public async Task RecordAsync(StoredEvent e, CancellationToken cancellationToken)
    {
        _calls.AddOrUpdate(e.EventId, 1, (_, n) => n + 1);
        Changed();
        if (OnEvent is { } hook)
        {
            await hook(e, cancellationToken);
        }

        _events.Enqueue(e);
        Changed();
    }

    public async Task RecordAsync(DequeuedEvent m, CancellationToken cancellationToken)
    {
        _calls.AddOrUpdate(m.EventId, 1, (_, n) => n + 1);
        Changed();
        if (OnMessage is { } hook)
        {
            await hook(m, cancellationToken);
        }

        _messages.Enqueue(m);
        Changed();
    }

    /// <summary>Completes when <paramref name="count"/> events or messages have been handled successfully.</summary>
    public Task WhenHandled(int count) => WhenAsync(() => _events.Count + _messages.Count >= count);

    /// <summary>Completes when the handler has been called <paramref name="count"/> times, failures included.</summary>
    public Task WhenCalled(int count) => WhenAsync(() => TotalCalls >= count);

    private async Task WhenAsync(Func<bool> condition)
    {
        while (true)
        {
            Task changed;
            lock (_sync)
            {
                changed = _changed.Task;
            }

            if (condition())
            {
                return;
            }

            await changed;
        }
    }

    private readonly Lock _sync = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Changed()
    {
        TaskCompletionSource previous;
        lock (_sync)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}

public sealed class RecordingStreamHandler(Recorder recorder) : IEventStreamHandler
{
    public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken) => recorder.RecordAsync(storedEvent, cancellationToken);
}

public sealed class RecordingQueueHandler(Recorder recorder) : IQueueMessageHandler
{
    public Task HandleAsync(DequeuedEvent message, CancellationToken cancellationToken) => recorder.RecordAsync(message, cancellationToken);
}

/// <summary>An app instance: a service provider over the fixture's backend with its hosted services started.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private IHostedService[] _hosted = [];
    private bool _stopped;

    private TestHost(ServiceProvider services, Recorder recorder)
    {
        _services = services;
        Recorder = recorder;
    }

    public Recorder Recorder { get; }

    public IServiceProvider Services => _services;

    public static async Task<TestHost> StartAsync(EventStoreFixture fixture, Action<IServiceCollection> configure, Recorder? recorder = null)
    {
        recorder ??= new Recorder();
        var services = fixture.BuildServices(s =>
        {
            s.AddSingleton(recorder);
            configure(s);
        });
        var host = new TestHost(services, recorder);
        host._hosted = await EventStoreFixture.StartHostedServicesAsync(services);
        return host;
    }

    /// <summary>The background task of the hosted consumer (completed when it stopped by itself).</summary>
    public Task? ConsumerTask => _hosted.OfType<BackgroundService>()
        .Where(s => s.GetType().Name.Contains("ConsumerService", StringComparison.Ordinal))
        .Select(s => s.ExecuteTask).FirstOrDefault();

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        foreach (var service in _hosted.Reverse())
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
    }
}

/// <summary>Test decorators of the backend's queue store.</summary>
public static class QueueDecoration
{
    /// <summary>Replaces the backend's <see cref="IEventQueue"/> (registered before) with <paramref name="wrap"/> of it.
    /// The stream store forwards its queue half to the registered <see cref="IEventQueue"/>, so the decorator wraps the
    /// queue store itself, never <see cref="IEventStreamStore"/> (which would forward back to the decorator).</summary>
    public static IServiceCollection DecorateQueue(this IServiceCollection services, Func<IEventQueue, IEventQueue> wrap)
    {
        var queue = services.Last(d => d.ServiceType == typeof(IEventQueue));
        var create = queue.ImplementationFactory
            ?? throw new InvalidOperationException("The backend's queue is expected to be registered by a factory.");
        services.Remove(queue);
        return services.AddSingleton(sp => wrap((IEventQueue)create(sp)));
    }
}
