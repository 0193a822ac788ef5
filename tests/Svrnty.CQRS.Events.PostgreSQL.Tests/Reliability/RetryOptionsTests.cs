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
    [InlineData(-1, 100, 2000, "Retry.MaxDuration")]
    [InlineData(301_000, 100, 2000, "Retry.MaxDuration")]
    [InlineData(15_000, -1, 2000, "Retry delays")]
    [InlineData(15_000, 500, 100, "Retry delays")]
    [InlineData(15_000, 100, 120_000, "Retry delays")]
    public void Retry_options_out_of_range_are_rejected_at_startup(int budgetMs, int baseMs, int maxMs, string expected)
    {
        var error = Validate(o => o.Retry = new PostgresRetryOptions
        {
            MaxDuration = TimeSpan.FromMilliseconds(budgetMs), BaseDelay = TimeSpan.FromMilliseconds(baseMs), MaxDelay = TimeSpan.FromMilliseconds(maxMs),
        });

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(3_600_001)]
    public void A_migration_lock_timeout_out_of_range_is_rejected_at_startup(int milliseconds)
    {
        var error = Validate(o => o.MigrationLockTimeout = TimeSpan.FromMilliseconds(milliseconds));

        Assert.Contains("MigrationLockTimeout", error.Message, StringComparison.Ordinal);
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

        // A failover: a statement sent to a server that is now a standby wrote nothing; no host is the primary yet while
        // a standby is promoted (Npgsql's multi-host error); both pass.
        Assert.True(TransientErrors.IsTransient(new PostgresException("cannot execute INSERT in a read-only transaction", "ERROR", "ERROR", PostgresErrorCodes.ReadOnlySqlTransaction)));
        Assert.True(TransientErrors.IsTransientAtOpen(new NpgsqlException("No suitable host was found.")));
        Assert.True(TransientErrors.IsTransientAtOpen(new NpgsqlException("Unable to connect to a suitable host.",
            new AggregateException(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))))));
        Assert.False(TransientErrors.IsTransientAtOpen(new PostgresException("password authentication failed", "FATAL", "FATAL", PostgresErrorCodes.InvalidPassword)));
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
