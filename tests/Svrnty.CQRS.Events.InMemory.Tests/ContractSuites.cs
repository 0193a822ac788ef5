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

namespace Svrnty.CQRS.Events.InMemory.Tests;

// The contract suite, one line per area. ContractCoverage fails if an area is missing here.
public sealed class InMemoryAppendTests(InMemoryFixture f) : AppendTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryConcurrencyTests(InMemoryFixture f) : ConcurrencyTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryExpectedLengthTests(InMemoryFixture f) : ExpectedLengthTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryIdempotencyTests(InMemoryFixture f) : IdempotencyTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryMetadataTests(InMemoryFixture f) : MetadataTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryReadTests(InMemoryFixture f) : ReadTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryLogStreamTests(InMemoryFixture f) : LogStreamTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryBatchTests(InMemoryFixture f) : BatchTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryPayloadFidelityTests(InMemoryFixture f) : PayloadFidelityTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryQueueLeaseTests(InMemoryFixture f) : QueueLeaseTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryAckNackTests(InMemoryFixture f) : AckNackTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryDeadLetterTests(InMemoryFixture f) : DeadLetterTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryConsumerOffsetTests(InMemoryFixture f) : ConsumerOffsetTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryStreamConfigurationStoreTests(InMemoryFixture f) : StreamConfigurationStoreTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryRetentionPolicyStoreTests(InMemoryFixture f) : RetentionPolicyStoreTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryRetentionEnforcementTests(InMemoryFixture f) : RetentionEnforcementTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryBadInputTests(InMemoryFixture f) : BadInputTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryRegistrationTests(InMemoryFixture f) : RegistrationTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemorySubscriptionTests(InMemoryFixture f) : SubscriptionTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryStreamConsumerTests(InMemoryFixture f) : StreamConsumerTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryQueueConsumerTests(InMemoryFixture f) : QueueConsumerTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryQueueWakeUpTests(InMemoryFixture f) : QueueWakeUpTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryQueueConsumerShutdownTests(InMemoryFixture f) : QueueConsumerShutdownTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryConsumerGroupFencingTests(InMemoryFixture f) : ConsumerGroupFencingTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryTransactionalConsumerTests(InMemoryFixture f) : TransactionalConsumerTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryTypedHandlerTests(InMemoryFixture f) : TypedHandlerTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryReplayTests(InMemoryFixture f) : ReplayTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryTelemetryTests(InMemoryFixture f) : TelemetryTests(f), IClassFixture<InMemoryFixture>;
public sealed class InMemoryHealthCheckTests(InMemoryFixture f) : HealthCheckTests(f), IClassFixture<InMemoryFixture>;

public sealed class ContractCoverage
{
    [Fact]
    public void Every_contract_suite_runs_on_the_in_memory_backend() =>
        ContractSuites.AssertEveryDerived(typeof(ContractCoverage).Assembly);
}
