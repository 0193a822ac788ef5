using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Serialization;
using Wire = Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Service;

/// <summary>
/// The <c>svrnty.events.v1.EventStreaming</c> service over the contract interfaces, so it runs unchanged on any
/// backend. Request fields are validated here, under their wire names, before the store is called; the
/// <see cref="Errors.ErrorMappingInterceptor"/> turns exceptions into status codes. One partial file per area.
/// </summary>
internal sealed partial class EventStreamingService(
    IEventStreamStore store,
    IEventStreamLocator locator,
    IEventStreamSubscriber subscriber,
    IConsumerOffsetStore offsets,
    IDeadLetterStore deadLetters,
    EventSerializer serializer,
    TimeProvider time,
    IOptions<EventStreamingGrpcOptions> options,
    ILogger<EventStreamingService> logger) : Wire.EventStreaming.EventStreamingBase
{
    private readonly EventStreamingGrpcOptions _options = options.Value;
    private readonly WireEvents _events = new(serializer, time);
}
