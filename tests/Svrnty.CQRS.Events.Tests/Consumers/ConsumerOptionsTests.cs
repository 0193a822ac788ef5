using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Tests.Consumers;

/// <summary>Consumer options follow the dotnet/extensions rule: named options (the consumer's registration key),
/// validated on start, bindable from an <see cref="IConfigurationSection"/>.</summary>
public sealed class ConsumerOptionsTests
{
    [Fact]
    public void Each_consumer_has_its_own_named_options()
    {
        using var provider = new ServiceCollection()
            .AddQueueConsumer<ReceiptSender>("emails", o => o.Concurrency = 4)
            .AddQueueConsumer<ReceiptSender>("sms", o => o.MaxDeliveryAttempts = 2)
            .AddEventStreamConsumer<Projector>("orders", "read-model", o => o.BatchSize = 50)
            .AddEventStreamConsumer<Projector>("orders", "audit")
            .BuildServiceProvider();
        var queues = provider.GetRequiredService<IOptionsMonitor<QueueConsumerOptions>>();
        var streams = provider.GetRequiredService<IOptionsMonitor<EventStreamConsumerOptions>>();

        Assert.Equal((4, null), (queues.Get(QueueConsumerOptions.NameFor("emails", typeof(ReceiptSender))).Concurrency,
            queues.Get(QueueConsumerOptions.NameFor("emails", typeof(ReceiptSender))).MaxDeliveryAttempts));
        Assert.Equal((1, 2), (queues.Get(QueueConsumerOptions.NameFor("sms", typeof(ReceiptSender))).Concurrency,
            queues.Get(QueueConsumerOptions.NameFor("sms", typeof(ReceiptSender))).MaxDeliveryAttempts));
        Assert.Equal(50, streams.Get(EventStreamConsumerOptions.NameFor("orders", "read-model")).BatchSize);
        Assert.Equal(100, streams.Get(EventStreamConsumerOptions.NameFor("orders", "audit")).BatchSize);
    }

    [Fact]
    public void Options_configured_under_the_consumers_name_apply_to_it()
    {
        var services = new ServiceCollection().AddEventStreamConsumer<Projector>("orders", "read-model");
        services.Configure<EventStreamConsumerOptions>(EventStreamConsumerOptions.NameFor("orders", "read-model"), o => o.MaxAttempts = 7);
        using var provider = services.BuildServiceProvider();

        Assert.Equal(7, provider.GetRequiredService<IOptionsMonitor<EventStreamConsumerOptions>>().Get("orders/read-model").MaxAttempts);
    }

    [Fact]
    public void Options_are_bound_from_a_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consumers:Emails:Concurrency"] = "3",
            ["Consumers:Emails:VisibilityTimeout"] = "00:02:00",
            ["Consumers:Emails:MaxDeliveryAttempts"] = "4",
            ["Consumers:Projection:BatchSize"] = "250",
            ["Consumers:Projection:OnFailure"] = "Stop",
            ["Consumers:Projection:PollInterval"] = "00:00:05",
        }).Build();
        using var provider = new ServiceCollection()
            .AddQueueConsumer<ReceiptSender>("emails", configuration.GetSection("Consumers:Emails"))
            .AddEventStreamConsumer<Projector>("orders", "read-model", configuration.GetSection("Consumers:Projection"))
            .BuildServiceProvider();

        var queue = provider.GetRequiredService<IOptionsMonitor<QueueConsumerOptions>>().Get(QueueConsumerOptions.NameFor("emails", typeof(ReceiptSender)));
        var stream = provider.GetRequiredService<IOptionsMonitor<EventStreamConsumerOptions>>().Get(EventStreamConsumerOptions.NameFor("orders", "read-model"));

        Assert.Equal((3, TimeSpan.FromMinutes(2), 4), (queue.Concurrency, queue.VisibilityTimeout, queue.MaxDeliveryAttempts));
        Assert.Equal((250, ConsumerFailureMode.Stop, TimeSpan.FromSeconds(5)), (stream.BatchSize, stream.OnFailure, stream.PollInterval));
    }

    [Fact]
    public void Bad_values_of_every_kind_of_options_fail_the_same_way_at_startup_naming_the_option()
    {
        var services = new ServiceCollection()
            .AddEventStreamConsumer<Projector>("orders", "read-model", o => o.BatchSize = 0)
            .AddQueueConsumer<ReceiptSender>("emails", o => o.Concurrency = 0)
            .AddEventStreamRetention(o => o.Interval = TimeSpan.Zero);

        // The registration calls accept them: the values may still be changed by later configuration.
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var failures = error.InnerExceptions.Select(e => Assert.IsType<OptionsValidationException>(e)).ToList();
        Assert.Contains(failures, f => f.OptionsType == typeof(EventStreamConsumerOptions)
                                       && f.Message.Contains("'orders/read-model': BatchSize must be between 1 and 10000; it is 0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.OptionsType == typeof(QueueConsumerOptions)
                                       && f.Message.Contains("Concurrency must be between 1 and 256; it is 0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.OptionsType == typeof(Svrnty.CQRS.Events.Retention.RetentionOptions)
                                       && f.Message.Contains("Interval", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(nameof(QueueConsumerOptions.VisibilityTimeout))]
    [InlineData(nameof(QueueConsumerOptions.RedeliveryDelay))]
    [InlineData(nameof(QueueConsumerOptions.PollInterval))]
    [InlineData(nameof(QueueConsumerOptions.ConsumerIdPrefix))]
    [InlineData(nameof(QueueConsumerOptions.MaxDeliveryAttempts))]
    public void Each_bad_queue_consumer_option_is_named(string option)
    {
        Action<QueueConsumerOptions> configure = option switch
        {
            nameof(QueueConsumerOptions.VisibilityTimeout) => o => o.VisibilityTimeout = TimeSpan.Zero,
            nameof(QueueConsumerOptions.RedeliveryDelay) => o => o.RedeliveryDelay = TimeSpan.FromSeconds(-1),
            nameof(QueueConsumerOptions.PollInterval) => o => o.PollInterval = TimeSpan.Zero,
            nameof(QueueConsumerOptions.ConsumerIdPrefix) => o => o.ConsumerIdPrefix = " ",
            _ => o => o.MaxDeliveryAttempts = 0,
        };

        var error = Validate<QueueConsumerOptions>(s => s.AddQueueConsumer<ReceiptSender>("emails", configure), QueueConsumerOptions.NameFor("emails", typeof(ReceiptSender)));

        Assert.StartsWith($"The queue consumer 'emails/{typeof(ReceiptSender).FullName}': {option} ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 246)] // 246 + "-xxxxxxxx-0" = 257
    [InlineData(100, 245)] // 245 + "-xxxxxxxx-99" = 257
    public void A_consumer_id_prefix_is_rejected_when_the_ids_made_from_it_are_too_long(int concurrency, int prefixLength)
    {
        void Configure(QueueConsumerOptions o)
        {
            o.Concurrency = concurrency;
            o.ConsumerIdPrefix = new string('p', prefixLength);
        }

        var error = Validate<QueueConsumerOptions>(s => s.AddQueueConsumer<ReceiptSender>("emails", Configure), QueueConsumerOptions.NameFor("emails", typeof(ReceiptSender)));

        Assert.StartsWith($"The queue consumer 'emails/{typeof(ReceiptSender).FullName}': ConsumerIdPrefix is too long: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("up to 257 characters", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 245)]
    [InlineData(100, 244)]
    public void The_longest_consumer_id_prefix_that_fits_is_accepted(int concurrency, int prefixLength)
    {
        var id = QueueConsumerIds.Of(new string('p', prefixLength), QueueConsumerIds.NewInstance(), concurrency - 1);

        Assert.Equal(Argument.MaxNameLength, id.Length);
        Assert.Equal(id.Length, QueueConsumerIds.MaxLength(new string('p', prefixLength), concurrency));
    }

    [Theory]
    [InlineData(nameof(EventStreamConsumerOptions.MaxAttempts))]
    [InlineData(nameof(EventStreamConsumerOptions.PollInterval))]
    [InlineData(nameof(EventStreamConsumerOptions.TakeoverInterval))]
    [InlineData(nameof(EventStreamConsumerOptions.RetryDelay))]
    [InlineData(nameof(EventStreamConsumerOptions.MaxRetryDelay))]
    [InlineData(nameof(EventStreamConsumerOptions.Start))]
    public void Each_bad_stream_consumer_option_is_named(string option)
    {
        Action<EventStreamConsumerOptions> configure = option switch
        {
            nameof(EventStreamConsumerOptions.MaxAttempts) => o => o.MaxAttempts = 0,
            nameof(EventStreamConsumerOptions.PollInterval) => o => o.PollInterval = TimeSpan.Zero,
            nameof(EventStreamConsumerOptions.TakeoverInterval) => o => o.TakeoverInterval = TimeSpan.FromSeconds(-1),
            nameof(EventStreamConsumerOptions.RetryDelay) => o => (o.RetryDelay, o.MaxRetryDelay) = (TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(-1)),
            nameof(EventStreamConsumerOptions.MaxRetryDelay) => o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(100),
            _ => o => o.Start = null!,
        };

        var error = Validate<EventStreamConsumerOptions>(s => s.AddEventStreamConsumer<Projector>("orders", "g", configure), "orders/g");

        Assert.StartsWith($"The stream consumer 'orders/g': {option} ", error.Message, StringComparison.Ordinal);
    }

    private static OptionsValidationException Validate<TOptions>(Action<IServiceCollection> configure, string name)
        where TOptions : class
    {
        var services = new ServiceCollection();
        configure(services);
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name));
        Assert.Equal(name, error.OptionsName);
        return error;
    }

    private sealed class ReceiptSender : IQueueMessageHandler
    {
        public Task HandleAsync(DequeuedEvent message, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Projector : IEventStreamHandler
    {
        public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
