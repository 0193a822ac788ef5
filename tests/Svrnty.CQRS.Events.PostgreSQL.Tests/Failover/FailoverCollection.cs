namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Failover;

/// <summary>The tests that build servers of their own to crash, promote or starve of their standby: one at a time, and
/// never on the shared test server.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FailoverCollection
{
    public const string Name = "failover";
}
