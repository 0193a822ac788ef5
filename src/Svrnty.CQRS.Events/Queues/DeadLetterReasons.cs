namespace Svrnty.CQRS.Events.Queues;

/// <summary>The reasons backends record on dead letters, worded the same on every backend.</summary>
internal static class DeadLetterReasons
{
    /// <summary>The reason for a message that was delivered as often as the queue allows.</summary>
    /// <param name="deliveryCount">How many times it was delivered.</param>
    /// <returns>The reason.</returns>
    public static string MaxDeliveryAttemptsExceeded(int deliveryCount) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, MaxDeliveryAttemptsExceededFormat, deliveryCount);

    /// <summary>The wording of <see cref="MaxDeliveryAttemptsExceeded"/> with <c>{0}</c> for the count, for a backend
    /// that words it where the count is known (PostgreSQL's <c>format()</c>, with <c>%s</c> in its place).</summary>
    internal const string MaxDeliveryAttemptsExceededFormat = "MaxDeliveryAttempts reached after {0} deliveries";

    /// <summary>The reason for a message a consumer rejected with <c>NackAsync(requeue: false)</c>.</summary>
    /// <param name="consumerId">The consumer.</param>
    /// <returns>The reason.</returns>
    public static string Rejected(string consumerId) => $"Rejected by consumer '{consumerId}'";
}
