using System.Collections.Concurrent;

namespace Svrnty.CQRS.Events.Sample.Emails;

/// <summary>
/// A fake mail server that fails deterministically, so redeliveries and dead letters can be seen (and tested):
/// <list type="bullet">
/// <item>an address at <c>bounce.example</c> is always refused: its message ends in the dead-letter queue;</item>
/// <item>an address with <c>+retry</c> in it (<c>ann+retry@example.com</c>) is refused on the first delivery only:
/// the message is redelivered and sent on the second.</item>
/// </list>
/// </summary>
internal sealed class MailServer(TimeProvider time)
{
    private readonly ConcurrentQueue<MailAttempt> _attempts = new();

    public IReadOnlyList<MailAttempt> Attempts => [.. _attempts];

    public void Send(string to, string subject, int deliveryCount)
    {
        var refusal = to.EndsWith("@bounce.example", StringComparison.OrdinalIgnoreCase) ? "550 mailbox unavailable"
            : to.Contains("+retry", StringComparison.OrdinalIgnoreCase) && deliveryCount == 1 ? "421 try again later"
            : null;
        _attempts.Enqueue(new MailAttempt(to, subject, deliveryCount, Sent: refusal is null, refusal, time.GetUtcNow()));
        if (refusal is not null)
        {
            throw new MailRefusedException($"{to}: {refusal}");
        }
    }
}

internal sealed record MailAttempt(string To, string Subject, int DeliveryCount, bool Sent, string? Error, DateTimeOffset At);

internal sealed class MailRefusedException(string message) : Exception(message);
