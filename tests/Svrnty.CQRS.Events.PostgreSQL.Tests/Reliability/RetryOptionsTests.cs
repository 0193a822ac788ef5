using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Svrnty.CQRS.Events.PostgreSQL.Execution;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Reliability;

/// <summary>The retry and least-privilege options are validated at startup, and the retry classifies errors as documented.</summary>
public sealed class RetryOptionsTests
{
    [Theory]
    [InlineData(0, 100, 2000, "Retry.MaxAttempts")]
    [InlineData(11, 100, 2000, "Retry.MaxAttempts")]
    [InlineData(3, -1, 2000, "Retry delays")]
    [InlineData(3, 500, 100, "Retry delays")]
    [InlineData(3, 100, 120_000, "Retry delays")]
    public void Retry_options_out_of_range_are_rejected_at_startup(int attempts, int baseMs, int maxMs, string expected)
    {
        var error = Validate(o => o.Retry = new PostgresRetryOptions
        {
            MaxAttempts = attempts, BaseDelay = TimeSpan.FromMilliseconds(baseMs), MaxDelay = TimeSpan.FromMilliseconds(maxMs),
        });

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_migration_connection_string_is_rejected_without_echoing_the_password()
    {
        var error = Validate(o => o.MigrationConnectionString = "Host=localhost;Password=ddl-s3cr3t;Bogus Keyword=1");

        Assert.Contains("MigrationConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ddl-s3cr3t", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_losses_are_retried_and_timeouts_and_statement_errors_are_not()
    {
        Assert.True(TransientErrors.IsTransient(new NpgsqlException("Exception while reading from stream", new IOException("reset"))));
        Assert.True(TransientErrors.IsTransient(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(TransientErrors.IsTransient(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown)));
        Assert.True(TransientErrors.IsTransient(new PostgresException("the database system is starting up", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow)));
        Assert.False(TransientErrors.IsTransient(new NpgsqlException("The connection pool has been exhausted", new TimeoutException())));
        Assert.False(TransientErrors.IsTransient(new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)));
        Assert.False(TransientErrors.IsTransient(new PostgresException("3", "ERROR", "ERROR", "SVC01")));
    }

    private static OptionsValidationException Validate(Action<PostgresEventStreamingOptions> configure)
    {
        using var services = new ServiceCollection().AddPostgresEventStreaming(o =>
        {
            o.ConnectionString = "Host=localhost";
            configure(o);
        }).BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PostgresEventStreamingOptions>>().Value);
    }
}
