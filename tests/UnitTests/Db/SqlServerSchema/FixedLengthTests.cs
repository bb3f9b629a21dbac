using System.Text;
using NUnit.Framework;
using Trial.Application.Access;
using Trial.Db.Audit;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>Check (c): fixed-length columns hold only values of their full length.</summary>
public class FixedLengthTests
{
    /// <summary>
    /// The fixed-length columns allowed, each with why its values always have the full length. Each is a SHA-256 written
    /// as lower-case hex (Convert.ToHexStringLower of 32 bytes): 64 characters whatever was hashed, as the tests below show.
    /// </summary>
    private static readonly Dictionary<string, string> Allowed = new(StringComparer.Ordinal)
    {
        ["ApiToken.TokenHash"] = "ApiTokens.Hash: the SHA-256 of the token, in hex",
        ["IdempotentResponse.RequestHash"] = "Idempotency's request hash (API host): the SHA-256 of method, path, query and body, in hex, made as ApiTokens.Hash makes its",
        ["AuditEvent.Hash"] = "AuditHash.Of: the HMAC-SHA256 (or, before the key, the SHA-256) of the row, in hex",
        ["ActivationCode.CodeHash"] = "ActivationCodes.Hash: the SHA-256 of the normalised code, in hex",
    };

    [Test]
    public void FixedLengthColumns_OfTheMigrations_AreAllowedOnesOnly()
    {
        var findings = FixedLengthCheck.Check(Migrations.Schema, Allowed);

        Assert.That(Migrations.Schema.Columns.Count(c => c.IsFixedLength), Is.GreaterThanOrEqualTo(Allowed.Count), "the check saw the fixed-length columns");
        Assert.That(findings, Is.Empty);
    }

    [Test]
    public void FixedLengthColumns_BeforeTheAuditChainKeyMigration_ReportExactlyAuditEventPreviousHash()
    {
        // The defect the check was written for: the first audit row's previous hash is "", which CHAR(64) padded, so the
        // trail could never verify on SQL Server until migration 16 made the column variable-length.
        var before = Migrations.Up(name => string.CompareOrdinal(name, "2026-12-05_16") < 0);

        Assert.That(before.Column("AuditEvent", "PreviousHash").IsFixedLength, Is.True);
        Assert.That(Migrations.Schema.Column("AuditEvent", "PreviousHash").IsFixedLength, Is.False);
        Assert.That(FixedLengthCheck.Check(before, Allowed), Is.EqualTo(new[]
        {
            "AuditEvent.PreviousHash CHAR(64) is fixed-length: a shorter value is padded with spaces (an empty one reads back as 64 spaces)",
        }));
    }

    [Test]
    public void Check_Char64HoldingAnEmptyValue_ReportsExactlyThatColumn()
    {
        var schema = SchemaModel.FromScripts([
            "CREATE TABLE Token (Id UNIQUEIDENTIFIER NOT NULL, Hash CHAR(64) NOT NULL, Previous CHAR(64) NOT NULL, Label NVARCHAR(64) NOT NULL);",
        ]);

        var findings = FixedLengthCheck.Check(schema, new Dictionary<string, string> { ["Token.Hash"] = "always a SHA-256 in hex" });

        Assert.That(findings, Is.EqualTo(new[]
        {
            "Token.Previous CHAR(64) is fixed-length: a shorter value is padded with spaces (an empty one reads back as 64 spaces)",
        }));
    }

    [Test]
    public void Check_AllowedColumnThatIsNoLongerFixedLength_AsksForItsEntryToGo()
    {
        var schema = SchemaModel.FromScripts([
            "CREATE TABLE Token (Hash CHAR(64) NOT NULL);",
            "ALTER TABLE Token ALTER COLUMN Hash VARCHAR(64) NOT NULL;",
        ]);

        Assert.That(FixedLengthCheck.Check(schema, new Dictionary<string, string> { ["Token.Hash"] = "hex" }),
            Is.EqualTo(new[] { "Token.Hash is allowed as fixed-length but is no longer a fixed-length column: take it off the list" }));
    }

    private static readonly string[] Inputs = ["", "a", new string('x', 10_000), "zażółć gęślą jaźń", "\u0000\uFFFF"];

    [TestCaseSource(nameof(Inputs))]
    public void TokenHash_AnyToken_Is64HexCharacters(string token)
    {
        Assert.That(ApiTokens.Hash(token), Does.Match("^[0-9a-f]{64}$"));
    }

    [TestCaseSource(nameof(Inputs))]
    public void ActivationCodeHash_AnyCode_Is64HexCharacters(string code)
    {
        Assert.That(ActivationCodes.Hash(code), Does.Match("^[0-9a-f]{64}$"));
    }

    [TestCaseSource(nameof(Inputs))]
    public void AuditHash_AnyRow_Is64HexCharacters(string text)
    {
        var row = new AuditEventRow
        {
            Id = 1, AtUtc = DateTime.UnixEpoch, UserId = Guid.NewGuid(), UserName = text, Role = "admin", EntityType = "site", EntityId = text,
            Action = "create", NewValue = text, PreviousHash = "",
        };

        Assert.That(AuditHash.Of(row), Does.Match("^[0-9a-f]{64}$"));
    }

    [TestCaseSource(nameof(Inputs))]
    public void RequestHash_AsTheApiMakesIt_Is64HexCharacters(string body)
    {
        // The API host's request hash is private to it: the same primitives over any bytes.
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"POST\n/api/v1/x\n\n{body}")));

        Assert.That(hash, Does.Match("^[0-9a-f]{64}$"));
    }
}
