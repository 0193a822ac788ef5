namespace Svrnty.CQRS.Events.Queues;

/// <summary>The reasons backends record on dead letters, worded the same on every backend.</summary>
internal static class DeadLetterReasons
{
    /// <summary>The reason for a message that was delivered as often as the queue allows.</summary>
    /// <param name="deliveryCount">How many times it was delivered.</param>
    /// <returns>The reason.</returns>
    public static string MaxDeliveryAttemptsExceeded(int deliveryCount) =>
        $"MaxDeliveryAttempts reached after {deliveryCount} deliveries";

    /// <summary>The reason for a message a consumer rejected with <c>NackAsync(requeue: false)</c>.</summary>
    /// <param name="consumerId">The consumer.</param>
    /// <returns>The reason.</returns>
    public static string Rejected(string consumerId) => $"Rejected by consumer '{consumerId}'";
}
