using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.PostgreSQL.Configuration;
using Svrnty.CQRS.Events.PostgreSQL.Consumers;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;
using Svrnty.CQRS.Events.PostgreSQL.Offsets;
using Svrnty.CQRS.Events.PostgreSQL.Queues;
using Svrnty.CQRS.Events.PostgreSQL.Execution;
using Svrnty.CQRS.Events.PostgreSQL.Retention;
using Svrnty.CQRS.Events.PostgreSQL.Streams;
using Svrnty.CQRS.Events.Retention;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL backend of Svrnty.CQRS.Events.</summary>
public static class PostgresEventStreamingServiceCollectionExtensions
{
    /// <summary>Registers the PostgreSQL backend with a connection string and the default options
    /// (<c>AutoMigrate = true</c>, schema <c>event_streaming</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddPostgresEventStreaming(this IServiceCollection services, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddPostgresEventStreaming(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Registers every contract interface (<see cref="IEventStreamStore"/> with <see cref="IEventStreamWriter"/>,
    /// <see cref="IEventStreamReader"/> and <see cref="IEventQueue"/>, <see cref="IConsumerOffsetStore"/>,
    /// <see cref="IDeadLetterStore"/>, <see cref="IStreamConfigurationStore"/>, <see cref="IRetentionPolicyStore"/>) as
    /// PostgreSQL singletons, what the hosted consumers need (<see cref="IParkedEventStore"/>,
    /// <see cref="IQueueLeaseExtender"/>, <see cref="IEventStreamLocator"/>, LISTEN/NOTIFY change notifications,
    /// advisory-lock consumer-group locks), the <see cref="DatabaseMigrator"/>, and the <see cref="MigrationHostedService"/> ahead of
    /// every other hosted service. Uses <c>TryAdd</c>, so an interface registered before is kept; safe to call twice.
    /// Options are validated at startup.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; leave <see cref="PostgresEventStreamingOptions.ConnectionString"/> null
    /// to use an <c>NpgsqlDataSource</c> the application registered.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddPostgresEventStreaming(this IServiceCollection services, Action<PostgresEventStreamingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddEventStreamingCore();
        services.AddOptions<PostgresEventStreamingOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresEventStreamingOptions>, PostgresEventStreamingOptionsValidator>());

        services.TryAddSingleton<PostgresDatabase>();
        services.TryAddSingleton<SchemaVersionGuard>();
        services.TryAddSingleton<PostgresExecutor>();
        services.TryAddSingleton(sp => new DatabaseMigrator(
            sp.GetRequiredService<PostgresDatabase>(),
            sp.GetRequiredService<SchemaVersionGuard>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DatabaseMigrator>>(),
            payloadIndex: sp.GetRequiredService<IOptions<PostgresEventStreamingOptions>>().Value.EnablePayloadIndex,
            lockTimeout: sp.GetRequiredService<IOptions<PostgresEventStreamingOptions>>().Value.MigrationLockTimeout));
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(MigrationHostedService)))
        {
            // First, so that consumers and other hosted services start on an up-to-date schema.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, MigrationHostedService>());
        }

        services.AddEventStoreBackend<PostgresEventStreamStore, PostgresEventQueue>();
        services.TryAddSingleton<IPostgresEventBatchWriter>(sp => sp.GetRequiredService<PostgresEventStreamStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LogSequencerService>());
        services.TryAddSingleton<IDeadLetterStore, PostgresDeadLetterStore>();
        services.TryAddSingleton<IConsumerOffsetStore, PostgresConsumerOffsetStore>();
        services.TryAddSingleton<IStreamConfigurationStore, PostgresStreamConfigurationStore>();
        services.TryAddSingleton<IRetentionPolicyStore, PostgresRetentionPolicyStore>();
        services.TryAddSingleton<IParkedEventStore, PostgresParkedEventStore>();
        services.TryAddSingleton<IStreamChangeNotifier, PostgresChangeNotifier>();
        services.TryAddSingleton<IConsumerGroupLock, PostgresConsumerGroupLock>();
        services.TryAddSingleton<IConsumerTransactionFactory, PostgresConsumerTransactions>();
        services.TryAddSingleton<IRetentionBackend, PostgresRetentionBackend>();
        services.TryAddSingleton<Svrnty.CQRS.Events.Diagnostics.IEventStoreHealthProbe, PostgresHealthProbe>();
        return services;
    }
}
