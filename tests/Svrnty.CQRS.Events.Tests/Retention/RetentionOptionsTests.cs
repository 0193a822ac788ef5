using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Retention;

namespace Svrnty.CQRS.Events.Tests.Retention;

public sealed class RetentionOptionsTests
{
    [Fact]
    public void Defaults_are_documented_values_and_no_policy()
    {
        var options = new RetentionOptions();

        Assert.Equal(TimeSpan.FromMinutes(5), options.Interval);
        Assert.Equal(1_000, options.BatchSize);
        Assert.Equal(TimeSpan.FromDays(14), options.DeadLetterMaxAge);
        Assert.Empty(options.Policies);
    }

    [Fact]
    public void A_policy_added_again_under_the_same_name_replaces_the_first()
    {
        var options = new RetentionOptions()
            .AddRetentionPolicy("orders-*", maxAge: TimeSpan.FromDays(30))
            .AddRetentionPolicy("audit", maxEventCount: 10)
            .AddRetentionPolicy("orders-*", maxEventCount: 5);

        Assert.Equal(2, options.Policies.Count);
        Assert.Contains(new RetentionPolicy { StreamName = "orders-*", MaxEventCount = 5 }, options.Policies);
    }

    [Theory]
    [InlineData("*", null, 1L)]
    [InlineData("orders-*", 60, null)]
    public void Patterns_with_a_trailing_star_are_accepted(string name, int? maxAgeSeconds, long? maxEventCount)
    {
        var options = new RetentionOptions().AddRetentionPolicy(name, maxAgeSeconds is { } s ? TimeSpan.FromSeconds(s) : null, maxEventCount);

        Assert.Equal(name, Assert.Single(options.Policies).StreamName);
    }

    [Theory]
    [InlineData("orders-*-eu")]
    [InlineData("**")]
    [InlineData("")]
    public void Bad_policies_are_rejected_naming_the_parameter(string name) =>
        Assert.Equal("policy", Assert.ThrowsAny<ArgumentException>(() => new RetentionOptions().AddRetentionPolicy(name, maxEventCount: 1)).ParamName);

    [Fact]
    public void Invalid_settings_fail_validation_with_what_to_fix()
    {
        using var services = new ServiceCollection()
            .AddEventStreamRetention(o =>
            {
                o.Interval = TimeSpan.Zero;
                o.BatchSize = 10_001;
                o.DeadLetterMaxAge = TimeSpan.FromSeconds(-1);
            })
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RetentionOptions>>().Value);

        Assert.Contains("Interval", error.Message, StringComparison.Ordinal);
        Assert.Contains("BatchSize", error.Message, StringComparison.Ordinal);
        Assert.Contains("DeadLetterMaxAge", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registering_twice_applies_both_configurations_and_adds_one_hosted_service()
    {
        var services = new ServiceCollection()
            .AddEventStreamRetention(o => o.AddRetentionPolicy("a", maxEventCount: 1))
            .AddEventStreamRetention(o => o.AddRetentionPolicy("b", maxEventCount: 2));

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "RetentionHostedService");
        Assert.Single(services, d => d.ServiceType == typeof(IRetentionEnforcer));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(["a", "b"], provider.GetRequiredService<IOptions<RetentionOptions>>().Value.Policies.Select(p => p.StreamName).Order());
    }

    [Fact]
    public void Without_a_backend_the_enforcer_says_which_registration_is_missing()
    {
        using var services = new ServiceCollection().AddEventStreamRetention().BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IRetentionEnforcer>());

        Assert.Contains("AddInMemoryEventStorage", error.Message, StringComparison.Ordinal);
    }
}
