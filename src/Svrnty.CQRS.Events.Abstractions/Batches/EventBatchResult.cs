namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>What a written <see cref="EventBatch"/> returns.</summary>
public sealed class EventBatchResult
{
    /// <summary>Creates the result.</summary>
    /// <param name="offsets">For each append of the batch, in order, the offset of its last event.</param>
    public EventBatchResult(IReadOnlyList<long> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        Offsets = offsets;
    }

    /// <summary>For each <c>Append</c> of the batch, in the order they were added, the offset of its last event (the
    /// existing offset when every event of that append was already in the stream, as for a single append).</summary>
    public IReadOnlyList<long> Offsets { get; }
}
