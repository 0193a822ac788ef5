using Grpc.Core;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;
using Wire = Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Service;

internal sealed partial class EventStreamingService
{
    public override async Task<Wire.AppendResponse> Append(Wire.AppendRequest request, ServerCallContext context)
    {
        Argument.WritableName(request.StreamName, "stream_name");
        var @event = _events.ToStoreEvent(request.Event, "event");
        var offset = request.HasExpectedLength
            ? await store.AppendAsync(request.StreamName, [@event], Argument.NotNegative(request.ExpectedLength, "expected_length"),
                context.CancellationToken).ConfigureAwait(false)
            : await store.AppendAsync(request.StreamName, @event, context.CancellationToken).ConfigureAwait(false);
        return new Wire.AppendResponse { Offset = offset };
    }

    public override async Task<Wire.AppendResponse> AppendBatch(Wire.AppendBatchRequest request, ServerCallContext context)
    {
        Argument.WritableName(request.StreamName, "stream_name");
        var batch = ToStoreEvents(request.Events, "events");
        long? expectedLength = request.HasExpectedLength ? Argument.NotNegative(request.ExpectedLength, "expected_length") : null;
        var offset = await store.AppendAsync(request.StreamName, batch, expectedLength, context.CancellationToken).ConfigureAwait(false);
        return new Wire.AppendResponse { Offset = offset };
    }

    public override async Task ReadStream(Wire.ReadStreamRequest request, IServerStreamWriter<Wire.StoredEvent> responseStream, ServerCallContext context)
    {
        Argument.ReadableName(request.StreamName, "stream_name");
        var next = Argument.NotNegative(request.FromOffset, "from_offset");
        var remaining = Argument.NotNegative(request.MaxCount, "max_count") is 0 ? long.MaxValue : request.MaxCount;
        var cancellationToken = context.CancellationToken;
        while (remaining > 0)
        {
            var pageSize = (int)Math.Min(remaining, _options.PageSize);
            var page = await store.ReadStreamAsync(request.StreamName, next, pageSize, cancellationToken).ConfigureAwait(false);
            foreach (var stored in page)
            {
                await responseStream.WriteAsync(WireEvents.ToWire(stored), cancellationToken).ConfigureAwait(false);
            }

            if (page.Count < pageSize)
            {
                break; // the end of the stream as it was when this page was read
            }

            remaining -= page.Count;
            next = page[^1].Position + 1;
        }
    }

    public override async Task<Wire.StreamMetadata> GetStreamMetadata(Wire.GetStreamMetadataRequest request, ServerCallContext context)
    {
        Argument.ReadableName(request.StreamName, "stream_name");
        var metadata = await store.GetStreamMetadataAsync(request.StreamName, context.CancellationToken).ConfigureAwait(false);
        var wire = new Wire.StreamMetadata
        {
            StreamName = metadata.StreamName,
            Exists = metadata.Exists,
            Length = metadata.Length,
            RetainedCount = metadata.RetainedCount,
            OldestEventTimestamp = ToTimestamp(metadata.OldestEventTimestamp),
            NewestEventTimestamp = ToTimestamp(metadata.NewestEventTimestamp),
        };
        if (metadata.OldestEventOffset is { } oldest)
        {
            wire.OldestEventOffset = oldest;
        }

        if (metadata.NewestEventOffset is { } newest)
        {
            wire.NewestEventOffset = newest;
        }

        return wire;
    }

    public override async Task<Wire.GetStreamLengthResponse> GetStreamLength(Wire.GetStreamLengthRequest request, ServerCallContext context)
    {
        Argument.ReadableName(request.StreamName, "stream_name");
        var length = await store.GetStreamLengthAsync(request.StreamName, context.CancellationToken).ConfigureAwait(false);
        return new Wire.GetStreamLengthResponse { Length = length };
    }

    private static Google.Protobuf.WellKnownTypes.Timestamp? ToTimestamp(DateTimeOffset? value) =>
        value is { } v ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(v) : null;
}
