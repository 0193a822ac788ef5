using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.Sample.Emails;

namespace Svrnty.CQRS.Events.Sample;

/// <summary>Bad input (an empty or over-long name, a negative offset, ...) is a 400 with the store's message.</summary>
internal sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (ArgumentException or BadHttpRequestException))
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status400BadRequest, Title = "Bad request", Detail = exception.Message },
        });
    }
}

internal static partial class Startup
{
    /// <summary>OpenTelemetry metrics and traces of the library (meter and ActivitySource "Svrnty.CQRS.Events") and of
    /// ASP.NET Core, printed to the console. Opt-in (<c>--Telemetry:Console=true</c>): it is verbose.</summary>
    public static void AddConsoleTelemetry(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue("Telemetry:Console", false))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(EventStreamingTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 10_000))
            .WithTracing(tracing => tracing
                .AddSource(EventStreamingTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddConsoleExporter());
    }

    /// <summary>Ends every JSON or plain-text response with a newline, so that the responses of a curl session do not run
    /// together. Responses with a Content-Length (which a newline would break), gRPC and server-sent events are left as they are.</summary>
    public static IApplicationBuilder UseTrailingNewline(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);
        var type = context.Response.ContentType;
        if (type is not null && context.Response.ContentLength is null && !context.RequestAborted.IsCancellationRequested
            && (type.Contains("json", StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase)))
        {
            await context.Response.WriteAsync("\n", context.RequestAborted);
        }
    });

    /// <summary>Once listening, logs where and what to try first.</summary>
    public static void LogStartupHint(this WebApplication app, string backend)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            // Under a test server there are no addresses: nothing to say.
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            if (addresses is { Count: > 0 })
            {
                if (!string.IsNullOrWhiteSpace(app.Configuration["urls"]))
                {
                    LogUrlsIgnored(app.Logger, app.Configuration["urls"]!);
                }

                var http = app.Configuration["Kestrel:Endpoints:Http:Url"] ?? addresses.First();
                var grpc = app.Configuration["Kestrel:Endpoints:Grpc:Url"] ?? http;
                LogListening(app.Logger, backend, http, grpc);
            }
        });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Order sample ({Backend}) on {Url} (OpenAPI: {Url}/openapi/v1.json; gRPC, HTTP/2 cleartext: {GrpcUrl}). Try: curl -i {Url}/orders -H 'Content-Type: application/json' -d '{{\"orderId\":\"42\",\"customer\":\"Ann\",\"email\":\"ann@example.com\",\"total\":99.90}}'")]
    private static partial void LogListening(ILogger logger, string backend, string url, string grpcUrl);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "--urls {Urls} is ignored: the sample's two endpoints are set in appsettings.json (Kestrel:Endpoints), which win over --urls. Move them with --Kestrel:Endpoints:Http:Url=http://localhost:6000 --Kestrel:Endpoints:Grpc:Url=http://localhost:6001")]
    private static partial void LogUrlsIgnored(ILogger logger, string urls);
}
