using System.Text.Json;
using System.Text.Json.Serialization;

namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// Writes an event held in a property typed <see cref="ICorrelatedEvent"/> with the properties of its own type, as
/// System.Text.Json does for <c>object</c>: without it, a <see cref="StoredEvent"/> returned by a minimal API would carry
/// only the event's id, correlation id and time, and none of its payload. Reading such a property back is not supported:
/// the JSON alone does not say which type to create (deserialize the payload into your own type instead).
/// </summary>
internal sealed class RuntimeTypeEventConverter : JsonConverter<ICorrelatedEvent>
{
    public override ICorrelatedEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException(
            $"An {nameof(ICorrelatedEvent)} cannot be read from JSON: the JSON does not say which event type to create. Read the payload into your own type.");

    public override void Write(Utf8JsonWriter writer, ICorrelatedEvent value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, value.GetType(), options);
}
