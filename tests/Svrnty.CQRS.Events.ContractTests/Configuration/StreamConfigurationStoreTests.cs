using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Configuration;

/// <summary>The stream configuration store: set, replace, read.</summary>
public abstract class StreamConfigurationStoreTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task A_stream_without_configuration_reads_null()
    {
        Assert.Null(await Configurations.GetAsync(NewName()));
    }

    [Fact]
    public async Task A_configuration_is_stored_and_replaced()
    {
        var stream = NewName();
        await Configurations.SetAsync(new StreamConfiguration { StreamName = stream, MaxDeliveryAttempts = 3 });
        Assert.Equal(new StreamConfiguration { StreamName = stream, MaxDeliveryAttempts = 3 }, await Configurations.GetAsync(stream));

        await Configurations.SetAsync(new StreamConfiguration { StreamName = stream });

        Assert.Equal(StreamConfiguration.DefaultMaxDeliveryAttempts, (await Configurations.GetAsync(stream))?.MaxDeliveryAttempts);
    }
}
