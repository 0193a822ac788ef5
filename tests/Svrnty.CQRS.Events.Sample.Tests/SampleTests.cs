using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Sample.Customers;
using Svrnty.CQRS.Events.Sample.Emails;
using Svrnty.CQRS.Events.Sample.Orders;
using Svrnty.CQRS.Events.Sample.Store;
using GrpcV1 = Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Sample.Tests;

/// <summary>The sample's order flow end to end over HTTP (and its gRPC service), written once and run on each backend
/// (<see cref="InMemorySampleTests"/>, <see cref="PostgresSampleTests"/>). Each test uses order ids and queue names
/// of its own; waits for the background consumers poll with a deadline.</summary>
public abstract class SampleTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : SampleApp
{
    private HttpClient Client => app.Client;

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public void The_app_runs_on_the_backend_its_configuration_names()
    {
        var store = app.Factory.Services.GetRequiredService<IEventStreamStore>();
        Assert.Contains(app.ExpectedStore, store.GetType().Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placing_an_order_appends_at_offset_zero_and_placing_it_again_is_a_conflict()
    {
        var id = NewId();
        var placed = await PlaceAsync(id, "ann@example.com");
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        Assert.Equal(new Appended($"order-{id}", 0), await placed.Content.ReadFromJsonAsync<Appended>());

        var again = await PlaceAsync(id, "ann@example.com");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var conflict = await again.Content.ReadFromJsonAsync<ConcurrencyConflict>();
        Assert.Equal(0, conflict!.ExpectedLength);
        Assert.True(conflict.ActualLength >= 1);

        var events = await ReadAsync($"order-{id}");
        var first = events[0];
        Assert.Equal((0L, "order-placed"), (first.Offset, first.EventType));
        Assert.Equal("Ann", ((JsonElement)first.Data).GetProperty("customer").GetString());
        Assert.DoesNotContain(events, e => e.EventType == "order-placed" && e.Offset > 0); // the conflicting place wrote nothing
    }

    [Fact]
    public async Task Placing_an_order_enqueues_its_confirmation_in_the_same_batch()
    {
        var id = NewId();
        await PlaceAsync(id, "ann@example.com");
        var conflict = await PlaceAsync(id, "other@example.com");
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        // The message was enqueued with the order (no consumer in between): once sent, the order records it, and the
        // confirmation's id is the one the batch gave it.
        var sent = await Deadline.UntilAsync(async () => (await ReadAsync($"order-{id}")).FirstOrDefault(e => e.EventType == "order-confirmation-sent"),
            e => e is not null, "the confirmation sent");
        Assert.Equal($"sent-confirmation-{id}", sent!.EventId);
        var attempts = (await Client.GetFromJsonAsync<List<MailAttempt>>("/emails"))!.Where(a => a.Subject.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Equal(["ann@example.com"], attempts.Select(a => a.To));
    }

    [Fact]
    public async Task A_customers_orders_are_counted_exactly_once_by_the_transactional_consumer()
    {
        var customer = $"cust-{NewId()}";
        foreach (var total in new[] { 12.50m, 30m })
        {
            var placed = await Client.PostAsJsonAsync("/orders", new PlaceOrder(NewId(), customer, "c@example.com", total));
            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        }

        var counted = await Deadline.UntilAsync(async () => await GetCustomerAsync(customer), t => t is { Orders: 2 }, "both orders counted");
        Assert.Equal(new CustomerTotal(customer, 2, 42.50m), counted);

        // Once the group is at the end of the log, the totals stay: each order was counted with the offset past it.
        await Deadline.UntilAsync(async () => (await Client.GetFromJsonAsync<List<ConsumerLag>>("/streams/$ce-order/consumers"))!,
            list => list.Any(l => l.ConsumerGroup == CustomerTotalsHandler.ConsumerGroup && l.Lag == 0), "the totals group caught up");
        Assert.Equal(new CustomerTotal(customer, 2, 42.50m), await GetCustomerAsync(customer));
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/customers/nobody-{NewId()}")).StatusCode);

        // Where the effect lives: in memory, events on customer-{name} appended by the consumer's batch; on PostgreSQL,
        // the sample's own table (so no such stream).
        var stream = await ReadAsync(StreamCustomerTotals.StreamName(customer));
        Assert.Equal(app.ExpectedStore == "InMemory" ? 2 : 0, stream.Count);
    }

    [Fact]
    public async Task The_projection_shows_the_order_and_its_confirmation()
    {
        var id = NewId();
        await PlaceAsync(id, "ann@example.com");

        var order = await Deadline.UntilAsync(() => GetOrderAsync(id), o => o is { ConfirmationSent: true }, "the order confirmed in the read model");
        Assert.Equal(("Ann", "ann@example.com", 12.50m, 2L), (order!.Customer, order.Email, order.Total, order.Version));
        var attempts = (await Client.GetFromJsonAsync<List<MailAttempt>>("/emails"))!.Where(a => a.Subject.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Equal([(1, true)], attempts.Select(a => (a.DeliveryCount, a.Sent)));
    }

    [Fact]
    public async Task A_refused_email_is_redelivered_and_sent_on_the_second_delivery()
    {
        var id = NewId();
        await PlaceAsync(id, "ann+retry@example.com");

        await Deadline.UntilAsync(() => GetOrderAsync(id), o => o is { ConfirmationSent: true }, "the order confirmed after a redelivery");
        var attempts = (await Client.GetFromJsonAsync<List<MailAttempt>>("/emails"))!.Where(a => a.Subject.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Equal([(1, false), (2, true)], attempts.Select(a => (a.DeliveryCount, a.Sent)));
        var sent = (await ReadAsync($"order-{id}")).Single(e => e.EventType == "order-confirmation-sent");
        Assert.Equal(2, ((JsonElement)sent.Data).GetProperty("deliveryCount").GetInt32());
    }

    [Fact]
    public async Task An_email_that_keeps_failing_is_dead_lettered_and_once_the_address_is_fixed_a_requeue_sends_it()
    {
        var id = NewId();
        await PlaceAsync(id, "bob@bounce.example");

        var deadLetters = await Deadline.UntilAsync(() => Client.GetFromJsonAsync<List<DeadLetterView>>("/queues/emails/dead-letters")!,
            list => list!.Any(d => OrderIdOf(d.Data) == id), "the confirmation in the emails dead letters");
        var deadLetter = deadLetters!.Single(d => OrderIdOf(d.Data) == id);
        Assert.Equal(ConfirmationSender.MaxDeliveryAttempts, deadLetter.DeliveryCount);
        Assert.Contains("MaxDeliveryAttempts", deadLetter.Reason, StringComparison.Ordinal);
        var queue = await Client.GetFromJsonAsync<QueueView>("/queues/emails");
        Assert.True(queue!.DeadLetters >= 1);
        Assert.Equal(ConfirmationSender.MaxDeliveryAttempts, queue.MaxDeliveryAttempts);
        Assert.False((await GetOrderAsync(id))?.ConfirmationSent);

        // Fix the address: a stale expected length is refused, the current one (read by the server) is accepted.
        var stale = await Client.PutAsJsonAsync($"/orders/{id}/email", new ChangeEmail("bob@example.com", ExpectedLength: 0));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var changed = await Client.PutAsJsonAsync($"/orders/{id}/email", new ChangeEmail("bob@example.com", ExpectedLength: null));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(1, (await changed.Content.ReadFromJsonAsync<Appended>())!.Offset);

        var requeue = await Client.PostAsync($"/queues/emails/dead-letters/{deadLetter.EventId}/requeue", null);
        Assert.Equal(HttpStatusCode.Accepted, requeue.StatusCode);
        var order = await Deadline.UntilAsync(() => GetOrderAsync(id), o => o is { ConfirmationSent: true }, "the requeued confirmation sent");
        Assert.Equal("bob@example.com", order!.Email);
        Assert.DoesNotContain(await Client.GetFromJsonAsync<List<DeadLetterView>>("/queues/emails/dead-letters") ?? [], d => OrderIdOf(d.Data) == id);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PostAsync($"/queues/emails/dead-letters/{deadLetter.EventId}/requeue", null)).StatusCode);
    }

    [Fact]
    public async Task Both_consumer_groups_of_the_order_category_log_catch_up_and_show_no_lag()
    {
        await PlaceAsync(NewId(), "ann@example.com");

        // "$" as is (as curl sends it) and percent-encoded: both name the log "$ce-order".
        var lags = await Deadline.UntilAsync(
            async () => (await Client.GetFromJsonAsync<List<ConsumerLag>>("/streams/$ce-order/consumers"))!,
            list => list.Count == 2 && list.All(l => l.Lag == 0), "both groups at the end of $ce-order");
        Assert.Equal([CustomerTotalsHandler.ConsumerGroup, OrderProjection.ConsumerGroup], lags.Select(l => l.ConsumerGroup).Order(StringComparer.Ordinal));
        Assert.All(lags, l => Assert.Equal("$ce-order", l.StreamName));
        var log = await Client.GetFromJsonAsync<StreamMetadata>("/streams/%24ce-order");
        Assert.Equal("$ce-order", log!.StreamName);
        Assert.True(log.Exists);
        Assert.All(lags, l => Assert.True(l.NextOffset <= log.Length && l.StreamLength <= log.Length));
        Assert.False((await Client.GetFromJsonAsync<StreamMetadata>("/streams/orders"))!.Exists); // no feed written twice
    }

    [Fact]
    public async Task An_order_event_is_appended_once_and_the_logs_show_it_with_its_own_stream_and_offset_at_a_position()
    {
        var id = NewId();
        var stream = $"order-{id}";
        await PlaceAsync(id, "ann@example.com");
        await Deadline.UntilAsync(() => GetOrderAsync(id), o => o is { ConfirmationSent: true }, "the order confirmed");

        var own = await ReadAsync(stream);
        Assert.Equal([(0L, "order-placed"), (1L, "order-confirmation-sent")], own.Select(e => (e.Offset, e.EventType)));
        Assert.All(own, e => Assert.Equal(e.Offset, e.Position));

        var category = await ReadLogAsync("$ce-order");
        Assert.Equal(Enumerable.Range(0, category.Count).Select(i => (long)i), category.Select(e => e.Position)); // gapless from 0
        Assert.All(category, e => Assert.StartsWith("order-", e.Stream, StringComparison.Ordinal));
        var inCategory = category.Where(e => e.Stream == stream).ToList();
        Assert.Equal(own.Select(e => (e.Stream, e.Offset, e.EventId)), inCategory.Select(e => (e.Stream, e.Offset, e.EventId)));
        Assert.True(inCategory[0].Position < inCategory[1].Position);

        var all = await ReadLogAsync("%24all");
        Assert.Equal(own.Select(e => (e.Offset, e.EventId)), all.Where(e => e.Stream == stream).Select(e => (e.Offset, e.EventId)));
        Assert.Contains(all, e => e.Stream == ActivityLog.Stream); // $all holds every stream, not only the categorized ones
    }

    [Fact]
    public async Task Appending_to_a_log_stream_is_a_bad_request_and_writes_nothing()
    {
        var text = $"refused {NewId()}";

        var response = await Client.PostAsJsonAsync("/streams/$all/events", new AppendNote(text, null));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("streamName", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsJsonAsync("/streams/$ce-order/events", new AppendNote(text, null))).StatusCode);
        Assert.DoesNotContain(await ReadLogAsync("$all"), e => ((JsonElement)e.Data).TryGetProperty("text", out var t) && t.GetString() == text);
    }

    [Fact]
    public async Task Streams_can_be_appended_with_an_expected_length_read_from_an_offset_and_described()
    {
        var stream = $"notes-{NewId()}";
        foreach (var (text, expected) in new[] { ("one", 0L), ("two", 1L), ("three", 2L) })
        {
            var appended = await Client.PostAsJsonAsync($"/streams/{stream}/events", new AppendNote(text, expected));
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Conflict, (await Client.PostAsJsonAsync($"/streams/{stream}/events", new AppendNote("late", 1))).StatusCode);
        var fromOne = await ReadAsync(stream, from: 1);
        Assert.Equal([(1L, "two"), (2L, "three")], fromOne.Select(e => (e.Offset, ((JsonElement)e.Data).GetProperty("text").GetString())));
        var metadata = await Client.GetFromJsonAsync<StreamMetadata>($"/streams/{stream}");
        Assert.Equal((true, 3L, 3L, 0L, 2L), (metadata!.Exists, metadata.Length, metadata.RetainedCount, metadata.OldestEventOffset, metadata.NewestEventOffset));
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync($"/streams/{stream}/events?from=-1")).StatusCode);
    }

    [Fact]
    public async Task Queue_messages_are_leased_acknowledged_dead_lettered_and_requeued()
    {
        var queue = $"jobs-{NewId()}";
        var first = (await (await Client.PostAsJsonAsync($"/queues/{queue}/messages", new EnqueueWork("resize photo", EventId: "job-1"))).Content.ReadFromJsonAsync<Enqueued>())!;
        Assert.Equal("job-1", first.EventId);
        var second = (await (await Client.PostAsJsonAsync($"/queues/{queue}/messages", new EnqueueWork("send invoice"))).Content.ReadFromJsonAsync<Enqueued>())!;

        var leased = await (await Client.PostAsync($"/queues/{queue}/dequeue?consumer=w1&visibilitySeconds=60", null)).Content.ReadFromJsonAsync<MessageView>();
        Assert.Equal((first.EventId, "w1", 1), (leased!.EventId, leased.ConsumerId, leased.DeliveryCount));
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PostAsync($"/queues/{queue}/messages/{first.EventId}/ack?consumer=w2", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.PostAsync($"/queues/{queue}/messages/{first.EventId}/ack?consumer=w1", null)).StatusCode);

        var next = await (await Client.PostAsync($"/queues/{queue}/dequeue?consumer=w2", null)).Content.ReadFromJsonAsync<MessageView>();
        Assert.Equal(second.EventId, next!.EventId);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.PostAsync($"/queues/{queue}/dequeue?consumer=w3", null)).StatusCode); // nothing visible
        Assert.Equal(HttpStatusCode.NoContent, (await Client.PostAsync($"/queues/{queue}/messages/{second.EventId}/nack?consumer=w2&deadLetter=true", null)).StatusCode);

        var deadLetters = await Client.GetFromJsonAsync<List<DeadLetterView>>($"/queues/{queue}/dead-letters");
        Assert.Equal([second.EventId], deadLetters!.Select(d => d.EventId));
        Assert.Equal(new QueueView(queue, 0, 1, 5), await Client.GetFromJsonAsync<QueueView>($"/queues/{queue}"));
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostAsync($"/queues/{queue}/dead-letters/{second.EventId}/requeue", null)).StatusCode);
        Assert.Equal(new QueueView(queue, 1, 0, 5), await Client.GetFromJsonAsync<QueueView>($"/queues/{queue}"));
    }

    [Fact]
    public async Task Retention_keeps_the_newest_events_of_the_noisy_activity_stream_and_offsets_are_kept()
    {
        for (var i = 0; i < SampleApp.ActivityMaxEvents + 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await Client.PostAsJsonAsync("/streams/activity/events", new AppendNote($"noise {i}", null))).StatusCode);
        }

        var run = await (await Client.PostAsync("/retention/run", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(run.GetProperty("eventsDeleted").GetInt64() >= 3);
        var metadata = await Client.GetFromJsonAsync<StreamMetadata>("/streams/activity");
        Assert.Equal(SampleApp.ActivityMaxEvents, metadata!.RetainedCount);
        Assert.Equal(metadata.Length - SampleApp.ActivityMaxEvents, metadata.OldestEventOffset);
        var events = await ReadAsync("activity", from: 0);
        Assert.Equal(metadata.OldestEventOffset, events[0].Offset); // a read from 0 starts at the oldest retained
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_endpoints()
    {
        var document = await Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/orders", "/orders/{orderId}", "/streams/{stream}/events", "/streams/{stream}/consumers",
                     "/queues/{queue}/dequeue", "/queues/{queue}/dead-letters/{eventId}/requeue" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is not in the OpenAPI document");
        }
    }

    [Fact]
    public async Task The_health_endpoint_reports_the_store_healthy()
    {
        var response = await Client.GetAsync("/health");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Json_responses_and_problems_end_with_a_newline_so_curl_output_does_not_run_together()
    {
        var json = await Client.GetAsync("/emails");
        var problem = await Client.GetAsync("/streams/%20/events?from=0");

        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("]\n", await json.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, problem.StatusCode);
        Assert.EndsWith("}\n", await problem.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gRPC_service_is_hosted_next_to_the_HTTP_endpoints()
    {
        var id = NewId();
        await PlaceAsync(id, "ann@example.com");
        using var channel = GrpcChannel.ForAddress(app.Factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = app.Factory.Server.CreateHandler() });
        var grpc = new GrpcV1.EventStreaming.EventStreamingClient(channel);

        var metadata = await grpc.GetStreamMetadataAsync(new GrpcV1.GetStreamMetadataRequest { StreamName = $"order-{id}" });
        Assert.True(metadata.Exists);
        Assert.True(metadata.Length >= 1);
    }

    private Task<HttpResponseMessage> PlaceAsync(string id, string email) =>
        Client.PostAsJsonAsync("/orders", new PlaceOrder(id, "Ann", email, 12.50m));

    private async Task<CustomerTotal?> GetCustomerAsync(string customer)
    {
        var response = await Client.GetAsync($"/customers/{customer}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<CustomerTotal>();
    }

    private async Task<Order?> GetOrderAsync(string id)
    {
        var response = await Client.GetAsync($"/orders/{id}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<Order>();
    }

    private async Task<List<EventView>> ReadAsync(string stream, long from = 0) =>
        (await Client.GetFromJsonAsync<List<EventView>>($"/streams/{stream}/events?from={from}"))!;

    /// <summary>A log stream from its start, page by page: each page from the last position read + 1.</summary>
    private async Task<List<EventView>> ReadLogAsync(string log)
    {
        var events = new List<EventView>();
        while (await ReadAsync(log, from: events.Count == 0 ? 0 : events[^1].Position + 1) is { Count: > 0 } page)
        {
            events.AddRange(page);
        }

        return events;
    }

    private static string? OrderIdOf(object data) =>
        ((JsonElement)data).TryGetProperty("orderId", out var orderId) ? orderId.GetString() : null;
}

public sealed class InMemorySampleTests(InMemorySampleApp app) : SampleTests<InMemorySampleApp>(app);

public sealed class PostgresSampleTests(PostgresSampleApp app) : SampleTests<PostgresSampleApp>(app);
