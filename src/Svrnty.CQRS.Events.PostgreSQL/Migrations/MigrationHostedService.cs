using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Svrnty.CQRS.Events.PostgreSQL.Migrations;

/// <summary>
/// Applies pending migrations at startup when <see cref="PostgresEventStreamingOptions.AutoMigrate"/> is true. It is
/// registered before every other hosted service, so consumers start on an up-to-date schema; a failed migration fails
/// startup.
/// </summary>
public sealed class MigrationHostedService : IHostedService
{
    private readonly DatabaseMigrator _migrator;
    private readonly IOptions<PostgresEventStreamingOptions> _options;

    /// <summary>Creates the service.</summary>
    /// <param name="migrator">The migrator.</param>
    /// <param name="options">The backend's options.</param>
    public MigrationHostedService(DatabaseMigrator migrator, IOptions<PostgresEventStreamingOptions> options)
    {
        _migrator = migrator;
        _options = options;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) =>
        _options.Value.AutoMigrate ? _migrator.MigrateAsync(cancellationToken) : Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
