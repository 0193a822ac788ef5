namespace Svrnty.CQRS.Events.Tool.Tests;

/// <summary>What a schema holds, from the catalog, with its own name written as <c>&lt;schema&gt;</c>: tables and their
/// columns, storage options, constraints, indexes, sequences, functions, and the recorded migrations.</summary>
internal static class SchemaSnapshot
{
    public static async Task<IReadOnlyList<string>> DescribeAsync(ServerFixture server, string database, string schema)
    {
        var rows = await server.QueryAsync(database, """
            SELECT 'relation ' || c.relname || ' ' || c.relkind::text || ' ' || coalesce(array_to_string(c.reloptions, ','), '')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = @schema
            UNION ALL
            SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                   || CASE a.attidentity WHEN 'a' THEN ' identity always' WHEN 'd' THEN ' identity by default' ELSE '' END
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = @schema AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT 'constraint ' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = @schema
            UNION ALL
            SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = @schema
            UNION ALL
            SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = @schema
            """, ("schema", schema));
        rows.AddRange(await server.QueryAsync(database, $"SELECT 'migration ' || version || ' ' || name || ' ' || checksum FROM \"{schema}\".schema_version"));
        return rows.Select(r => r.Replace($"\"{schema}\".", "<schema>.", StringComparison.Ordinal).Replace($"{schema}.", "<schema>.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
    }
}
