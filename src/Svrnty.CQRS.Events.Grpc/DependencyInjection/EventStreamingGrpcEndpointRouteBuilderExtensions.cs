using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Grpc.Service;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the gRPC endpoints of Svrnty.CQRS.Events.</summary>
public static class EventStreamingGrpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the <c>svrnty.events.v1.EventStreaming</c> gRPC service (every method under
    /// <c>/svrnty.events.v1.EventStreaming/</c>). These endpoints read and write every stream and queue: protect them,
    /// e.g. <c>app.MapEventStreamingGrpc().RequireAuthorization("event-streaming")</c> (docs/grpc.md).
    /// </summary>
    /// <param name="endpoints">The application's endpoint route builder.</param>
    /// <returns>The endpoint convention builder, to add authorization, CORS, rate limiting or other conventions.</returns>
    /// <exception cref="InvalidOperationException"><c>AddEventStreamingGrpc()</c> or a backend was not registered.</exception>
    public static GrpcServiceEndpointConventionBuilder MapEventStreamingGrpc(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        if (services.GetService<EventStreamingGrpcMarker>() is null)
        {
            throw new InvalidOperationException(
                "The event-streaming gRPC services are not registered: call builder.Services.AddEventStreamingGrpc() before app.MapEventStreamingGrpc().");
        }

        var registered = services.GetRequiredService<IServiceProviderIsService>();
        if (!registered.IsService(typeof(IEventStreamStore)) || !registered.IsService(typeof(IConsumerOffsetStore)) ||
            !registered.IsService(typeof(IDeadLetterStore)) || !registered.IsService(typeof(IEventStreamLocator)))
        {
            throw new InvalidOperationException(
                "No event-streaming backend is registered: call builder.Services.AddInMemoryEventStorage() or AddPostgresEventStreaming(...).");
        }

        return endpoints.MapGrpcService<EventStreamingService>();
    }
}
