using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>At startup, before the queue consumers, sets each consumed queue's
/// <see cref="StreamConfiguration.MaxDeliveryAttempts"/> from <see cref="QueueConsumerOptions.MaxDeliveryAttempts"/>
/// where a consumer sets it.</summary>
internal sealed class QueueDeliveryLimits(
    IServiceProvider services,
    IEnumerable<QueueConsumerRegistration> registrations,
    IOptionsMonitor<QueueConsumerOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var limits = new Dictionary<string, (int Max, Type Handler)>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            if (options.Get(registration.OptionsName).MaxDeliveryAttempts is not { } max)
            {
                continue;
            }

            if (limits.TryGetValue(registration.QueueName, out var other) && other.Max != max)
            {
                throw new InvalidOperationException(
                    $"The queue consumers {other.Handler.Name} and {registration.HandlerType.Name} of '{registration.QueueName}' set different " +
                    $"MaxDeliveryAttempts ({other.Max} and {max}); it is a setting of the queue: set it on one of them, or the same on both.");
            }

            limits[registration.QueueName] = (max, registration.HandlerType);
        }

        if (limits.Count == 0)
        {
            return;
        }

        BackendGuard.Require(services, "QueueConsumerOptions.MaxDeliveryAttempts");
        var store = services.GetRequiredService<IStreamConfigurationStore>();
        foreach (var (queue, (max, _)) in limits)
        {
            var current = await store.GetAsync(queue, cancellationToken).ConfigureAwait(false);
            if (current?.MaxDeliveryAttempts != max)
            {
                await store.SetAsync((current ?? new StreamConfiguration { StreamName = queue }) with { MaxDeliveryAttempts = max }, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
