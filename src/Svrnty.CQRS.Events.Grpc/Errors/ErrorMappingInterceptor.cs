using System.Data.Common;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Grpc.Errors;

/// <summary>
/// Turns what the stores throw into status codes a client can act on, with no stack trace and no connection details:
/// <list type="bullet">
/// <item><see cref="ArgumentException"/>: <c>INVALID_ARGUMENT</c>, the message and a <c>parameter-name</c> trailer;</item>
/// <item><see cref="StreamConcurrencyException"/>: <c>ABORTED</c> (a failed test-and-set: read again and retry), the
/// message and <c>stream-name</c>, <c>expected-length</c> and <c>actual-length</c> trailers;</item>
/// <item><see cref="QueueLeaseLostException"/> (a batch acknowledges a message its consumer no longer holds):
/// <c>FAILED_PRECONDITION</c>, the message and <c>queue-name</c> and <c>event-id</c> trailers;</item>
/// <item><see cref="DbException"/> and <see cref="TimeoutException"/> (the database is down, unreachable or too slow):
/// <c>UNAVAILABLE</c> with a generic message; the exception is logged;</item>
/// <item>the client's own cancellation: <c>CANCELLED</c>;</item>
/// <item>anything else: <c>INTERNAL</c> with a generic message and the trace id; the exception is logged.</item>
/// </list>
/// <c>NOT_FOUND</c> is raised by the service itself (ack, nack or requeue of a message that is not there).
/// </summary>
internal sealed class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case ArgumentException argument:
            {
                var trailers = new Metadata();
                if (argument.ParamName is { Length: > 0 } name)
                {
                    trailers.Add(EventStreamingGrpcMetadata.ParameterName, name);
                }

                return new RpcException(new Status(StatusCode.InvalidArgument, argument.Message), trailers);
            }

            case StreamConcurrencyException concurrency:
                return new RpcException(new Status(StatusCode.Aborted, concurrency.Message), new Metadata
                {
                    { EventStreamingGrpcMetadata.StreamName, TrailerText(concurrency.StreamName) },
                    { EventStreamingGrpcMetadata.ExpectedLength, concurrency.ExpectedLength.ToString(CultureInfo.InvariantCulture) },
                    { EventStreamingGrpcMetadata.ActualLength, concurrency.ActualLength.ToString(CultureInfo.InvariantCulture) },
                });

            case QueueLeaseLostException leaseLost:
                return new RpcException(new Status(StatusCode.FailedPrecondition, leaseLost.Message), new Metadata
                {
                    { EventStreamingGrpcMetadata.QueueName, TrailerText(leaseLost.StreamName) },
                    { EventStreamingGrpcMetadata.EventId, TrailerText(leaseLost.EventId) },
                });

            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));

            case DbException or TimeoutException or OperationCanceledException:
                // A cancellation the client did not ask for is a timeout inside the server (a command timeout, for one).
                Log.StoreUnavailable(logger, exception, context.Method);
                return new RpcException(new Status(StatusCode.Unavailable, "The event store is unavailable; retry later."));

            default:
                var traceId = context.GetHttpContext()?.TraceIdentifier ?? string.Empty;
                Log.UnexpectedError(logger, exception, context.Method, traceId);
                return new RpcException(new Status(StatusCode.Internal, $"An internal error occurred (trace id {traceId})."));
        }
    }

    /// <summary>A name as a trailer value: HTTP/2 header values are ASCII, so the name is percent-encoded as gRPC encodes
    /// <c>grpc-message</c> (the UTF-8 bytes outside printable ASCII, and <c>%</c>, as <c>%XX</c>). A printable ASCII name
    /// without <c>%</c> (<c>order-42</c>) is sent as is; any client decodes it with a URL-unescape.</summary>
    internal static string TrailerText(string value)
    {
        if (value.All(c => c is >= ' ' and <= '~' and not '%'))
        {
            return value;
        }

        var text = new StringBuilder(value.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)' ' and <= (byte)'~' and not (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
