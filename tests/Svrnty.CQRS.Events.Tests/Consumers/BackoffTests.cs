using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.Tests.Consumers;

public sealed class BackoffTests
{
    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(5, 3_200)]
    [InlineData(9, 30_000)]
    [InlineData(45, 30_000)]
    [InlineData(10_000, 30_000)]
    public void Retry_delays_double_from_the_first_and_stop_at_the_cap_however_many_attempts(int attempt, int expectedMs)
    {
        var delay = Backoff.Delay(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), attempt);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
    }
}
