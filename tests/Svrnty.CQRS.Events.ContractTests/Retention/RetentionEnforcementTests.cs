using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Retention;

namespace Svrnty.CQRS.Events.ContractTests.Retention;

/// <summary>
/// Retention enforcement: streams lose only their oldest events (by count, by age, or whichever deletes more), under
/// the right policy (a stream's own, else the longest pattern; the store's over the code's), while offsets, lengths
/// and concurrent appends stay correct; old dead letters go by age.
/// </summary>
public abstract class RetentionEnforcementTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private RetentionHost Host(Action<RetentionOptions> configure) => new(Fixture, configure);

    [Fact]
    public async Task Max_count_keeps_exactly_the_newest_events_and_offsets_are_never_reused()
    {
        var stream = NewName();
        await using var host = Host(o => o.AddRetentionPolicy(stream, maxEventCount: 3));
        await host.AppendAsync(stream, 10);
        var before = await host.ReadAllAsync(stream);

        var result = await host.EnforceAsync();

        Assert.Equal(new StreamRetentionResult(stream, stream, 7), Assert.Single(result.Streams, s => s.StreamName == stream));
        var metadata = await host.MetadataAsync(stream);
        Assert.True(metadata.Exists);
        Assert.Equal(10, metadata.Length);
        Assert.Equal(3, metadata.RetainedCount);
        Assert.Equal(7, metadata.OldestEventOffset);
        Assert.Equal(9, metadata.NewestEventOffset);
        Assert.Equal(before[7].Timestamp, metadata.OldestEventTimestamp);
        Assert.Equal(before[9].Timestamp, metadata.NewestEventTimestamp);
        Assert.Equal(before.Skip(7), await host.ReadAllAsync(stream));
        Assert.Equal(10, await host.Streams.GetStreamLengthAsync(stream));
        Assert.Contains(host.Logs.Entries, e => e.Id.Id == 2000 && e.Message.Contains(stream, StringComparison.Ordinal));

        Assert.Equal(10, await host.Streams.AppendAsync(stream, NewEvent()));
        Assert.Equal(1, Assert.Single((await host.EnforceAsync()).Streams, s => s.StreamName == stream).EventsDeleted);
        Assert.DoesNotContain((await host.EnforceAsync()).Streams, s => s.StreamName == stream);
        Assert.Equal([8L, 9L, 10L], (await host.ReadAllAsync(stream)).Select(e => e.Offset));
    }

    [Fact]
    public async Task Max_age_deletes_the_events_accepted_before_the_cutoff_and_keeps_one_exactly_at_it()
    {
        var stream = NewName();
        await using var host = Host(o => o.AddRetentionPolicy(stream, maxAge: TimeSpan.FromHours(1)));
        await host.AppendAsync(stream, 3, "old");
        Time.Advance(TimeSpan.FromHours(2));
        var youngAt = Time.GetUtcNow();
        await host.AppendAsync(stream, 2, "young");
        Time.Advance(TimeSpan.FromHours(1));

        var result = await host.EnforceAsync();

        Assert.Equal(3, Assert.Single(result.Streams, s => s.StreamName == stream).EventsDeleted);
        var metadata = await host.MetadataAsync(stream);
        Assert.Equal((5L, 2L, 3L, youngAt), (metadata.Length, metadata.RetainedCount, metadata.OldestEventOffset!.Value, metadata.OldestEventTimestamp!.Value));
        Assert.All(await host.ReadAllAsync(stream), e => Assert.Equal("young", ((TestEvent)e.Event).Name));

        Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, Assert.Single((await host.EnforceAsync()).Streams, s => s.StreamName == stream).EventsDeleted);

        metadata = await host.MetadataAsync(stream);
        Assert.True(metadata.Exists);
        Assert.Equal((5L, 0L), (metadata.Length, metadata.RetainedCount));
        Assert.Null(metadata.OldestEventOffset);
        Assert.Null(metadata.NewestEventTimestamp);
        Assert.Empty(await host.Streams.ReadStreamAsync(stream, 0, 10));
        Assert.Equal(5, await host.Streams.AppendAsync(stream, NewEvent()));
    }

    [Fact]
    public async Task With_both_limits_whichever_deletes_more_wins()
    {
        var ageWins = NewName();
        var countWins = NewName();
        await using var host = Host(o =>
        {
            o.AddRetentionPolicy(ageWins, maxAge: TimeSpan.FromHours(1), maxEventCount: 8);
            o.AddRetentionPolicy(countWins, maxAge: TimeSpan.FromHours(1), maxEventCount: 8);
        });
        await host.AppendAsync(ageWins, 10, "old");
        await host.AppendAsync(countWins, 2, "old");
        Time.Advance(TimeSpan.FromHours(2));
        await host.AppendAsync(ageWins, 5, "young");
        await host.AppendAsync(countWins, 10, "young");

        var result = await host.EnforceAsync();

        // ageWins: the count limit would delete 7, the age limit 10. countWins: the age limit would delete 2, the count limit 4.
        Assert.Equal(10, Assert.Single(result.Streams, s => s.StreamName == ageWins).EventsDeleted);
        Assert.Equal(4, Assert.Single(result.Streams, s => s.StreamName == countWins).EventsDeleted);
        Assert.Equal((15L, 5L, 10L), await CountsAsync(host, ageWins));
        Assert.Equal((12L, 8L, 4L), await CountsAsync(host, countWins));
    }

    [Fact]
    public async Task Patterns_cover_streams_by_prefix_and_the_most_specific_policy_wins()
    {
        var p = NewName("orders");
        string plain = $"{p}-1", regional = $"{p}-eu-1", own = $"{p}-vip", noDash = $"{p}1", other = NewName("orders");
        await using var host = Host(o => o
            .AddRetentionPolicy($"{p}-*", maxEventCount: 1)
            .AddRetentionPolicy($"{p}-eu-*", maxEventCount: 2)
            .AddRetentionPolicy(own, maxEventCount: 3));
        foreach (var stream in new[] { plain, regional, own, noDash, other })
        {
            await host.AppendAsync(stream, 5);
        }

        var result = await host.EnforceAsync();

        Assert.Equal(
            [new StreamRetentionResult(plain, $"{p}-*", 4), new StreamRetentionResult(regional, $"{p}-eu-*", 3), new StreamRetentionResult(own, own, 2)],
            result.Streams.Where(s => s.StreamName.StartsWith(p, StringComparison.Ordinal)).OrderBy(s => s.EventsDeleted).Reverse());
        Assert.Equal(1, (await host.MetadataAsync(plain)).RetainedCount);
        Assert.Equal(2, (await host.MetadataAsync(regional)).RetainedCount);
        Assert.Equal(3, (await host.MetadataAsync(own)).RetainedCount);
        Assert.Equal(5, (await host.MetadataAsync(noDash)).RetainedCount);
        Assert.Equal(5, (await host.MetadataAsync(other)).RetainedCount);
    }

    [Fact]
    public async Task A_stored_policy_replaces_the_code_policy_of_its_name_but_a_streams_own_policy_beats_any_pattern()
    {
        var p = NewName("tenant");
        string storeExact = $"{p}-a", storePattern = $"{p}-b", codeExact = $"{p}-c";
        await using var host = Host(o => o
            .AddRetentionPolicy(storeExact, maxEventCount: 5)
            .AddRetentionPolicy($"{p}-*", maxEventCount: 5)
            .AddRetentionPolicy(codeExact, maxEventCount: 4));
        await host.Policies.SetAsync(new() { StreamName = storeExact, MaxEventCount = 2 });
        await host.Policies.SetAsync(new() { StreamName = $"{p}-*", MaxEventCount = 1 });
        try
        {
            foreach (var stream in new[] { storeExact, storePattern, codeExact })
            {
                await host.AppendAsync(stream, 6);
            }

            var result = await host.EnforceAsync();

            Assert.Equal(new StreamRetentionResult(storeExact, storeExact, 4), Assert.Single(result.Streams, s => s.StreamName == storeExact));
            Assert.Equal(new StreamRetentionResult(storePattern, $"{p}-*", 5), Assert.Single(result.Streams, s => s.StreamName == storePattern));
            Assert.Equal(new StreamRetentionResult(codeExact, codeExact, 2), Assert.Single(result.Streams, s => s.StreamName == codeExact));
            Assert.Equal(4, (await host.MetadataAsync(codeExact)).RetainedCount);
        }
        finally
        {
            await host.Policies.DeleteAsync(storeExact);
            await host.Policies.DeleteAsync($"{p}-*");
        }
    }

    [Fact]
    public async Task Appends_during_a_large_trim_in_small_batches_land_with_gapless_offsets()
    {
        const int initial = 5_000;
        const int concurrent = 200;
        const int keep = 100;
        var stream = NewName();
        await using var host = Host(o =>
        {
            o.BatchSize = 50;
            o.AddRetentionPolicy(stream, maxEventCount: keep);
        });
        await host.AppendAsync(stream, initial);

        var appender = Task.Run(async () =>
        {
            var offsets = new List<long>(concurrent);
            for (var i = 0; i < concurrent; i++)
            {
                offsets.Add(await host.Streams.AppendAsync(stream, NewEvent("late", i)));
            }

            return offsets;
        });
        var first = await host.EnforceAsync();
        var appended = await appender;
        var second = await host.EnforceAsync();

        Assert.Equal(Enumerable.Range(initial, concurrent).Select(i => (long)i), appended);
        var deleted = first.Streams.Concat(second.Streams).Where(s => s.StreamName == stream).Sum(s => s.EventsDeleted);
        Assert.Equal(initial + concurrent - keep, deleted);
        var metadata = await host.MetadataAsync(stream);
        Assert.Equal((5_200L, 100L, 5_100L, 5_199L), (metadata.Length, metadata.RetainedCount, metadata.OldestEventOffset!.Value, metadata.NewestEventOffset!.Value));
        var retained = await host.ReadAllAsync(stream);
        Assert.Equal(Enumerable.Range(5_100, keep).Select(i => (long)i), retained.Select(e => e.Offset));
        Assert.Equal(Enumerable.Range(concurrent - keep, keep), retained.Select(e => ((TestEvent)e.Event).Number));
    }

    [Fact]
    public async Task A_read_from_a_trimmed_offset_starts_at_the_oldest_retained_event()
    {
        var stream = NewName();
        await using var host = Host(o => o.AddRetentionPolicy(stream, maxEventCount: 4));
        await host.AppendAsync(stream, 10);
        await host.EnforceAsync();

        Assert.Equal([6L, 7L], (await host.Streams.ReadStreamAsync(stream, 0, 2)).Select(e => e.Offset));
        Assert.Equal([6L, 7L, 8L, 9L], (await host.Streams.ReadStreamAsync(stream, 3, 100)).Select(e => e.Offset));
        Assert.Equal([8L, 9L], (await host.Streams.ReadStreamAsync(stream, 8, 100)).Select(e => e.Offset));
        Assert.Empty(await host.Streams.ReadStreamAsync(stream, 10, 100));
    }

    [Fact]
    public async Task Dead_letters_older_than_their_max_age_are_deleted()
    {
        var queue = NewName("queue");
        await using var host = Host(o => o.DeadLetterMaxAge = TimeSpan.FromDays(1));
        var old = await DeadLetterAsync(host, queue);
        Time.Advance(TimeSpan.FromHours(12));
        var recent = await DeadLetterAsync(host, queue);
        Time.Advance(TimeSpan.FromHours(13));

        var result = await host.EnforceAsync();

        Assert.Equal(new DeadLetterRetentionResult(queue, 1), Assert.Single(result.DeadLetters, d => d.QueueName == queue));
        Assert.Equal(recent, Assert.Single(await host.DeadLetters.ReadAsync(queue, 10)).EventId);
        Assert.NotEqual(old, recent);
        Assert.Contains(host.Logs.Entries, e => e.Id.Id == 2001 && e.Message.Contains(queue, StringComparison.Ordinal));

        Time.Advance(TimeSpan.FromHours(12));
        Assert.Equal(1, (await host.EnforceAsync()).DeadLettersDeleted);
        Assert.Equal(0, await host.DeadLetters.CountAsync(queue));
    }

    [Fact]
    public async Task Dead_letters_are_kept_when_their_max_age_is_null()
    {
        var queue = NewName("queue");
        await using var host = Host(o => o.DeadLetterMaxAge = null);
        await DeadLetterAsync(host, queue);
        Time.Advance(TimeSpan.FromDays(365));

        Assert.Empty((await host.EnforceAsync()).DeadLetters);
        Assert.Equal(1, await host.DeadLetters.CountAsync(queue));
    }

    [Fact]
    public async Task The_hosted_service_enforces_the_policies_on_its_interval()
    {
        var stream = NewName();
        var interval = TimeSpan.FromMinutes(1);
        await using var host = Host(o =>
        {
            o.Interval = interval;
            o.AddRetentionPolicy(stream, maxEventCount: 2);
        });
        var hosted = await EventStoreFixture.StartHostedServicesAsync(host.Services);
        try
        {
            await host.AppendAsync(stream, 5);
            Assert.Equal(5, (await host.MetadataAsync(stream)).RetainedCount); // the first run is one interval after start

            var trimmed = await Deadline.UntilAsync(() => host.MetadataAsync(stream), m => m.RetainedCount == 2,
                "the hosted service trims the stream to 2 events as the clock moves on", () => Time.Advance(interval));

            Assert.Equal(5, trimmed.Length);
            // The run logs after its delete has committed, so the entry may come a moment after the trim is visible.
            await Deadline.UntilAsync(() => host.Logs.Entries.Any(e => e.Id.Id == 2000 && e.Message.Contains(stream, StringComparison.Ordinal)),
                "the hosted service logs the trim (event 2000)");
        }
        finally
        {
            foreach (var service in hosted.Reverse())
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task A_star_anywhere_but_at_the_end_is_rejected_and_patterns_are_stored_as_given()
    {
        var options = new RetentionOptions();
        Assert.Equal("policy", Assert.Throws<ArgumentException>(() => options.AddRetentionPolicy("orders-*-eu", maxEventCount: 1)).ParamName);
        Assert.Equal("policy", Assert.Throws<ArgumentException>(() => options.AddRetentionPolicy("orders")).ParamName);
        Assert.Equal("policy", (await Assert.ThrowsAnyAsync<ArgumentException>(
            () => RetentionPolicies.SetAsync(new() { StreamName = "*orders", MaxEventCount = 1 }))).ParamName);

        var pattern = new RetentionPolicy { StreamName = $"{NewName("orders")}-*", MaxAge = TimeSpan.FromDays(30) };
        await RetentionPolicies.SetAsync(pattern);
        Assert.Equal(pattern, await RetentionPolicies.GetAsync(pattern.StreamName));
        Assert.True(await RetentionPolicies.DeleteAsync(pattern.StreamName));
    }

    [Fact]
    public async Task The_backend_lists_streams_by_prefix_page_by_page()
    {
        var backend = Fixture.Services.GetRequiredService<IRetentionBackend>();
        Assert.Same(backend, Fixture.Services.GetRequiredService<IRetentionBackend>());
        var p = NewName("list");
        string[] names = [$"{p}-a", $"{p}-b", $"{p}-c", $"{p}-d", $"{p}-e"];
        foreach (var name in names.Reverse())
        {
            await Streams.AppendAsync(name, NewEvent());
        }

        await Streams.AppendAsync(NewName("list"), NewEvent());
        var listed = new List<string>();
        IReadOnlyList<string> page;
        do
        {
            page = await backend.ListStreamsAsync($"{p}-", listed.Count > 0 ? listed[^1] : null, 2);
            listed.AddRange(page);
        }
        while (page.Count == 2);

        Assert.Equal(names, listed);
        Assert.Empty(await backend.ListStreamsAsync($"{p}-z", null, 10));
        Assert.Subset((await backend.ListStreamsAsync("", null, 10_000)).ToHashSet(), names.ToHashSet());
    }

    [Fact]
    public async Task The_backend_rejects_bad_input_naming_the_parameter()
    {
        var backend = Fixture.Services.GetRequiredService<IRetentionBackend>();
        var now = Time.GetUtcNow();

        Assert.Equal("streamName", (await Assert.ThrowsAnyAsync<ArgumentException>(() => backend.TrimStreamAsync("", 1, null, 10))).ParamName);
        Assert.Equal("maxEventCount", (await Assert.ThrowsAnyAsync<ArgumentException>(() => backend.TrimStreamAsync("s", -1, null, 10))).ParamName);
        Assert.Equal("maxCount", (await Assert.ThrowsAnyAsync<ArgumentException>(() => backend.TrimStreamAsync("s", 1, now, 0))).ParamName);
        Assert.Equal("prefix", (await Assert.ThrowsAnyAsync<ArgumentException>(() => backend.ListStreamsAsync(null!, null, 10))).ParamName);
        Assert.Equal("after", (await Assert.ThrowsAnyAsync<ArgumentException>(() => backend.ListStreamsAsync("p", " ", 10))).ParamName);
        Assert.Equal("maxCount", (await Assert.ThrowsAnyAsync<ArgumentException>(() => backend.ListStreamsAsync("p", null, 10_001))).ParamName);
        Assert.Equal("maxCount", (await Assert.ThrowsAnyAsync<ArgumentException>(() => backend.DeleteDeadLettersAsync(now, 0))).ParamName);
    }

    private static async Task<(long Length, long Retained, long Deleted)> CountsAsync(RetentionHost host, string stream)
    {
        var metadata = await host.MetadataAsync(stream);
        return (metadata.Length, metadata.RetainedCount, metadata.OldestEventOffset ?? metadata.Length);
    }

    private static async Task<string> DeadLetterAsync(RetentionHost host, string queue)
    {
        var e = NewEvent();
        await host.Streams.EnqueueAsync(queue, e);
        var message = await host.Streams.DequeueAsync(queue, "c", TimeSpan.FromSeconds(30));
        Assert.Equal(e.EventId, message?.EventId);
        Assert.True(await host.Streams.NackAsync(queue, e.EventId, "c", requeue: false));
        return e.EventId;
    }
}
