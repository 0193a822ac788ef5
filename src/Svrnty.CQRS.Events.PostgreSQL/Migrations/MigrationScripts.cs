using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Svrnty.CQRS.Events.PostgreSQL.Migrations;

/// <summary>The embedded <c>Migrations/NNN_Name.sql</c> scripts, loaded once, in order.</summary>
internal static class MigrationScripts
{
    private const string Prefix = "Svrnty.CQRS.Events.PostgreSQL.Migrations.";
    internal const string SchemaToken = "__schema__";

    private static readonly Lazy<IReadOnlyList<(Migration Migration, string Sql)>> Loaded = new(Load);

    public static IReadOnlyList<(Migration Migration, string Sql)> All => Loaded.Value;

    public static int LatestVersion => All[^1].Migration.Version;

    /// <summary>The script's text for a schema: the token replaced by the quoted, validated schema name.</summary>
    public static string ForSchema(string sql, string quotedSchema) => sql.Replace(SchemaToken, quotedSchema, StringComparison.Ordinal);

    /// <summary>Describes a script: its version from the <c>NNN_</c> prefix of its name, and its checksum.</summary>
    public static (Migration Migration, string Sql) Create(string name, string sql)
    {
        var separator = name.IndexOf('_', StringComparison.Ordinal);
        if (separator <= 0 || !int.TryParse(name.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new InvalidOperationException($"Migration '{name}' is not named NNN_Name.sql.");
        }

        sql = sql.ReplaceLineEndings("\n");
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
        return (new Migration(version, name, checksum), sql);
    }

    private static List<(Migration, string)> Load()
    {
        var assembly = typeof(MigrationScripts).Assembly;
        var scripts = new List<(Migration, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded migration '{resource}' cannot be read.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            scripts.Add(Create(resource[Prefix.Length..^".sql".Length], reader.ReadToEnd()));
        }

        if (scripts.Count == 0)
        {
            throw new InvalidOperationException("No embedded migrations were found in Svrnty.CQRS.Events.PostgreSQL; the package is damaged.");
        }

        for (var i = 0; i < scripts.Count; i++)
        {
            if (scripts[i].Item1.Version != i + 1)
            {
                throw new InvalidOperationException($"Embedded migrations must be numbered 1, 2, 3... without gaps; found '{scripts[i].Item1.Name}' at position {i + 1}.");
            }
        }

        return scripts;
    }
}
