using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>Checks a hosted stream consumer's named options at startup, with messages naming the option and the consumer.</summary>
internal sealed class EventStreamConsumerOptionsValidator : IValidateOptions<EventStreamConsumerOptions>
{
    public ValidateOptionsResult Validate(string? name, EventStreamConsumerOptions options)
    {
        var failures = new ConsumerOptionFailures("stream", name);
        if (options.BatchSize is < 1 or > Argument.MaxReadCount)
        {
            failures.Add(nameof(options.BatchSize), $"must be between 1 and {Argument.MaxReadCount}; it is {options.BatchSize}.");
        }

        if (options.MaxAttempts < 1)
        {
            failures.Add(nameof(options.MaxAttempts), $"must be at least 1; it is {options.MaxAttempts}.");
        }

        failures.Positive(nameof(options.PollInterval), options.PollInterval);
        failures.Positive(nameof(options.TakeoverInterval), options.TakeoverInterval);
        if (options.RetryDelay < TimeSpan.Zero)
        {
            failures.Add(nameof(options.RetryDelay), $"must not be negative; it is {options.RetryDelay}.");
        }

        if (options.MaxRetryDelay < options.RetryDelay)
        {
            failures.Add(nameof(options.MaxRetryDelay), $"must be at least RetryDelay ({options.RetryDelay}); it is {options.MaxRetryDelay}.");
        }

        if (options.Start is null)
        {
            failures.Add(nameof(options.Start), "must not be null.");
        }

        if (!Enum.IsDefined(options.OnFailure))
        {
            failures.Add(nameof(options.OnFailure), $"must be Park or Stop; it is {options.OnFailure}.");
        }

        return failures.Result;
    }
}

/// <summary>Checks a hosted queue consumer's named options at startup, with messages naming the option and the consumer.</summary>
internal sealed class QueueConsumerOptionsValidator : IValidateOptions<QueueConsumerOptions>
{
    public const int MaxConcurrency = 256;

    public ValidateOptionsResult Validate(string? name, QueueConsumerOptions options)
    {
        var failures = new ConsumerOptionFailures("queue", name);
        if (options.Concurrency is < 1 or > MaxConcurrency)
        {
            failures.Add(nameof(options.Concurrency), $"must be between 1 and {MaxConcurrency}; it is {options.Concurrency}.");
        }

        if (options.VisibilityTimeout <= TimeSpan.Zero || options.VisibilityTimeout > Argument.MaxVisibilityTimeout)
        {
            failures.Add(nameof(options.VisibilityTimeout), $"must be positive and at most {Argument.MaxVisibilityTimeout}; it is {options.VisibilityTimeout}.");
        }

        if (options.RedeliveryDelay < TimeSpan.Zero || options.RedeliveryDelay > Argument.MaxVisibilityTimeout)
        {
            failures.Add(nameof(options.RedeliveryDelay), $"must be between zero and {Argument.MaxVisibilityTimeout}; it is {options.RedeliveryDelay}.");
        }

        failures.Positive(nameof(options.PollInterval), options.PollInterval);
        if (options.ConsumerIdPrefix is { } prefix)
        {
            try
            {
                Argument.Name(prefix, nameof(options.ConsumerIdPrefix));
            }
            catch (ArgumentException e)
            {
                failures.Add(nameof(options.ConsumerIdPrefix), $"is not a valid name: {e.Message}");
            }

            if (QueueConsumerIds.MaxLength(prefix, options.Concurrency) is var length && length > Argument.MaxNameLength && prefix.Length <= Argument.MaxNameLength)
            {
                failures.Add(nameof(options.ConsumerIdPrefix), $"is too long: the consumer ids made from it (prefix-instance-worker, " +
                    $"{options.Concurrency} workers) are up to {length} characters long, and must be at most {Argument.MaxNameLength}.");
            }
        }

        if (options.MaxDeliveryAttempts is < 1)
        {
            failures.Add(nameof(options.MaxDeliveryAttempts), $"must be at least 1, or null to keep the queue's setting; it is {options.MaxDeliveryAttempts}.");
        }

        return failures.Result;
    }
}

/// <summary>Failure messages of the form "QueueConsumerOptions 'emails/App.Sender': Concurrency must be ...".</summary>
internal sealed class ConsumerOptionFailures(string kind, string? name)
{
    private readonly List<string> _failures = [];

    public ValidateOptionsResult Result => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    public void Add(string option, string problem) => _failures.Add($"The {kind} consumer '{name}': {option} {problem}");

    public void Positive(string option, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            Add(option, $"must be positive; it is {value}.");
        }
    }
}
