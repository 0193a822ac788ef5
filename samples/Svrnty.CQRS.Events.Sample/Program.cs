using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Sample;
using Svrnty.CQRS.Events.Sample.Customers;
using Svrnty.CQRS.Events.Sample.Emails;
using Svrnty.CQRS.Events.Sample.Orders;
using Svrnty.CQRS.Events.Sample.Store;

// An order flow on every capability of Svrnty.CQRS.Events: per-order streams written with an expected length, each
// order appended together with its confirmation email in one atomic batch, hosted consumers that follow them all
// through the category log $ce-order the store keeps (one projects them into a read model, one counts each customer's
// orders exactly once: its effect commits with its offset), the email sent through a queue by a hosted queue consumer
// (with redeliveries and dead letters), retention on a noisy stream, consumer lag, the gRPC service, OpenAPI and opt-in console telemetry. In memory by
// default; PostgreSQL when ConnectionStrings:EventStreaming is set.
var builder = WebApplication.CreateBuilder(args);

// #region sample-backend
var connectionString = builder.Configuration.GetConnectionString("EventStreaming");
if (!string.IsNullOrWhiteSpace(connectionString))
{
    builder.Services.AddPostgresEventStreaming(connectionString); // migrations run at startup, before the consumers
}
else
{
    builder.Services.AddInMemoryEventStorage();
}
// #endregion

// #region sample-event-types
// Stable names in storage, so renaming or moving a class does not orphan the events already stored.
builder.Services.ConfigureEventSerialization(options => options
    .MapEventType<OrderPlaced>("order-placed")
    .MapEventType<OrderEmailChanged>("order-email-changed")
    .MapEventType<OrderConfirmationSent>("order-confirmation-sent")
    .MapEventType<SendOrderConfirmation>("send-order-confirmation")
    .MapEventType<Note>("note")
    .MapEventType<WorkItem>("work-item")
    .MapEventType<OrderCounted>("order-counted"));
// #endregion

// #region sample-consumers
// Both follow every order-{id} stream through their category's log, "$ce-order": one append per command, no feed to keep.
builder.Services.AddEventStreamConsumer<OrderProjection>(LogStreams.Category("order"), OrderProjection.ConsumerGroup);
// Exactly once: each customer's totals change in the same commit as this group's offset (in memory through the
// consumer's batch, on PostgreSQL in a table of the sample's own, on the consumer's transaction).
builder.Services.AddCustomerTotals(connectionString); // before its consumer: on PostgreSQL it creates the table at startup
builder.Services.AddTransactionalEventStreamConsumer<CustomerTotalsHandler>(LogStreams.Category("order"), CustomerTotalsHandler.ConsumerGroup);
builder.Services.AddQueueConsumer<ConfirmationSender>(ConfirmationSender.Queue, options =>
{
    options.Concurrency = 2;
    options.VisibilityTimeout = TimeSpan.FromSeconds(30);
    options.MaxDeliveryAttempts = ConfirmationSender.MaxDeliveryAttempts; // set on the queue at startup
});
// #endregion

// #region sample-retention
builder.Services.AddEventStreamRetention(options =>
{
    options.Interval = builder.Configuration.GetValue("Retention:Interval", TimeSpan.FromSeconds(30));
    options.AddRetentionPolicy(ActivityLog.Stream, maxEventCount: builder.Configuration.GetValue("Retention:ActivityMaxEvents", 100L));
});
// #endregion

builder.Services.AddSingleton<OrderStreams>();
builder.Services.AddSingleton<OrderReadModel>();
builder.Services.AddSingleton<ActivityLog>();
builder.Services.AddSingleton<MailServer>();
builder.Services.AddEventStreamingGrpc();
builder.Services.AddHealthChecks().AddEventStreaming(o => o.MaxDeadLetters = null); // the sample's dead letters are on purpose
builder.Services.AddOpenApi();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<BadRequestHandler>();
builder.AddConsoleTelemetry(); // only with --Telemetry:Console=true

var app = builder.Build();
app.UseTrailingNewline(); // curl prints one response per line
app.UseExceptionHandler();
app.MapOpenApi();
app.MapOrderEndpoints();
app.MapCustomerEndpoints();
app.MapStoreEndpoints();
app.MapHealthChecks("/health");
app.MapGet("/emails", (MailServer mail) => mail.Attempts).WithTags("Emails").WithSummary("Every send attempt of the fake mail server.");
app.MapEventStreamingGrpc(); // gRPC on its own HTTP/2 port (Kestrel:Endpoints:Grpc): HTTP/2 without TLS needs prior knowledge (README.md)
app.LogStartupHint(backend: string.IsNullOrWhiteSpace(connectionString) ? "in-memory" : "PostgreSQL");
await app.RunAsync();

/// <summary>The entry point; public so that tests can start the sample with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
