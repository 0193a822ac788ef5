using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Grpc;

/// <summary>How the gRPC endpoints read streams.</summary>
public sealed class EventStreamingGrpcOptions
{
    /// <summary>How many events <c>ReadStream</c> and <c>Subscribe</c> read from the store per round trip; also the most
    /// one call holds in memory.</summary>
    /// <value>Default: 500. 1 to 10,000.</value>
    public int PageSize { get; set; } = 500;

    /// <summary>How long a caught-up <c>Subscribe</c> call waits for an append notification before it reads again
    /// anyway (the safety net for a lost notification).</summary>
    /// <value>Default: 1 second. Positive.</value>
    public TimeSpan SubscriptionPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal IEnumerable<string> Validate()
    {
        if (PageSize is < 1 or > Argument.MaxReadCount)
        {
            yield return $"{nameof(PageSize)} must be between 1 and {Argument.MaxReadCount}; got {PageSize}.";
        }

        if (SubscriptionPollInterval <= TimeSpan.Zero)
        {
            yield return $"{nameof(SubscriptionPollInterval)} must be positive; got {SubscriptionPollInterval}.";
        }
    }
}
