using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Retention;

/// <summary>The retention policy store: set, replace, read, list, delete.</summary>
public abstract class RetentionPolicyStoreTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task Policies_are_stored_replaced_listed_in_name_order_and_deleted()
    {
        var prefix = NewName("retention");
        var b = new RetentionPolicy { StreamName = $"{prefix}-b", MaxAge = TimeSpan.FromDays(7) };
        var a = new RetentionPolicy { StreamName = $"{prefix}-a", MaxEventCount = 1000 };
        await RetentionPolicies.SetAsync(b);
        await RetentionPolicies.SetAsync(a);
        var replaced = a with { MaxAge = TimeSpan.FromHours(1).Add(TimeSpan.FromMilliseconds(1.5)), MaxEventCount = 10 };
        await RetentionPolicies.SetAsync(replaced);

        Assert.Equal(replaced, await RetentionPolicies.GetAsync(a.StreamName));
        Assert.Equal(b, await RetentionPolicies.GetAsync(b.StreamName));
        var listed = (await RetentionPolicies.ListAsync()).Where(p => p.StreamName.StartsWith(prefix, StringComparison.Ordinal));
        Assert.Equal([replaced, b], listed);

        Assert.True(await RetentionPolicies.DeleteAsync(a.StreamName));
        Assert.False(await RetentionPolicies.DeleteAsync(a.StreamName));
        Assert.Null(await RetentionPolicies.GetAsync(a.StreamName));
    }
}
