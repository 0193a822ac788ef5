namespace Svrnty.CQRS.Events.PostgreSQL.Migrations;

/// <summary>One embedded schema migration: a numbered SQL script.</summary>
/// <param name="Version">The script's number; scripts are applied in ascending order.</param>
/// <param name="Name">The script's name, e.g. <c>001_InitialSchema</c>.</param>
/// <param name="Checksum">The SHA-256 of the script's text, recorded when applied, to detect edited scripts.</param>
public sealed record Migration(int Version, string Name, string Checksum);
