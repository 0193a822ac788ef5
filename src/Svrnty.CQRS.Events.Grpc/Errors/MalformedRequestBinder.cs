using Google.Protobuf;
using Grpc.Core;

namespace Svrnty.CQRS.Events.Grpc.Errors;

/// <summary>
/// Binds the service's methods with request marshallers that turn a body that is not a valid message (malformed
/// protobuf, or a string field that is not UTF-8) into <c>INVALID_ARGUMENT</c> with the <c>parameter-name</c> trailer
/// <c>request</c>. grpc-dotnet reads the request before any interceptor runs, and reports any other exception from the
/// marshaller as <c>UNKNOWN</c> with the stack trace logged as an error; an <see cref="RpcException"/> thrown there is
/// sent as it is.
/// </summary>
internal sealed class MalformedRequestBinder(ServiceBinderBase inner) : ServiceBinderBase
{
    /// <summary>The <c>parameter-name</c> trailer of a request that could not be read.</summary>
    public const string RequestParameter = "request";

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Guarded(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Guarded(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Guarded(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Guarded(method), handler);

    private static Method<TRequest, TResponse> Guarded<TRequest, TResponse>(Method<TRequest, TResponse> method)
    {
        var marshaller = method.RequestMarshaller;
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name,
            Marshallers.Create(marshaller.ContextualSerializer, context => Read(marshaller, context)), method.ResponseMarshaller);
    }

    private static T Read<T>(Marshaller<T> marshaller, DeserializationContext context)
    {
        try
        {
            return marshaller.ContextualDeserializer(context);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The request is not a valid message: {e.Message}"),
                new Metadata { { EventStreamingGrpcMetadata.ParameterName, RequestParameter } });
        }
    }
}
