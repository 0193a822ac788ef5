using Svrnty.CQRS.Events.Benchmarks.Workloads;

namespace Svrnty.CQRS.Events.Benchmarks.Tests;

/// <summary>The checks of <c>log-follow</c>'s subscriber probe: a wrong delivery fails the run instead of being timed.</summary>
public sealed class LogFollowProbeTests
{
    [Fact]
    public async Task Every_event_once_in_order_completes_the_run()
    {
        var probe = new LogFollowProbe("test", firstPosition: 0, gapless: true);
        var done = probe.Expect(["a", "b", "c"]);

        probe.Received("a", "order-1", 0, 0);
        probe.Received("b", "order-2", 0, 1);
        probe.Received("c", "order-1", 1, 2);

        Assert.Equal(["a", "b", "c"], (await done).Keys.Order());
    }

    [Fact]
    public async Task A_skipped_position_fails_the_run()
    {
        var probe = new LogFollowProbe("test", firstPosition: 0, gapless: true);
        var done = probe.Expect(["a", "b"]);

        probe.Received("a", "order-1", 0, 0);
        probe.Received("b", "order-2", 0, 2);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => done);
        Assert.Contains("position 2; expected 1", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => { _ = probe.Expect(["c"]); });
    }

    [Fact]
    public async Task An_event_received_twice_fails_the_run()
    {
        var probe = new LogFollowProbe("test", firstPosition: 1, gapless: false);
        var done = probe.Expect(["a", "b"]);

        probe.Received("a", "order-1", 0, 1);
        probe.Received("a", "order-1", 0, 5);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => done);
        Assert.Contains("received twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_out_of_order_fails_the_run()
    {
        var probe = new LogFollowProbe("test", firstPosition: 1, gapless: false);
        var done = probe.Expect(["a", "b"]);

        probe.Received("b", "order-1", 1, 1);
        probe.Received("a", "order-1", 0, 2);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => done);
        Assert.Contains("the stream's next offset is 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_of_no_run_fails_it_and_skipped_sequence_numbers_are_counted_when_allowed()
    {
        var probe = new LogFollowProbe("test", firstPosition: 1, gapless: false);
        var done = probe.Expect(["a", "b"]);

        probe.Received("a", "order-1", 0, 1);
        probe.Received("b", "order-1", 1, 4);
        await done;
        Assert.Equal(2, probe.PositionGaps);

        var next = probe.Expect(["c"]);
        probe.Received("x", "order-2", 0, 5);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => next);
        Assert.Contains("not one of the run's appends", error.Message, StringComparison.Ordinal);
    }
}
