using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using IEventStreamStore = Svrnty.CQRS.Events.Abstractions.IEventStreamStore;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.ContractTests.Consumers;
using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.V1;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.Grpc.Tests.Suites;

/// <summary>The base of every gRPC suite: the client, the server's stores and clock, wire helpers.</summary>
public abstract class GrpcSuite(GrpcServer server)
{
    protected GrpcServer Server { get; } = server;

    protected EventStreaming.EventStreamingClient Client => Server.Client;

    protected FakeTimeProvider Time => Server.Time;

    protected IEventStreamStore Store => Server.Services.GetRequiredService<IEventStreamStore>();

    private protected EventSerializer Serializer => Server.Services.GetRequiredService<EventSerializer>();

    /// <summary>A token that fails a test that waits too long, instead of hanging; never reached on success.</summary>
    protected static CancellationToken Timeout => new CancellationTokenSource(Deadline.Default).Token;

    protected static string NewName(string prefix = "stream") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>An event as a non-.NET client sends it: a type name no .NET type has, and JSON.</summary>
    protected static Event WireEvent(int number = 0, string type = "billing.invoice-paid.v2", string? correlationId = null, string? id = null)
    {
        var wire = new Event
        {
            EventId = id ?? Guid.NewGuid().ToString(),
            EventType = type,
            Json = $$"""{"invoice":"INV-{{number}}","amount":{"value":12.5,"currency":"EUR"},"lines":[1,2,3],"number":{{number}}}""",
            OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 12, 24, 18, 30, 0, TimeSpan.Zero).AddMinutes(number)),
        };
        if (correlationId is not null)
        {
            wire.CorrelationId = correlationId;
        }

        return wire;
    }

    protected static void AssertJsonEqual(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"JSON differs.\nExpected: {expected}\nActual:   {actual}");

    /// <summary>Checks a wire event against the one sent: the same envelope, and the same JSON text, character for character.</summary>
    protected static void AssertSameEvent(Event expected, Event actual)
    {
        Assert.Equal(expected.EventId, actual.EventId);
        Assert.Equal(expected.EventType, actual.EventType);
        Assert.Equal(expected.HasCorrelationId, actual.HasCorrelationId);
        Assert.Equal(expected.CorrelationId, actual.CorrelationId);
        Assert.Equal(expected.OccurredAt, actual.OccurredAt);
        Assert.Equal(expected.Json, actual.Json);
    }

    protected async Task<long> AppendAsync(string stream, params Event[] events)
    {
        var request = new AppendBatchRequest { StreamName = stream };
        request.Events.AddRange(events);
        return (await Client.AppendBatchAsync(request, cancellationToken: Timeout)).Offset;
    }

    protected async Task<List<StoredEvent>> ReadAllAsync(ReadStreamRequest request)
    {
        using var call = Client.ReadStream(request, cancellationToken: Timeout);
        var events = new List<StoredEvent>();
        while (await call.ResponseStream.MoveNext(Timeout))
        {
            events.Add(call.ResponseStream.Current);
        }

        return events;
    }

    /// <summary>A .NET event type's wire form as a client of another language writes it: the envelope in the message's
    /// fields only, and JSON with the payload alone, in its own order and spacing.</summary>
    protected Event BareDotnetEvent(string name, int number, string? correlationId = "req-7")
    {
        var wire = WireEvent(number, type: Serializer.GetEventTypeName(typeof(TestEvent)), correlationId: correlationId);
        wire.Json = $$"""{ "number": {{number}},  "name": "{{name}}" }""";
        return wire;
    }

    /// <summary>Runs a call that must fail, and returns its status and trailers.</summary>
    protected static async Task<RpcException> FailsWithAsync(StatusCode expected, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(e.StatusCode == expected, $"Expected {expected} but got {e.StatusCode}: {e.Status.Detail}");
        return e;
    }

    protected static async Task InvalidArgumentAsync(string parameterName, Func<Task> call)
    {
        var e = await FailsWithAsync(StatusCode.InvalidArgument, call);
        Assert.Equal(parameterName, e.Trailers.GetValue(EventStreamingGrpcMetadata.ParameterName));
        Assert.Contains(parameterName, e.Status.Detail, StringComparison.Ordinal);
    }
}
