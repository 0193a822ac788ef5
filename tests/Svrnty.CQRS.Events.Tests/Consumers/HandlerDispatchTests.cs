using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.Tests.Consumers;

public sealed class HandlerDispatchTests
{
    private interface IShipping : ICorrelatedEvent;

    private interface IBilling : ICorrelatedEvent;

    private sealed record Shipped : CorrelatedEvent, IShipping;

    private sealed record Invoiced : CorrelatedEvent, IShipping, IBilling;

    private sealed record Unrelated : CorrelatedEvent;

    private sealed class TwoInterfaces : IEventStreamHandler<IShipping>, IEventStreamHandler<IBilling>
    {
        public Task HandleAsync(IShipping @event, StoredEvent storedEvent, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task HandleAsync(IBilling @event, StoredEvent storedEvent, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public void A_type_is_resolved_once_to_the_handled_type_it_is_and_an_unhandled_type_to_no_call()
    {
        var dispatch = HandlerDispatch.ForStream(typeof(TwoInterfaces), transactional: false);

        Assert.Equal([typeof(IBilling), typeof(IShipping)], dispatch.HandledTypes.OrderBy(t => t.Name));
        var shipped = dispatch.Find(typeof(Shipped));
        Assert.NotNull(shipped);
        Assert.Same(shipped, dispatch.Find(typeof(Shipped))); // cached: no reflection for the next event of that type
        Assert.Null(dispatch.Find(typeof(Unrelated)));
    }

    [Fact]
    public async Task An_event_that_is_two_unrelated_handled_types_fails_its_call_naming_both()
    {
        var dispatch = HandlerDispatch.ForStream(typeof(TwoInterfaces), transactional: false);
        var call = dispatch.Find(typeof(Invoiced))!;
        var stored = new StoredEvent
        {
            StreamName = "s", Offset = 0, EventId = "e", EventType = "invoiced", Event = new Invoiced(), Json = "{}", Timestamp = DateTimeOffset.UnixEpoch,
        };

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => call(new TwoInterfaces(), stored, null, CancellationToken.None));

        Assert.Contains("TwoInterfaces handles IBilling and IShipping", e.Message, StringComparison.Ordinal);
    }
}
