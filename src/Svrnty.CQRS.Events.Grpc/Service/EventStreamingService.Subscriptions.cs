using System.Globalization;
using Grpc.Core;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;
using Wire = Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Service;

internal sealed partial class EventStreamingService
{
    public override async Task Subscribe(Wire.SubscribeRequest request, IServerStreamWriter<Wire.StoredEvent> responseStream, ServerCallContext context)
    {
        Argument.ReadableName(request.StreamName, "stream_name");
        var group = request.HasConsumerGroup ? Argument.Name(request.ConsumerGroup, "consumer_group") : null;
        var cancellationToken = context.CancellationToken;
        var start = await ResolveStartAsync(request, group, cancellationToken).ConfigureAwait(false);

        // The headers tell the client the subscription is in place: from here on, no append at or after the start is missed.
        await context.WriteResponseHeadersAsync(new Metadata
        {
            { EventStreamingGrpcMetadata.StartOffset, start.ToString(CultureInfo.InvariantCulture) },
        }).ConfigureAwait(false);

        // A subscription without a group reads under a group name of its own that never commits.
        var subscriptionGroup = group ?? $"$grpc-{Guid.NewGuid():N}";
        var subscriptionOptions = new SubscriptionOptions
        {
            Start = SubscriptionStart.AtOffset(start),
            PageSize = _options.PageSize,
            PollInterval = _options.SubscriptionPollInterval,
        };
        Log.SubscriptionStarted(logger, request.StreamName, subscriptionGroup, start);
        var delivered = 0L;
        try
        {
            await foreach (var stored in subscriber.SubscribeAsync(request.StreamName, subscriptionGroup, subscriptionOptions, cancellationToken)
                               .ConfigureAwait(false))
            {
                await responseStream.WriteAsync(WireEvents.ToWire(stored), cancellationToken).ConfigureAwait(false);
                delivered++;
            }
        }
        finally
        {
            Log.SubscriptionEnded(logger, request.StreamName, subscriptionGroup, delivered);
        }
    }

    /// <summary>The first offset the subscription will deliver: from the group's committed offset, or where the request
    /// says a subscription without one starts, and never below the oldest event retention has kept.</summary>
    private async Task<long> ResolveStartAsync(Wire.SubscribeRequest request, string? group, CancellationToken cancellationToken)
    {
        // Checked before any I/O, whether or not the group has committed.
        var fromOffset = Argument.NotNegative(request.FromOffset, "from_offset");
        var kind = request.Start;
        if (kind is not (Wire.SubscriptionStart.Beginning or Wire.SubscriptionStart.End or Wire.SubscriptionStart.Offset or Wire.SubscriptionStart.Timestamp))
        {
            throw new ArgumentException($"Unknown start {(int)kind}.", "start");
        }

        if (kind is Wire.SubscriptionStart.Timestamp && request.FromTimestamp is null)
        {
            throw new ArgumentException("from_timestamp is required with SUBSCRIPTION_START_TIMESTAMP.", "from_timestamp");
        }

        var fromTimestamp = request.FromTimestamp is null ? default : WireEvents.ToDateTimeOffset(request.FromTimestamp, "from_timestamp");
        long start;
        if (group is not null && await offsets.GetOffsetAsync(request.StreamName, group, cancellationToken).ConfigureAwait(false) is { } committed)
        {
            start = committed;
        }
        else
        {
            switch (kind)
            {
                case Wire.SubscriptionStart.End:
                    return await store.GetStreamLengthAsync(request.StreamName, cancellationToken).ConfigureAwait(false);
                case Wire.SubscriptionStart.Timestamp:
                    return await locator.FindOffsetAsync(request.StreamName, fromTimestamp, cancellationToken).ConfigureAwait(false);
                default:
                    start = kind is Wire.SubscriptionStart.Offset ? fromOffset : 0;
                    break;
            }
        }

        // Retention may have deleted the events before the start: the first one delivered is then the oldest retained
        // (or, with none retained, the next one appended), and that is the offset the header announces. One event is
        // read to learn it (the metadata would count the whole stream on PostgreSQL logs); the length only when none is.
        var first = await store.ReadStreamAsync(request.StreamName, start, 1, cancellationToken).ConfigureAwait(false);
        return first.Count > 0
            ? first[0].Position
            : Math.Max(start, await store.GetStreamLengthAsync(request.StreamName, cancellationToken).ConfigureAwait(false));
    }
}
