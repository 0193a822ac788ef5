using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.Tests.Suites;

namespace Svrnty.CQRS.Events.Grpc.Tests;

// Every gRPC suite on both backends, one line each. GrpcSuiteCoverage fails if a suite or a backend is missing here.
public sealed class InMemoryStreamRpcTests(InMemoryGrpcServer s) : StreamRpcTests(s), IClassFixture<InMemoryGrpcServer>;
public sealed class InMemorySubscriptionRpcTests(InMemoryGrpcServer s) : SubscriptionRpcTests(s), IClassFixture<InMemoryGrpcServer>;
public sealed class InMemoryQueueRpcTests(InMemoryGrpcServer s) : QueueRpcTests(s), IClassFixture<InMemoryGrpcServer>;
public sealed class InMemoryOffsetRpcTests(InMemoryGrpcServer s) : OffsetRpcTests(s), IClassFixture<InMemoryGrpcServer>;
public sealed class InMemoryErrorMappingTests(InMemoryGrpcServer s) : ErrorMappingTests(s), IClassFixture<InMemoryGrpcServer>;
public sealed class InMemoryRegistrationTests(InMemoryGrpcServer s) : RegistrationTests(s), IClassFixture<InMemoryGrpcServer>;
public sealed class InMemoryLogRpcTests(InMemoryGrpcServer s) : LogRpcTests(s), IClassFixture<InMemoryGrpcServer>;
public sealed class InMemoryBatchRpcTests(InMemoryGrpcServer s) : BatchRpcTests(s), IClassFixture<InMemoryGrpcServer>;

public sealed class PostgresStreamRpcTests(PostgresGrpcServer s) : StreamRpcTests(s), IClassFixture<PostgresGrpcServer>;
public sealed class PostgresSubscriptionRpcTests(PostgresGrpcServer s) : SubscriptionRpcTests(s), IClassFixture<PostgresGrpcServer>;
public sealed class PostgresQueueRpcTests(PostgresGrpcServer s) : QueueRpcTests(s), IClassFixture<PostgresGrpcServer>;
public sealed class PostgresOffsetRpcTests(PostgresGrpcServer s) : OffsetRpcTests(s), IClassFixture<PostgresGrpcServer>;
public sealed class PostgresErrorMappingTests(PostgresGrpcServer s) : ErrorMappingTests(s), IClassFixture<PostgresGrpcServer>;
public sealed class PostgresRegistrationTests(PostgresGrpcServer s) : RegistrationTests(s), IClassFixture<PostgresGrpcServer>;
public sealed class PostgresLogRpcTests(PostgresGrpcServer s) : LogRpcTests(s), IClassFixture<PostgresGrpcServer>;
public sealed class PostgresBatchRpcTests(PostgresGrpcServer s) : BatchRpcTests(s), IClassFixture<PostgresGrpcServer>;

public sealed class GrpcSuiteCoverage
{
    [Fact]
    public void Every_grpc_suite_runs_on_every_backend()
    {
        var suites = typeof(GrpcSuite).Assembly.GetTypes().Where(t => t is { IsAbstract: true, IsPublic: true } && t.IsSubclassOf(typeof(GrpcSuite)));
        var backends = typeof(GrpcServer).Assembly.GetTypes().Where(t => t is { IsAbstract: false, IsPublic: true } && t.IsSubclassOf(typeof(GrpcServer)));
        var derived = typeof(GrpcSuiteCoverage).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsPublic: true } && t.BaseType is not null && t.BaseType.IsSubclassOf(typeof(GrpcSuite)))
            .Select(t => (Suite: t.BaseType!, Server: t.GetConstructors().Single().GetParameters().FirstOrDefault()?.ParameterType))
            .ToHashSet();
        var missing = suites.SelectMany(s => backends.Select(b => (Suite: s, Server: b))).Where(pair => !derived.Contains(pair!)).ToArray();
        Assert.True(missing.Length == 0, "Missing: " + string.Join(", ", missing.Select(m => $"{m.Suite.Name} on {m.Server.Name}")));
    }
}
