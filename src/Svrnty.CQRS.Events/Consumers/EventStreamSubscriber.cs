using System.Runtime.CompilerServices;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>The <see cref="IEventStreamSubscriber"/> of every backend.</summary>
internal sealed class EventStreamSubscriber(StreamFollower follower) : IEventStreamSubscriber
{
    public IAsyncEnumerable<StoredEvent> SubscribeAsync(string streamName, string consumerGroup, SubscriptionOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.Name(consumerGroup, nameof(consumerGroup));
        options ??= new SubscriptionOptions();
        Argument.MaxCount(options.PageSize, nameof(options));
        if (options.PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("PollInterval must be positive.", nameof(options));
        }

        return SubscribeCoreAsync(streamName, consumerGroup, options, cancellationToken);
    }

    private async IAsyncEnumerable<StoredEvent> SubscribeCoreAsync(string streamName, string consumerGroup, SubscriptionOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = await follower.ResolveStartAsync(streamName, consumerGroup, options.Start, cancellationToken).ConfigureAwait(false);
        await foreach (var page in follower.PagesAsync(streamName, consumerGroup, next, options.PageSize, options.PollInterval, cancellationToken)
                           .ConfigureAwait(false))
        {
            foreach (var storedEvent in page)
            {
                yield return storedEvent;
            }
        }
    }
}
