using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.ContractTests.Batches;
using Svrnty.CQRS.Events.ContractTests.Configuration;
using Svrnty.CQRS.Events.ContractTests.Consumers;
using Svrnty.CQRS.Events.ContractTests.Diagnostics;
using Svrnty.CQRS.Events.ContractTests.Offsets;
using Svrnty.CQRS.Events.ContractTests.Payloads;
using Svrnty.CQRS.Events.ContractTests.Queues;
using Svrnty.CQRS.Events.ContractTests.Registration;
using Svrnty.CQRS.Events.ContractTests.Retention;
using Svrnty.CQRS.Events.ContractTests.Streams;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests;

// The contract suite, one line per area. ContractCoverage fails if an area is missing here.
public sealed class PostgresAppendTests(PostgresFixture f) : AppendTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresConcurrencyTests(PostgresFixture f) : ConcurrencyTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresExpectedLengthTests(PostgresFixture f) : ExpectedLengthTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresIdempotencyTests(PostgresFixture f) : IdempotencyTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresMetadataTests(PostgresFixture f) : MetadataTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresReadTests(PostgresFixture f) : ReadTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresLogStreamTests(PostgresFixture f) : LogStreamTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresBatchTests(PostgresFixture f) : BatchTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresPayloadFidelityTests(PostgresFixture f) : PayloadFidelityTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresQueueLeaseTests(PostgresFixture f) : QueueLeaseTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresAckNackTests(PostgresFixture f) : AckNackTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresDeadLetterTests(PostgresFixture f) : DeadLetterTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresConsumerOffsetTests(PostgresFixture f) : ConsumerOffsetTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresStreamConfigurationStoreTests(PostgresFixture f) : StreamConfigurationStoreTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresRetentionPolicyStoreTests(PostgresFixture f) : RetentionPolicyStoreTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresRetentionEnforcementTests(PostgresFixture f) : RetentionEnforcementTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresBadInputTests(PostgresFixture f) : BadInputTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresRegistrationTests(PostgresFixture f) : RegistrationTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresSubscriptionTests(PostgresFixture f) : SubscriptionTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresStreamConsumerTests(PostgresFixture f) : StreamConsumerTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresQueueConsumerTests(PostgresFixture f) : QueueConsumerTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresQueueWakeUpTests(PostgresFixture f) : QueueWakeUpTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresQueueConsumerShutdownTests(PostgresFixture f) : QueueConsumerShutdownTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresConsumerGroupFencingTests(PostgresFixture f) : ConsumerGroupFencingTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresTransactionalConsumerTests(PostgresFixture f) : TransactionalConsumerTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresTypedHandlerTests(PostgresFixture f) : TypedHandlerTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresReplayTests(PostgresFixture f) : ReplayTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresTelemetryTests(PostgresFixture f) : TelemetryTests(f), IClassFixture<PostgresFixture>;
public sealed class PostgresHealthCheckTests(PostgresFixture f) : HealthCheckTests(f), IClassFixture<PostgresFixture>;

public sealed class ContractCoverage
{
    [Fact]
    public void Every_contract_suite_runs_on_the_postgresql_backend() =>
        ContractSuites.AssertEveryDerived(typeof(ContractCoverage).Assembly);
}
