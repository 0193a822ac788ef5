using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Svrnty.CQRS.Events.Sample.Tests;

/// <summary>
/// The sample application, started once per test class as <c>dotnet run</c> starts it (same Program, same
/// appsettings.json), on one backend. The retention policy of the <c>activity</c> stream is shortened to
/// <see cref="ActivityMaxEvents"/> and its timer pushed far away, so a test enforces retention when it wants.
/// </summary>
public abstract class SampleApp : IAsyncLifetime
{
    public const int ActivityMaxEvents = 5;

    private WebApplicationFactory<Program>? _factory;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Part of the name of the store the app must have registered (checks that the connection string took).</summary>
    public abstract string ExpectedStore { get; }

    /// <summary>The value of ConnectionStrings:EventStreaming, or null for the in-memory default.</summary>
    protected abstract Task<string?> GetConnectionStringAsync();

    public async Task InitializeAsync()
    {
        var connectionString = await GetConnectionStringAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            if (connectionString is not null)
            {
                web.UseSetting("ConnectionStrings:EventStreaming", connectionString);
            }

            web.UseSetting("Retention:ActivityMaxEvents", ActivityMaxEvents.ToString(System.Globalization.CultureInfo.InvariantCulture));
            web.UseSetting("Retention:Interval", "01:00:00");
            web.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
        Client = _factory.CreateClient(); // starts the host: migrations (PostgreSQL), then the consumers
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

/// <summary>The sample as <c>dotnet run</c> starts it: in memory.</summary>
public sealed class InMemorySampleApp : SampleApp
{
    public override string ExpectedStore => "InMemory";

    protected override Task<string?> GetConnectionStringAsync() => Task.FromResult<string?>(null);
}

/// <summary>The sample on PostgreSQL: a new database of its own on the test server, migrated at startup.</summary>
public sealed class PostgresSampleApp : SampleApp
{
    public override string ExpectedStore => "Postgres";

    protected override async Task<string?> GetConnectionStringAsync() => await PostgresServer.CreateDatabaseAsync();
}
