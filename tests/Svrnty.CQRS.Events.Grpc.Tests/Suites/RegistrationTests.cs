using System.Security.Claims;
using System.Text.Encodings.Web;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Tests.Suites;

/// <summary>AddEventStreamingGrpc and MapEventStreamingGrpc as an application uses them, protection included.</summary>
public abstract class RegistrationTests(GrpcServer server) : GrpcSuite(server)
{
    [Fact]
    public async Task Registering_twice_adds_the_error_mapping_once_and_works()
    {
        await using var app = await Server.StartAppAsync(services => services.AddEventStreamingGrpc().AddEventStreamingGrpc());

        // The service type is internal: find its options by name, as a check on the registration only.
        var serviceType = typeof(EventStreamingGrpcOptions).Assembly.GetType("Svrnty.CQRS.Events.Grpc.Service.EventStreamingService", throwOnError: true)!;
        var optionsType = typeof(IOptions<>).MakeGenericType(typeof(GrpcServiceOptions<>).MakeGenericType(serviceType));
        var options = (GrpcServiceOptions)optionsType.GetProperty("Value")!.GetValue(app.Services.GetRequiredService(optionsType))!;
        Assert.Single(options.Interceptors);

        var stream = NewName();
        await app.Client.AppendAsync(new AppendRequest { StreamName = stream, Event = WireEvent() }, cancellationToken: Timeout);
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            app.Client.AppendAsync(new AppendRequest { StreamName = stream, Event = WireEvent(), ExpectedLength = 0 }, cancellationToken: Timeout).ResponseAsync);
        Assert.Equal(StatusCode.Aborted, e.StatusCode);
    }

    [Fact]
    public async Task Mapping_without_registering_says_what_to_call()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Server.StartAppAsync(configureApp: app => app.MapEventStreamingGrpc()));
        Assert.Contains("AddEventStreamingGrpc()", e.Message, StringComparison.Ordinal);

        var noBackend = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestApp.StartAsync(services => services.AddEventStreamingGrpc(), app => app.MapEventStreamingGrpc()));
        Assert.Contains("AddInMemoryEventStorage()", noBackend.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_fail_at_startup()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => Server.StartAppAsync(services => services.AddEventStreamingGrpc(o => o.PageSize = 0)));
        Assert.Contains("PageSize", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_endpoints_can_require_authorization()
    {
        await using var app = await Server.StartAppAsync(
            services =>
            {
                services.AddEventStreamingGrpc();
                services.AddAuthentication(TokenHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TokenHandler>(TokenHandler.SchemeName, null);
                services.AddAuthorizationBuilder().AddPolicy("event-streaming", p => p.RequireClaim("scope", "events"));
            },
            web =>
            {
                web.UseAuthentication();
                web.UseAuthorization();
                web.MapEventStreamingGrpc().RequireAuthorization("event-streaming");
            });
        var request = new GetStreamLengthRequest { StreamName = NewName() };

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => app.Client.GetStreamLengthAsync(request, cancellationToken: Timeout).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        var withToken = new Metadata { { "authorization", $"Bearer {TokenHandler.Token}" } };
        Assert.Equal(0, (await app.Client.GetStreamLengthAsync(request, withToken, cancellationToken: Timeout)).Length);
    }

    /// <summary>A stand-in for JWT bearer authentication: one fixed token with the "events" scope.</summary>
    private sealed class TokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Test";
        public const string Token = "let-me-in";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers.Authorization.ToString() != $"Bearer {Token}")
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim("scope", "events")], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
