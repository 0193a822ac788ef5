using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.Tests.Consumers;

public sealed class ConsumerRegistrationTests
{
    [Fact]
    public void Adding_the_same_queue_consumer_twice_registers_one_hosted_consumer_with_the_first_options()
    {
        var services = new ServiceCollection();

        services.AddQueueConsumer<ReceiptSender>("emails", o => o.Concurrency = 4);
        services.AddQueueConsumer<ReceiptSender>("emails", o => o.Concurrency = 8);

        Assert.Single(services, IsConsumer);
        var registration = Assert.Single(Registrations(services));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(4, provider.GetRequiredService<IOptionsMonitor<QueueConsumerOptions>>().Get(registration.OptionsName).Concurrency);
        Assert.Single(services, d => d.ServiceType == typeof(ReceiptSender));
    }

    [Fact]
    public void Another_handler_or_another_queue_is_a_consumer_of_its_own()
    {
        var services = new ServiceCollection();

        services.AddQueueConsumer<ReceiptSender>("emails");
        services.AddQueueConsumer<ReceiptSender>("sms");
        services.AddQueueConsumer<AuditWriter>("emails");

        Assert.Equal(3, services.Count(IsConsumer));
        Assert.Equal(
            [("emails", typeof(ReceiptSender)), ("sms", typeof(ReceiptSender)), ("emails", typeof(AuditWriter))],
            Registrations(services).Select(r => (r.QueueName, r.HandlerType)));
    }

    [Fact]
    public void Adding_the_same_stream_consumer_twice_registers_one_hosted_consumer()
    {
        var services = new ServiceCollection();

        services.AddEventStreamConsumer<Projector>("orders", "read-model");
        services.AddEventStreamConsumer<Projector>("orders", "read-model");

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    // The hosted services other than the one that applies the queues' delivery limits.
    private static bool IsConsumer(ServiceDescriptor d) =>
        d.ServiceType == typeof(IHostedService) && d.ImplementationFactory?.Method.ReturnType != typeof(QueueDeliveryLimits);

    private static IEnumerable<QueueConsumerRegistration> Registrations(ServiceCollection services) =>
        services.Select(d => d.ImplementationInstance).OfType<QueueConsumerRegistration>();

    private sealed class ReceiptSender : IQueueMessageHandler
    {
        public Task HandleAsync(DequeuedEvent message, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class AuditWriter : IQueueMessageHandler
    {
        public Task HandleAsync(DequeuedEvent message, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Projector : IEventStreamHandler
    {
        public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
