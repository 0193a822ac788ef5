using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Retention;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers retention enforcement of Svrnty.CQRS.Events.</summary>
public static class RetentionServiceCollectionExtensions
{
    /// <summary>
    /// Enforces retention policies: registers <see cref="IRetentionEnforcer"/> and a hosted service that runs it every
    /// <see cref="RetentionOptions.Interval"/>. Policies come from <paramref name="configure"/>
    /// (<see cref="RetentionOptions.AddRetentionPolicy(Svrnty.CQRS.Events.Abstractions.RetentionPolicy)"/>) and from
    /// <see cref="IRetentionPolicyStore"/> at runtime, which wins for a name it holds. Needs a backend
    /// (<c>AddInMemoryEventStorage()</c> or <c>AddPostgresEventStreaming(...)</c>). Safe to call more than once: each
    /// call's <paramref name="configure"/> applies, the service is registered once. Options are validated at startup.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds policies and sets the interval, batch size and dead-letter age; may be null.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddEventStreamRetention(this IServiceCollection services, Action<RetentionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddEventStreamingCore();
        var options = services.AddOptions<RetentionOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.TryAddSingleton<IRetentionEnforcer>(sp => new RetentionEnforcer(
            sp.GetService<IRetentionBackend>() ?? throw new InvalidOperationException(
                "Retention needs an event-streaming backend: call AddInMemoryEventStorage() or AddPostgresEventStreaming(...)."),
            sp.GetRequiredService<IRetentionPolicyStore>(),
            sp.GetRequiredService<IOptions<RetentionOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Svrnty.CQRS.Events.Diagnostics.EventStreamingTelemetry>(),
            sp.GetRequiredService<Logging.ILogger<RetentionEnforcer>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RetentionHostedService>());
        return services;
    }
}
