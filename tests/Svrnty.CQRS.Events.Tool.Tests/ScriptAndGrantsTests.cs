using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.Tool.Tests;

/// <summary><c>script</c> and <c>grants</c> need no database; bad input fails with exit code 1 and what to fix.</summary>
public sealed class ScriptAndGrantsTests
{
    [Fact]
    public async Task Script_prints_every_migration_for_the_schema_without_a_database()
    {
        var script = await Tool.RunOkAsync("script", "--schema", "events_dba");

        Assert.Equal(DatabaseScripts.GenerateMigrationScript("events_dba"), script);
        Assert.StartsWith("-- Svrnty.CQRS.Events schema migrations for schema \"events_dba\" from version 0\nCREATE SCHEMA IF NOT EXISTS \"events_dba\";", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE \"events_dba\".events (", script, StringComparison.Ordinal);
        Assert.Contains("INSERT INTO \"events_dba\".schema_version (version, name, checksum, applied_at) VALUES (1, '001_InitialSchema', '", script, StringComparison.Ordinal);
        Assert.DoesNotContain("__schema__", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_from_a_version_holds_only_the_migrations_after_it()
    {
        var migrations = DatabaseScripts.GenerateMigrationScript().Split('\n').Count(l => l == "BEGIN;");
        var latest = (await Tool.RunOkAsync("script")).Split('\n').Count(l => l.StartsWith("INSERT INTO \"event_streaming\".schema_version", StringComparison.Ordinal));

        var fromLatest = await Tool.RunOkAsync("script", "--from", latest.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(migrations >= 1);
        Assert.Equal(migrations, latest);
        Assert.DoesNotContain("BEGIN;", fromLatest, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE IF NOT EXISTS \"event_streaming\".schema_version", fromLatest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grants_print_the_least_privilege_script_for_the_application_role()
    {
        var grants = await Tool.RunOkAsync("grants", "--role", "orders_app", "--schema", "orders_events");
        var withOwner = await Tool.RunOkAsync("grants", "--role", "orders_app", "--schema", "orders_events", "--owner", "orders_owner");

        Assert.Equal(DatabaseScripts.GenerateGrantScript("orders_app", "orders_events"), grants);
        Assert.Equal(
            [
                "BEGIN;",
                "CREATE SCHEMA IF NOT EXISTS \"orders_events\";",
                "GRANT USAGE ON SCHEMA \"orders_events\" TO \"orders_app\";",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"orders_events\" TO \"orders_app\";",
                "GRANT USAGE ON ALL SEQUENCES IN SCHEMA \"orders_events\" TO \"orders_app\";",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA \"orders_events\" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \"orders_app\";",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA \"orders_events\" GRANT USAGE ON SEQUENCES TO \"orders_app\";",
                "COMMIT;",
            ], Statements(grants));
        Assert.Contains("CREATE SCHEMA IF NOT EXISTS \"orders_events\" AUTHORIZATION \"orders_owner\";", Statements(withOwner));
        Assert.Contains("ALTER DEFAULT PRIVILEGES FOR ROLE \"orders_owner\" IN SCHEMA \"orders_events\" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \"orders_app\";", Statements(withOwner));
        Assert.DoesNotContain(Statements(grants), s => s.Contains("CREATE TABLE", StringComparison.Ordinal) || s.Contains("ALL PRIVILEGES", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--role: 'App' is not a valid name", "grants", "--role", "App")]
    [InlineData("--owner: 'owner-1' is not a valid name", "grants", "--role", "app", "--owner", "owner-1")]
    [InlineData("--schema: 'drop table x;--' is not a valid name", "script", "--schema", "drop table x;--")]
    [InlineData("--schema: '1events' is not a valid name", "grants", "--role", "app", "--schema", "1events")]
    [InlineData("Option '--role' is required", "grants")]
    [InlineData("--from must be 0 or a version", "script", "--from", "-1")]
    [InlineData("No connection string: give --connection", "status")]
    [InlineData("No connection string: give --connection", "apply", "--schema", "x")]
    [InlineData("SchemaName 'Events' is not valid", "status", "--connection", "Host=localhost;Database=events", "--schema", "Events")]
    [InlineData("Unrecognized command or argument 'migrate'", "migrate")]
    public async Task Bad_input_fails_with_exit_code_1_and_says_what_to_fix(string expected, params string[] args)
    {
        Assert.Null(Environment.GetEnvironmentVariable("SVRNTY_EVENTS_CONNECTION"));

        var (exitCode, output, error) = await Tool.RunAsync(args);

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal); // no stack trace
    }

    private static List<string> Statements(string script) =>
        script.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal)).ToList();
}
