using Microsoft.Extensions.Options;

namespace Svrnty.CQRS.Events.Retention;

/// <summary>Checks <see cref="RetentionOptions"/> at startup, with messages that say what to fix.</summary>
internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var failures = new List<string>();
        if (options.Interval <= TimeSpan.Zero || options.Interval > RetentionOptions.MaxInterval)
        {
            failures.Add($"Interval must be positive and at most {RetentionOptions.MaxInterval}; it is {options.Interval}.");
        }

        if (options.BatchSize is < 1 or > RetentionOptions.MaxBatchSize)
        {
            failures.Add($"BatchSize must be between 1 and {RetentionOptions.MaxBatchSize}; it is {options.BatchSize}.");
        }

        if (options.DeadLetterMaxAge is { } age && age <= TimeSpan.Zero)
        {
            failures.Add($"DeadLetterMaxAge must be positive, or null to keep dead letters; it is {age}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
