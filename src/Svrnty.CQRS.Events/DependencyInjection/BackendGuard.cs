using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Fails a hosted consumer's creation at startup, with the registration to add, when no backend is registered
/// (instead of the container's "Unable to resolve service for type StreamFollower").</summary>
internal static class BackendGuard
{
    public static void Require(IServiceProvider services, string consumer)
    {
        var registered = services.GetService<IServiceProviderIsService>() is { } isService
            ? isService.IsService(typeof(IEventStreamStore)) && isService.IsService(typeof(StreamFollower))
            : services.GetService<IEventStreamStore>() is not null;
        if (!registered)
        {
            throw new InvalidOperationException(
                $"{consumer} needs an event-streaming backend, and none is registered: call services.AddInMemoryEventStorage() " +
                "(package Svrnty.CQRS.Events.InMemory) or services.AddPostgresEventStreaming(...) (package Svrnty.CQRS.Events.PostgreSQL).");
        }
    }
}
