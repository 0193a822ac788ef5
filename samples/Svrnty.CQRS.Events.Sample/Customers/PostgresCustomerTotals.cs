using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL;
using Svrnty.CQRS.Events.Sample.Orders;

namespace Svrnty.CQRS.Events.Sample.Customers;

/// <summary>
/// The totals in a table of the sample's own, <c>sample_customer_totals</c>, for the PostgreSQL backend: the handler's
/// update runs on the consumer's open transaction (<c>AsPostgres()</c>), which commits it with the group's offset.
/// Reads use a small pool of the sample's own on the same database.
/// </summary>
internal sealed class PostgresCustomerTotals(NpgsqlDataSource dataSource) : ICustomerTotals, IHostedService, IAsyncDisposable
{
    public async Task CountAsync(OrderPlaced placed, ConsumerTransaction transaction, CancellationToken cancellationToken)
    {
        var sql = transaction.AsPostgres();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO sample_customer_totals AS t (customer, orders, revenue) VALUES ($1, 1, $2)
            ON CONFLICT (customer) DO UPDATE SET orders = t.orders + 1, revenue = t.revenue + excluded.revenue
            """, sql.Connection, sql.Transaction)
        {
            Parameters = { new() { Value = placed.Customer }, new() { Value = placed.Total } },
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<CustomerTotal?> FindAsync(string customer, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT orders, revenue FROM sample_customer_totals WHERE customer = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = customer });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new CustomerTotal(customer, reader.GetInt64(0), reader.GetDecimal(1)) : null;
    }

    /// <summary>Creates the table at startup, before the consumers start (it is registered before them).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "CREATE TABLE IF NOT EXISTS sample_customer_totals (customer text PRIMARY KEY, orders bigint NOT NULL, revenue numeric NOT NULL)");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}

internal static class CustomerTotalsRegistration
{
    /// <summary>The totals for the backend in use; call before the consumers are registered, so that on PostgreSQL the
    /// table exists before they start.</summary>
    public static void AddCustomerTotals(this IServiceCollection services, string? postgresConnectionString)
    {
        if (string.IsNullOrWhiteSpace(postgresConnectionString))
        {
            services.AddSingleton<ICustomerTotals, StreamCustomerTotals>();
            return;
        }

        services.AddSingleton(_ => new PostgresCustomerTotals(NpgsqlDataSource.Create(postgresConnectionString))); // disposed with the host
        services.AddSingleton<ICustomerTotals>(sp => sp.GetRequiredService<PostgresCustomerTotals>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresCustomerTotals>());
    }
}
