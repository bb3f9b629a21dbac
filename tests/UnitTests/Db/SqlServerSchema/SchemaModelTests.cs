using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>The schema model the checks read: what the T-SQL migrations leave, type by type.</summary>
public class SchemaModelTests
{
    [Test]
    public void Schema_FromTheMigrations_HoldsTheColumnsTheyDeclareAndDbUpsJournal()
    {
        var declared = TSql.DeclaredColumns(Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Contents))
            .Concat(["SchemaVersions.Id", "SchemaVersions.ScriptName", "SchemaVersions.Applied"]);

        Assert.That(Migrations.Schema.Columns.Select(c => $"{c.Table}.{c.Name}"), Is.EquivalentTo(declared));
    }

    [Test]
    public void Schema_FromTheMigrations_FollowsAlterColumnAndTheLatestTypes()
    {
        var schema = Migrations.Schema;

        Assert.That(schema.Column("Participant", "WeightKg").ToString(), Is.EqualTo("Participant.WeightKg DECIMAL(6, 2) NOT NULL"));
        Assert.That(schema.Column("Infusion", "DoseMgPerKg").ToString(), Is.EqualTo("Infusion.DoseMgPerKg DECIMAL(6, 3) NULL"), "made nullable by 07");
        Assert.That(schema.Column("SafetyAlert", "Message").ToString(), Is.EqualTo("SafetyAlert.Message NVARCHAR(MAX) NOT NULL"), "widened by 17");
        Assert.That(schema.Column("AuditEvent", "AtUtc").ToString(), Is.EqualTo("AuditEvent.AtUtc DATETIME2(7) NOT NULL"));
        Assert.That(schema.HasTable("IdempotentRequest"), Is.False, "dropped by 04");
    }

    [Test]
    public void FromScripts_AddAlterAndDropColumn_AppliedInOrder()
    {
        var schema = SchemaModel.FromScripts([
            "CREATE TABLE Note (Id INT NOT NULL CONSTRAINT PK_Note PRIMARY KEY, Text NVARCHAR(100) NOT NULL, Old BIT NOT NULL);",
            "ALTER TABLE Note ADD Kind NCHAR(3) NULL, Amount DECIMAL NOT NULL; ALTER TABLE Note ALTER COLUMN Text NVARCHAR(MAX);",
            "ALTER TABLE Note DROP COLUMN Old;",
        ]);

        Assert.That(schema.Columns.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "Note.Id INT NOT NULL", "Note.Text NVARCHAR(MAX) NULL", "Note.Kind NCHAR(3) NULL", "Note.Amount DECIMAL(18, 0) NOT NULL",
        }));
    }

    [Test]
    public void FromScripts_AColumnAddedToATableThatDoesNotExist_Throws()
    {
        Assert.That(() => SchemaModel.FromScripts(["ALTER TABLE Missing ADD Note NVARCHAR(10) NULL;"]),
            Throws.InvalidOperationException.With.Message.Contains("Missing, which does not exist"));
    }

    [Test]
    public void FromScripts_ARenameItDoesNotFollow_Throws()
    {
        Assert.That(() => SchemaModel.FromScripts(["CREATE TABLE Note (Text NVARCHAR(10) NULL);", "EXEC sp_rename 'Note.Text', 'Body', 'COLUMN';"]),
            Throws.TypeOf<NotSupportedException>());
    }
}
