using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.ContractTests.Consumers;
using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Tests;

/// <summary>A real outage: the PostgreSQL backend pointed at a port where no server listens.</summary>
public sealed class PostgresOutageTests
{
    [Fact]
    public async Task Every_call_is_UNAVAILABLE_and_the_client_learns_nothing_about_the_database()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        } // closed again: connections to it are refused

        await using var app = await TestApp.StartAsync(services =>
        {
            services.AddPostgresEventStreaming(o =>
            {
                o.ConnectionString = $"Host=127.0.0.1;Port={port};Username=svrnty;Password=hunter2;Database=events;Timeout=5";
                o.AutoMigrate = false;
                o.EnableNotifications = false;
            });
            services.AddEventStreamingGrpc();
        });
        using var timeout = new CancellationTokenSource(Deadline.Default);

        var calls = new Func<Task>[]
        {
            () => app.Client.GetStreamLengthAsync(new GetStreamLengthRequest { StreamName = "s" }, cancellationToken: timeout.Token).ResponseAsync,
            () => app.Client.AppendAsync(new AppendRequest
            {
                StreamName = "s", Event = new Event { EventId = "e1", EventType = "t", Json = "{}" },
            }, cancellationToken: timeout.Token).ResponseAsync,
            () => app.Client.DequeueAsync(new DequeueRequest
            {
                QueueName = "q", ConsumerId = "c", VisibilityTimeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(5)),
            }, cancellationToken: timeout.Token).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.Unavailable, e.StatusCode);
            var everything = e.Status.Detail + string.Join(";", e.Trailers.Select(t => t.Value));
            Assert.DoesNotContain("hunter2", everything, StringComparison.Ordinal);
            Assert.DoesNotContain(port.ToString(System.Globalization.CultureInfo.InvariantCulture), everything, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", everything, StringComparison.Ordinal);
        }
    }
}
