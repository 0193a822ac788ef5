using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;

/// <summary>
/// A real ASP.NET Core application on Kestrel, listening on a free loopback port with HTTP/2 over cleartext, and a
/// client generated from the shipped .proto talking to it over a real socket.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
        Client = new EventStreaming.EventStreamingClient(Channel);
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public EventStreaming.EventStreamingClient Client { get; }

    /// <summary>Builds and starts an application: <paramref name="configureServices"/> registers what it needs,
    /// <paramref name="configureApp"/> maps endpoints (by default <c>MapEventStreamingGrpc()</c>).</summary>
    public static async Task<TestApp> StartAsync(Action<IServiceCollection> configureServices, Action<WebApplication>? configureApp = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        configureServices(builder.Services);
        var app = builder.Build();
        if (configureApp is null)
        {
            app.MapEventStreamingGrpc();
        }
        else
        {
            configureApp(app);
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TestApp(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose(); // cancels the client's open calls, so the server's subscriptions end before it stops
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
