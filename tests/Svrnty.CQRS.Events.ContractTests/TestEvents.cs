using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests;

/// <summary>A plain event used across the suites.</summary>
public sealed record TestEvent(string Name, int Number) : CorrelatedEvent;

/// <summary>An event with a richer shape, to show that a payload round-trips with record equality.</summary>
public sealed record RichEvent(Guid Id, decimal Amount, DateTimeOffset DueAt, RichEvent.Address ShipTo, string? Note) : CorrelatedEvent
{
    public sealed record Address(string Street, string City);
}

/// <summary>A type that is not an event, to show that a stored name never instantiates it.</summary>
public sealed class NotAnEvent
{
    public static int Instances { get; private set; }

    public NotAnEvent() => Instances++;

    public string? EventId { get; set; }
}

/// <summary>An event whose JSON is as large as its payload: over the 1 MiB default when the payload is.</summary>
public sealed record LargeEvent(string Payload) : CorrelatedEvent;

/// <summary>An event that cannot be serialized: a property getter throws.</summary>
public sealed record ExplodingEvent(int Number) : CorrelatedEvent
{
    public string Fuse => throw new InvalidOperationException("the getter of Fuse always throws");
}
