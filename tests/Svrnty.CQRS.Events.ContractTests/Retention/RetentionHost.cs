using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Retention;

namespace Svrnty.CQRS.Events.ContractTests.Retention;

/// <summary>A service provider with the backend and <c>AddEventStreamRetention</c> registered as an application
/// registers them, on the fixture's clock (and, for PostgreSQL, the fixture's schema), capturing log messages.</summary>
public sealed class RetentionHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public RetentionHost(EventStoreFixture fixture, Action<RetentionOptions> configure)
    {
        _services = fixture.BuildServices(services =>
        {
            services.AddLogging(logging => logging.AddProvider(Logs));
            services.AddEventStreamRetention(configure);
        });
    }

    public IServiceProvider Services => _services;

    public LogCapture Logs { get; } = new();

    public IEventStreamStore Streams => _services.GetRequiredService<IEventStreamStore>();

    public IRetentionPolicyStore Policies => _services.GetRequiredService<IRetentionPolicyStore>();

    public IDeadLetterStore DeadLetters => _services.GetRequiredService<IDeadLetterStore>();

    public Task<RetentionResult> EnforceAsync() => _services.GetRequiredService<IRetentionEnforcer>().EnforceAsync();

    public Task<StreamMetadata> MetadataAsync(string stream) => Streams.GetStreamMetadataAsync(stream);

    /// <summary>Appends <paramref name="count"/> new events in batches of at most 500.</summary>
    public async Task AppendAsync(string stream, int count, string name = "e")
    {
        for (var done = 0; done < count; done += 500)
        {
            await Streams.AppendAsync(stream, Enumerable.Range(done, Math.Min(500, count - done))
                .Select(i => (ICorrelatedEvent)new TestEvent(name, i)).ToArray());
        }
    }

    public async Task<List<StoredEvent>> ReadAllAsync(string stream, long fromOffset = 0)
    {
        var all = new List<StoredEvent>();
        while (true)
        {
            var page = await Streams.ReadStreamAsync(stream, all.Count > 0 ? all[^1].Offset + 1 : fromOffset, 1_000);
            if (page.Count == 0)
            {
                return all;
            }

            all.AddRange(page);
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>Keeps every log message, to assert on what operators would see.</summary>
    public sealed class LogCapture : ILoggerProvider
    {
        public ConcurrentQueue<(EventId Id, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((eventId, formatter(state, exception)));
        }
    }
}
