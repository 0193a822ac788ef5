using Microsoft.Extensions.Options;

namespace Svrnty.CQRS.Events.Grpc;

/// <summary>Checks <see cref="EventStreamingGrpcOptions"/> at startup.</summary>
internal sealed class EventStreamingGrpcOptionsValidator : IValidateOptions<EventStreamingGrpcOptions>
{
    public ValidateOptionsResult Validate(string? name, EventStreamingGrpcOptions options)
    {
        var failures = options.Validate().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
