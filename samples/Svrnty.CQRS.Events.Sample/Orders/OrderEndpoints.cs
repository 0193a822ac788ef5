using Microsoft.AspNetCore.Http.HttpResults;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Sample.Orders;

internal sealed record PlaceOrder(string OrderId, string Customer, string Email, decimal Total);

internal sealed record ChangeEmail(string Email, long? ExpectedLength);

internal sealed record Appended(string Stream, long Offset);

/// <summary>The order commands (each appends to the order's stream with an expected length) and queries (the read
/// model the projection keeps).</summary>
internal static class OrderEndpoints
{
    public static void MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/orders").WithTags("Orders");
        orders.MapPost("/", PlaceAsync).WithSummary("Place an order: the first event of stream order-{id} (expectedLength 0) and its confirmation email, in one batch.");
        orders.MapPut("/{orderId}/email", ChangeEmailAsync).WithSummary("Correct the email: read, decide, append with the length read.");
        orders.MapGet("/", (OrderReadModel readModel) => TypedResults.Ok(readModel.All())).WithSummary("The read model.");
        orders.MapGet("/{orderId}", Results<Ok<Order>, NotFound> (string orderId, OrderReadModel readModel) =>
            readModel.Find(orderId) is { } order ? TypedResults.Ok(order) : TypedResults.NotFound()).WithSummary("One order, as projected.");
    }

    private static async Task<Results<Created<Appended>, Conflict<ConcurrencyConflict>>> PlaceAsync(
        PlaceOrder command, OrderStreams orders, ActivityLog activity, CancellationToken cancellationToken)
    {
        try
        {
            // The order and its confirmation email in one commit. expectedLength 0: the stream must not exist yet, so
            // placing the same order twice is a conflict (and enqueues nothing).
            var placed = new OrderPlaced(command.OrderId, command.Customer, command.Email, command.Total);
            var offset = await orders.PlaceAsync(placed, cancellationToken);
            await activity.RecordAsync($"order {command.OrderId} placed", cancellationToken);
            return TypedResults.Created($"/orders/{command.OrderId}", new Appended(Order.StreamName(command.OrderId), offset));
        }
        catch (StreamConcurrencyException e)
        {
            return TypedResults.Conflict(ConcurrencyConflict.From(e));
        }
    }

    private static async Task<Results<Ok<Appended>, NotFound, Conflict<ConcurrencyConflict>>> ChangeEmailAsync(
        string orderId, ChangeEmail command, OrderStreams orders, ActivityLog activity, CancellationToken cancellationToken)
    {
        var order = await orders.LoadAsync(orderId, cancellationToken);
        if (order is null)
        {
            return TypedResults.NotFound();
        }

        try
        {
            // The client's expected length (what it last read), else the length we just read: either way a write
            // that happened in between makes this one fail instead of silently overwriting it.
            var offset = await orders.AppendAsync(orderId, new OrderEmailChanged(orderId, command.Email),
                command.ExpectedLength ?? order.Version, cancellationToken);
            await activity.RecordAsync($"order {orderId} email changed", cancellationToken);
            return TypedResults.Ok(new Appended(Order.StreamName(orderId), offset));
        }
        catch (StreamConcurrencyException e)
        {
            return TypedResults.Conflict(ConcurrencyConflict.From(e));
        }
    }
}

/// <summary>The body of a 409: what the writer expected and what the stream has.</summary>
internal sealed record ConcurrencyConflict(string Title, string Detail, string Stream, long ExpectedLength, long ActualLength)
{
    public static ConcurrencyConflict From(StreamConcurrencyException e) =>
        new("Stream concurrency conflict", e.Message, e.StreamName, e.ExpectedLength, e.ActualLength);
}

/// <summary>Appends a line to the noisy <c>activity</c> stream, which a retention policy keeps short.</summary>
internal sealed class ActivityLog(IEventStreamWriter writer)
{
    public const string Stream = "activity";

    public Task<long> RecordAsync(string text, CancellationToken cancellationToken) =>
        writer.AppendAsync(Stream, new Note(text), cancellationToken);
}
