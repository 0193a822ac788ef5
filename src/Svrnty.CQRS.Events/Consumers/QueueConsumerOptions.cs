namespace Svrnty.CQRS.Events.Consumers;

/// <summary>How a hosted queue consumer leases, handles and gives back messages.</summary>
public sealed class QueueConsumerOptions
{
    /// <summary>How many messages are handled at once (one worker each).</summary>
    /// <value>Default: 1.</value>
    public int Concurrency { get; set; } = 1;

    /// <summary>The lease taken on each message; it is extended while the handler runs.</summary>
    /// <value>Default: 30 seconds.</value>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a failed message waits before it is redelivered; zero redelivers it at once.</summary>
    /// <value>Default: zero.</value>
    public TimeSpan RedeliveryDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long an idle worker waits for a notification before it looks again anyway.</summary>
    /// <value>Default: 1 second.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A prefix for the consumer ids of the workers, which appear as the holder of leased messages.</summary>
    /// <value>Default: the machine name and process id.</value>
    public string? ConsumerIdPrefix { get; set; }

    internal void Validate()
    {
        if (Concurrency is < 1 or > 256)
        {
            throw new ArgumentException($"Concurrency must be between 1 and 256; got {Concurrency}.", nameof(Concurrency));
        }

        Validation.Argument.VisibilityTimeout(VisibilityTimeout, nameof(VisibilityTimeout));
        if (RedeliveryDelay < TimeSpan.Zero || RedeliveryDelay > Validation.Argument.MaxVisibilityTimeout)
        {
            throw new ArgumentException($"RedeliveryDelay must be between zero and {Validation.Argument.MaxVisibilityTimeout}.", nameof(RedeliveryDelay));
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"PollInterval must be positive; got {PollInterval}.", nameof(PollInterval));
        }

        if (ConsumerIdPrefix is not null)
        {
            Validation.Argument.Name(ConsumerIdPrefix, nameof(ConsumerIdPrefix));
        }
    }
}
