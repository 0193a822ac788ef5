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
