using System.Text;

namespace Svrnty.CQRS.Events.PostgreSQL.Migrations;

/// <summary>
/// The SQL a DBA reviews and runs, built without a database: the schema's migrations (what
/// <see cref="DatabaseMigrator.MigrateAsync"/> would apply) and the least-privilege grants for the application's role.
/// The <c>svrnty-events</c> tool (package <c>Svrnty.CQRS.Events.Tool</c>) prints both; MIGRATION-GUIDE.md says in which
/// order to run them.
/// </summary>
public static class DatabaseScripts
{
    /// <summary>
    /// Writes one SQL script that creates the schema and its <c>schema_version</c> table if needed and applies each
    /// embedded migration after <paramref name="fromVersion"/> in its own transaction, recording it in
    /// <c>schema_version</c> as the migrator would (so a later automatic run sees it as applied). Run it with
    /// <c>psql -v ON_ERROR_STOP=1 -f</c>.
    /// </summary>
    /// <param name="schemaName">The schema, as in <see cref="PostgresEventStreamingOptions.SchemaName"/>.</param>
    /// <param name="fromVersion">The schema's current version; 0 for a fresh database.</param>
    /// <returns>The script.</returns>
    /// <exception cref="ArgumentException"><paramref name="schemaName"/> is not a valid schema name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fromVersion"/> is negative.</exception>
    public static string GenerateMigrationScript(string schemaName = PostgresEventStreamingOptions.DefaultSchemaName, int fromVersion = 0)
    {
        return Migrations(MigrationScripts.All, Quote(schemaName, nameof(schemaName)), fromVersion);
    }

    /// <summary>
    /// Writes the least-privilege grants for the role the application connects as (its <c>ConnectionString</c>): it may
    /// read and write the schema's tables but not create, alter or drop anything. The script creates the schema if it
    /// does not exist yet (owned by <paramref name="ownerRoleName"/> when given), grants <c>USAGE</c> on it,
    /// <c>SELECT, INSERT, UPDATE, DELETE</c> on its tables and <c>USAGE</c> on its sequences, and sets the same as
    /// default privileges for what later migrations create. It may run before the first migration or after any; run it
    /// again after changing the role.
    /// </summary>
    /// <param name="roleName">The application's role.</param>
    /// <param name="schemaName">The schema, as in <see cref="PostgresEventStreamingOptions.SchemaName"/>.</param>
    /// <param name="ownerRoleName">The role that runs the migrations and so creates the tables (the
    /// <c>MigrationConnectionString</c>'s user). Default privileges apply to objects created by the role they are set
    /// for: null sets them for the role that runs this script, which is right when that same role runs the
    /// migrations.</param>
    /// <returns>The script.</returns>
    /// <exception cref="ArgumentException">A name is not valid: 1 to 63 lower-case letters, digits and underscores, not
    /// starting with a digit.</exception>
    public static string GenerateGrantScript(string roleName, string schemaName = PostgresEventStreamingOptions.DefaultSchemaName,
        string? ownerRoleName = null)
    {
        var role = Quote(roleName, nameof(roleName));
        var schema = Quote(schemaName, nameof(schemaName));
        var owner = ownerRoleName is null ? null : Quote(ownerRoleName, nameof(ownerRoleName));
        var forOwner = owner is null ? string.Empty : $" FOR ROLE {owner}";
        return $"""
            -- Svrnty.CQRS.Events: least-privilege grants for the application role {role} on schema {schema}.
            -- Run as {(owner is null ? "the role that runs the migrations (it creates the tables)" : $"{owner} or a superuser")}, before or after the migrations.
            -- The application role needs no CREATE, ALTER or ownership; advisory locks and LISTEN/NOTIFY need no grant.
            -- It also needs CONNECT on the database, which PUBLIC has unless it was revoked.
            BEGIN;
            CREATE SCHEMA IF NOT EXISTS {schema}{(owner is null ? string.Empty : $" AUTHORIZATION {owner}")};
            GRANT USAGE ON SCHEMA {schema} TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
            -- What later migrations create{(owner is null ? string.Empty : $" (as {owner})")}:
            ALTER DEFAULT PRIVILEGES{forOwner} IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
            ALTER DEFAULT PRIVILEGES{forOwner} IN SCHEMA {schema} GRANT USAGE ON SEQUENCES TO {role};
            COMMIT;

            """.ReplaceLineEndings("\n");
    }

    /// <summary>The migration script for <paramref name="scripts"/> on the quoted schema; shared with
    /// <see cref="DatabaseMigrator.GenerateScript"/>.</summary>
    internal static string Migrations(IReadOnlyList<(Migration Migration, string Sql)> scripts, string quotedSchema, int fromVersion)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromVersion);
        var script = new StringBuilder();
        script.Append("-- Svrnty.CQRS.Events schema migrations for schema ").Append(quotedSchema).Append(" from version ").Append(fromVersion).Append('\n');
        script.Append("CREATE SCHEMA IF NOT EXISTS ").Append(quotedSchema).Append(";\n");
        script.Append(VersionTableSql(quotedSchema)).Append('\n');
        foreach (var (migration, sql) in scripts.Where(s => s.Migration.Version > fromVersion))
        {
            script.Append("\n-- ").Append(migration.Name).Append('\n');
            script.Append("BEGIN;\n");
            script.Append(MigrationScripts.ForSchema(sql, quotedSchema)).Append('\n');
            script.Append("INSERT INTO ").Append(quotedSchema).Append(".schema_version (version, name, checksum, applied_at) VALUES (")
                .Append(migration.Version).Append(", '").Append(migration.Name).Append("', '").Append(migration.Checksum).Append("', now());\n");
            script.Append("COMMIT;\n");
        }

        return script.ToString();
    }

    internal static string VersionTableSql(string quotedSchema) =>
        $"CREATE TABLE IF NOT EXISTS {quotedSchema}.schema_version (version integer NOT NULL PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL);";

    /// <summary>Validates a schema or role name with the rule of <see cref="PostgresEventStreamingOptions.SchemaName"/>
    /// and quotes it.</summary>
    private static string Quote(string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        if (!PostgresEventStreamingOptionsValidator.IsValidSchemaName(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid name: use 1 to 63 lower-case letters, digits and underscores, not starting with a digit.", parameter);
        }

        return $"\"{name}\"";
    }
}
