using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Sample.Orders;

/// <summary>An order was placed: the first event of its stream <c>order-{OrderId}</c>.</summary>
internal sealed record OrderPlaced(string OrderId, string Customer, string Email, decimal Total) : CorrelatedEvent;

/// <summary>The customer corrected the address the confirmation goes to.</summary>
internal sealed record OrderEmailChanged(string OrderId, string Email) : CorrelatedEvent;

/// <summary>The confirmation email went out (appended by the queue consumer that sent it).</summary>
internal sealed record OrderConfirmationSent(string OrderId, string Email, int DeliveryCount) : CorrelatedEvent;

/// <summary>A free-form event, for the generic append endpoint and the noisy <c>activity</c> stream.</summary>
internal sealed record Note(string Text) : CorrelatedEvent;

/// <summary>The queue message that asks for an order's confirmation email.</summary>
internal sealed record SendOrderConfirmation(string OrderId) : CorrelatedEvent;

/// <summary>A free-form queue message, for the generic enqueue endpoint.</summary>
internal sealed record WorkItem(string Text) : CorrelatedEvent;
