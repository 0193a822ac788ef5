using Grpc.Core;
using Svrnty.CQRS.Events.Validation;
using Wire = Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Service;

internal sealed partial class EventStreamingService
{
    public override async Task<Wire.CommitOffsetResponse> CommitOffset(Wire.CommitOffsetRequest request, ServerCallContext context)
    {
        CheckGroupKey(request.StreamName, request.ConsumerGroup);
        var nextOffset = Argument.NotNegative(request.NextOffset, "next_offset");
        await offsets.CommitOffsetAsync(request.StreamName, request.ConsumerGroup, nextOffset, context.CancellationToken).ConfigureAwait(false);
        return new Wire.CommitOffsetResponse();
    }

    public override async Task<Wire.ResetOffsetResponse> ResetOffset(Wire.ResetOffsetRequest request, ServerCallContext context)
    {
        CheckGroupKey(request.StreamName, request.ConsumerGroup);
        var nextOffset = Argument.NotNegative(request.NextOffset, "next_offset");
        await offsets.ResetOffsetAsync(request.StreamName, request.ConsumerGroup, nextOffset, context.CancellationToken).ConfigureAwait(false);
        return new Wire.ResetOffsetResponse();
    }

    public override async Task<Wire.GetOffsetResponse> GetOffset(Wire.GetOffsetRequest request, ServerCallContext context)
    {
        CheckGroupKey(request.StreamName, request.ConsumerGroup);
        var committed = await offsets.GetOffsetAsync(request.StreamName, request.ConsumerGroup, context.CancellationToken).ConfigureAwait(false);
        var response = new Wire.GetOffsetResponse();
        if (committed is { } nextOffset)
        {
            response.NextOffset = nextOffset;
        }

        return response;
    }

    public override async Task<Wire.ListOffsetsResponse> ListOffsets(Wire.ListOffsetsRequest request, ServerCallContext context)
    {
        Argument.ReadableName(request.StreamName, "stream_name");
        var all = await offsets.GetOffsetsAsync(request.StreamName, context.CancellationToken).ConfigureAwait(false);
        var response = new Wire.ListOffsetsResponse();
        response.Offsets.AddRange(all.Select(o => new Wire.ConsumerOffset
        {
            StreamName = o.StreamName,
            ConsumerGroup = o.ConsumerGroup,
            NextOffset = o.NextOffset,
            UpdatedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(o.UpdatedAt),
        }));
        return response;
    }

    private static void CheckGroupKey(string streamName, string consumerGroup)
    {
        Argument.ReadableName(streamName, "stream_name");
        Argument.Name(consumerGroup, "consumer_group");
    }
}
