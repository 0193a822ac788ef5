using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Serialization;
using Wire = Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Service;

/// <summary>
/// The <c>svrnty.events.v1.EventStreaming</c> service over the contract interfaces, so it runs unchanged on any
/// backend. Request fields are validated here, under their wire names, before the store is called; the
/// <see cref="Errors.ErrorMappingInterceptor"/> turns exceptions into status codes, and a request that is not a valid
/// message gets <c>INVALID_ARGUMENT</c> from <see cref="Errors.MalformedRequestBinder"/>. One partial file per area.
/// </summary>
[BindServiceMethod(typeof(EventStreamingService), nameof(BindService))]
internal sealed partial class EventStreamingService(
    IEventStreamStore store,
    IEventStreamLocator locator,
    IEventStreamSubscriber subscriber,
    IConsumerOffsetStore offsets,
    IDeadLetterStore deadLetters,
    TimeProvider time,
    EventSerializer serializer,
    IOptions<EventStreamingGrpcOptions> options,
    ILogger<EventStreamingService> logger) : Wire.EventStreaming.EventStreamingBase
{
    private readonly EventStreamingGrpcOptions _options = options.Value;
    private readonly WireEvents _events = new(time, serializer);

    /// <summary>Binds the generated methods, with request marshallers that map a malformed body to
    /// <c>INVALID_ARGUMENT</c>. grpc-dotnet finds this method through the attribute on this class.</summary>
    /// <param name="serviceBinder">grpc-dotnet's binder.</param>
    /// <param name="service">The service instance, null when grpc-dotnet only discovers the methods.</param>
    public static void BindService(ServiceBinderBase serviceBinder, Wire.EventStreaming.EventStreamingBase? service) =>
        Wire.EventStreaming.BindService(new Errors.MalformedRequestBinder(serviceBinder), service!);
}
