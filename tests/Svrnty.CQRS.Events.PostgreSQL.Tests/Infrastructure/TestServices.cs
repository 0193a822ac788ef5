using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Svrnty.CQRS.Events.ContractTests;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

/// <summary>Builds service providers for the PostgreSQL-only tests, as an application would.</summary>
internal static class TestServices
{
    public static ServiceProvider Build(string connectionString, string schema, bool autoMigrate = true,
        Action<IServiceCollection>? configure = null, CapturingLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        services.AddPostgresEventStreaming(o =>
        {
            o.ConnectionString = connectionString;
            o.SchemaName = schema;
            o.AutoMigrate = autoMigrate;
        });
        configure?.Invoke(services);
        return services.BuildServiceProvider(validateScopes: true);
    }

    /// <summary>A provider on the test server in a new schema, its hosted services (the migration first) started.</summary>
    public static async Task<ServiceProvider> StartAsync()
    {
        var services = Build(await PostgresServer.GetConnectionStringAsync(), NewSchema());
        await EventStoreFixture.StartHostedServicesAsync(services);
        return services;
    }

    public static string NewSchema() => $"t_{Guid.NewGuid():N}";

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<List<string>> ColumnAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetValue(0).ToString()!);
        }

        return values;
    }
}

/// <summary>Keeps every log message, to assert on what operators would see.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}
