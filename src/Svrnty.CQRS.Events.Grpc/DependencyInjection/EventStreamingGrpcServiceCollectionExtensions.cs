using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Grpc;
using Svrnty.CQRS.Events.Grpc.Errors;
using Svrnty.CQRS.Events.Grpc.Service;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the gRPC endpoints of Svrnty.CQRS.Events.</summary>
public static class EventStreamingGrpcServiceCollectionExtensions
{
    /// <summary>
    /// Registers gRPC (<c>AddGrpc()</c>) and the <c>svrnty.events.v1.EventStreaming</c> service with its error mapping.
    /// Register a backend too (<c>AddInMemoryEventStorage()</c> or <c>AddPostgresEventStreaming(...)</c>), then map the
    /// endpoints with <c>app.MapEventStreamingGrpc()</c>, and protect them (docs/grpc.md). Safe to call twice.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddEventStreamingGrpc(this IServiceCollection services) =>
        services.AddEventStreamingGrpc(static _ => { });

    /// <summary>
    /// Registers gRPC (<c>AddGrpc()</c>) and the <c>svrnty.events.v1.EventStreaming</c> service with its error mapping,
    /// with options. Safe to call twice; every <paramref name="configure"/> given is applied, in order.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options (page size, subscription poll interval).</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddEventStreamingGrpc(this IServiceCollection services, Action<EventStreamingGrpcOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddGrpc();
        services.AddOptions<EventStreamingGrpcOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventStreamingGrpcOptions>, EventStreamingGrpcOptionsValidator>());
        services.TryAddSingleton<ErrorMappingInterceptor>();
        if (!services.Any(d => d.ServiceType == typeof(EventStreamingGrpcMarker)))
        {
            // The interceptor applies to this service only, not to the application's other gRPC services.
            services.AddSingleton<EventStreamingGrpcMarker>();
            services.Configure<GrpcServiceOptions<EventStreamingService>>(o => o.Interceptors.Add<ErrorMappingInterceptor>());
        }

        return services;
    }
}

/// <summary>Marks that <see cref="EventStreamingGrpcServiceCollectionExtensions.AddEventStreamingGrpc(IServiceCollection)"/>
/// was called.</summary>
internal sealed class EventStreamingGrpcMarker;
