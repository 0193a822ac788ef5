using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Svrnty.CQRS.Events.HealthChecks;

namespace Svrnty.CQRS.Events.ContractTests.Diagnostics;

/// <summary>The event-streaming health check: healthy, then degraded by lag or dead letters over the thresholds.</summary>
public abstract class HealthCheckTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private async Task<HealthReport> CheckAsync(string stream, string queue, long maxLag, Action<EventStreamingHealthCheckOptions>? configure = null)
    {
        await using var services = Fixture.BuildServices(s =>
        {
            s.ConfigureEventStreamingTelemetry(o =>
            {
                o.MonitoredQueues.Add(queue);
                o.MonitoredConsumerGroups.Add((stream, "g"));
            });
            s.AddHealthChecks().AddEventStreaming(o =>
            {
                o.MaxConsumerLag = maxLag;
                configure?.Invoke(o);
            });
        });
        return await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
    }

    [Fact]
    public async Task The_check_is_healthy_when_the_store_answers_and_nothing_lags()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(3));
        await Offsets.CommitOffsetAsync(stream, "g", 3);

        var report = await CheckAsync(stream, NewName("queue"), maxLag: 10);

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(0L, report.Entries["event-streaming"].Data[$"lag:{stream}/g"]);
    }

    [Fact]
    public async Task A_consumer_group_behind_the_threshold_degrades_the_check()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(20));
        await Offsets.CommitOffsetAsync(stream, "g", 5);

        var report = await CheckAsync(stream, NewName("queue"), maxLag: 10);

        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains("15 events behind", report.Entries["event-streaming"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_letters_in_a_watched_queue_degrade_the_check()
    {
        var queue = NewName("queue");
        var e = NewEvent();
        await Streams.EnqueueAsync(queue, e);
        await Streams.DequeueAsync(queue, "c", TimeSpan.FromSeconds(30));
        await Streams.NackAsync(queue, e.EventId, "c", requeue: false);

        var report = await CheckAsync(NewName(), queue, maxLag: 10);

        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains("1 dead letters", report.Entries["event-streaming"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_group_whose_oldest_unprocessed_event_waited_past_the_age_threshold_degrades_the_check()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(3));
        await Offsets.CommitOffsetAsync(stream, "g", 1);
        Time.Advance(TimeSpan.FromMinutes(2));

        var young = await CheckAsync(stream, NewName("queue"), maxLag: 10, o => o.MaxConsumerLagAge = TimeSpan.FromMinutes(5));
        var old = await CheckAsync(stream, NewName("queue"), maxLag: 10, o => o.MaxConsumerLagAge = TimeSpan.FromMinutes(1));

        Assert.Equal(HealthStatus.Healthy, young.Status);
        Assert.Equal(120.0, young.Entries["event-streaming"].Data[$"lagAge:{stream}/g"]);
        Assert.Equal(HealthStatus.Degraded, old.Status);
        Assert.Contains("waiting for 00:02:00", old.Entries["event-streaming"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queue_whose_oldest_message_waited_past_the_age_threshold_degrades_the_check()
    {
        var queue = NewName("queue");
        await Streams.EnqueueAsync(queue, NewEvent());
        Time.Advance(TimeSpan.FromMinutes(2));

        var young = await CheckAsync(NewName(), queue, maxLag: 10, o => o.MaxOldestMessageAge = TimeSpan.FromMinutes(5));
        var old = await CheckAsync(NewName(), queue, maxLag: 10, o => o.MaxOldestMessageAge = TimeSpan.FromMinutes(1));

        Assert.Equal(HealthStatus.Healthy, young.Status);
        Assert.Equal(120.0, young.Entries["event-streaming"].Data[$"oldestMessageAge:{queue}"]);
        Assert.Equal(HealthStatus.Degraded, old.Status);
        Assert.Contains($"queue '{queue}' has a message waiting for 00:02:00", old.Entries["event-streaming"].Description, StringComparison.Ordinal);
    }
}
