using Svrnty.CQRS.Events.Abstractions;

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

    /// <summary>How many times a message is delivered before it goes to the dead-letter queue; applied to the queue's
    /// <see cref="StreamConfiguration.MaxDeliveryAttempts"/> (through <see cref="IStreamConfigurationStore"/>) at startup,
    /// before the consumers start. Null leaves the queue's configuration as it is.</summary>
    /// <value>Default: null (the queue's setting, <see cref="StreamConfiguration.DefaultMaxDeliveryAttempts"/> unless set).</value>
    public int? MaxDeliveryAttempts { get; set; }

    /// <summary>The name of a queue consumer's options: the consumer's registration key, for
    /// <c>services.Configure&lt;QueueConsumerOptions&gt;(name, ...)</c> or <c>IOptionsMonitor.Get(name)</c>.</summary>
    /// <param name="queueName">The consumed queue.</param>
    /// <param name="handlerType">The handler type.</param>
    /// <returns><c>"{queueName}/{handlerType.FullName}"</c>.</returns>
    public static string NameFor(string queueName, Type handlerType)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        ArgumentNullException.ThrowIfNull(handlerType);
        return $"{queueName}/{handlerType.FullName}";
    }
}
