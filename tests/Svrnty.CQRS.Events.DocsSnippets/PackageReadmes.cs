using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.DocsSnippets.ConsumersPage;

namespace Svrnty.CQRS.Events.DocsSnippets.PackageReadmes
{
    /// <summary>The code of the packages' READMEs (src/*/README.md), compiled.</summary>
    public static class PackageReadmeSnippets
    {
        public static void Events(WebApplicationBuilder builder)
        {
            #region package-events
            builder.Services.AddInMemoryEventStorage(); // or AddPostgresEventStreaming(connectionString)
            builder.Services.ConfigureEventSerialization(o => o.MapEventType<OrderPlaced>("order-placed"));
            builder.Services.AddEventStreamConsumer<OrderProjection>("orders", consumerGroup: "order-read-model");
            builder.Services.AddQueueConsumer<ReceiptSender>("emails", o => o.Concurrency = 4);
            builder.Services.AddEventStreamRetention(o => o.AddRetentionPolicy("activity", maxEventCount: 10_000));
            #endregion
        }

        public static void InMemory(WebApplicationBuilder builder)
        {
            #region package-in-memory
            builder.Services.AddInMemoryEventStorage();
            #endregion
        }

        public static void Postgres(WebApplicationBuilder builder, string connectionString)
        {
            #region package-postgresql
            builder.Services.AddPostgresEventStreaming(builder.Configuration.GetConnectionString("EventStreaming")!);

            // or with options
            builder.Services.AddPostgresEventStreaming(o =>
            {
                o.ConnectionString = connectionString; // null: use the NpgsqlDataSource you registered
                o.SchemaName = "event_streaming";     // default
                o.AutoMigrate = true;                  // default: migrate at startup; false: a DBA runs the SQL
            });
            #endregion
        }

        public static void Grpc(WebApplicationBuilder builder)
        {
            #region package-grpc
            builder.Services.AddInMemoryEventStorage();   // or AddPostgresEventStreaming(...)
            builder.Services.AddEventStreamingGrpc();

            var app = builder.Build();
            app.MapEventStreamingGrpc().RequireAuthorization("event-streaming"); // these endpoints read and write everything: protect them
            #endregion
        }

        public static void HealthChecks(WebApplicationBuilder builder, WebApplication app)
        {
            #region package-health-checks
            builder.Services.AddHealthChecks().AddEventStreaming(o =>
            {
                o.MaxConsumerLag = 5_000;   // a watched consumer group further behind → Degraded
                o.MaxDeadLetters = 0;       // a watched queue with dead letters → Degraded
            }, tags: ["ready"]);
            app.MapHealthChecks("/health/ready");
            #endregion
        }
    }
}

namespace Svrnty.CQRS.Events.DocsSnippets.PackageReadmes.Abstractions
{
    #region package-abstractions
    public sealed record OrderPlaced(string OrderId, decimal Total) : CorrelatedEvent; // EventId (UUIDv7) and OccurredAt filled in

    public sealed class Checkout(IEventStreamStore store)
    {
        public Task<long> PlaceAsync(OrderPlaced placed, CancellationToken ct) =>
            store.AppendAsync($"order-{placed.OrderId}", [placed], expectedLength: 0, ct); // StreamConcurrencyException if it exists
    }
    #endregion
}
