using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

public partial class MigrationTests
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}_\d{2}_[A-Z][A-Za-z0-9]+\.sql$")]
    private static partial Regex NamePattern();

    private static IReadOnlyList<string> SqliteNames => Migrator.Scripts(DatabaseProvider.Sqlite).Select(s => s.Name).ToList();
    private static IReadOnlyList<string> SqlServerNames => Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Name).ToList();

    /// <summary>Scripts every dialect has: a check that loops over the scripts found proves nothing if it found none.</summary>
    private static readonly string[] KnownScripts = ["2026-11-27_01_Spine.sql", "2026-11-30_04_AuditTrail.sql", "2026-11-30_05_ExportSnapshot.sql"];

    [Test]
    public void Scripts_EveryName_FollowsDateNumberDescription()
    {
        Assert.That(SqliteNames, Is.Not.Empty);
        Assert.That(SqliteNames.Concat(SqlServerNames).Where(n => !NamePattern().IsMatch(n)), Is.Empty);
    }

    [Test]
    public void Scripts_BothDialects_HoldTheSameNamesInOrder()
    {
        Assert.That(SqlServerNames, Is.EqualTo(SqliteNames));
        Assert.That(SqliteNames, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(SqliteNames, Is.Unique);
    }

    [Test]
    public void Scripts_EachOne_SaysWhyItExists()
    {
        var all = Migrator.Scripts(DatabaseProvider.Sqlite).Concat(Migrator.Scripts(DatabaseProvider.SqlServer)).ToList();
        Assert.That(all.Select(s => s.Name).Distinct(), Is.SupersetOf(KnownScripts));
        Assert.That(all, Has.Count.EqualTo(SqliteNames.Count + SqlServerNames.Count));
        Assert.That(all.Where(s => !s.Contents.TrimStart().StartsWith("-- Why:", StringComparison.Ordinal)).Select(s => s.Name), Is.Empty);
    }

    [Test]
    public void SqliteScripts_EmptyDatabase_ApplyAndAreRecordedInTheJournal()
    {
        using var folder = new TempFolder();
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("m.db")}" });
        Migrator.Apply(db);
        Migrator.Apply(db); // a second start applies nothing and fails nothing
        using var c = new SqliteConnection(db.ConnectionString);
        Assert.That(c.Query<string>("SELECT ScriptName FROM SchemaVersions ORDER BY ScriptName"), Is.EqualTo(SqliteNames));
    }

    [Test]
    public void SqlServerScripts_Parse_WithoutErrors()
    {
        var scripts = Migrator.Scripts(DatabaseProvider.SqlServer);
        Assert.That(scripts.Select(s => s.Name), Is.SupersetOf(KnownScripts), "the scripts parsed are the embedded ones");
        foreach (var script in scripts)
        {
            var errors = TSql.ParseErrors(script.Contents);
            Assert.That(errors, Is.Empty, $"{script.Name}: {string.Join("; ", errors)}");
        }
    }

    [Test]
    public void SqlServerScripts_AuditEvent_HasATriggerRefusingUpdateAndDelete()
    {
        var triggers = Migrator.Scripts(DatabaseProvider.SqlServer).SelectMany(s => TSql.Triggers(s.Contents)).ToList();
        var audit = triggers.Where(t => t.Table == "AuditEvent").ToList();
        Assert.That(audit, Has.Count.EqualTo(1));
        Assert.That(audit[0].InsteadOf, Is.True);
        Assert.That(audit[0].Actions, Is.EquivalentTo(new[] { "Update", "Delete" }));
        Assert.That(audit[0].Throws, Is.True, "the trigger raises an error instead of changing the row");
    }

    [Test]
    public void SqlServerScripts_AuditChainHead_HasTriggersRefusingDeleteAndAnUpdateThatIsNoAppend()
    {
        var head = Migrator.Scripts(DatabaseProvider.SqlServer).SelectMany(s => TSql.Triggers(s.Contents)).Where(t => t.Table == "AuditChainHead").ToList();

        Assert.That(head.Select(t => (t.InsteadOf, string.Join(",", t.Actions), t.Throws)),
            Is.EquivalentTo(new[] { (true, "Delete", true), (false, "Update", true) }), "deleting refused; an update checked after the fact and thrown out");
    }

    [Test]
    public void SqlServerScripts_AuditHashes_EndInVariableLengthColumnsWhereAValueCanBeShorter()
    {
        // The first row's PreviousHash is empty: a CHAR(64) column returned it as 64 spaces. Hash always holds 64 hex digits.
        var scripts = Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Contents).ToList();

        Assert.That(TSql.FinalColumnType(scripts, "AuditEvent", "PreviousHash"), Is.EqualTo("VARCHAR(64)"));
        Assert.That(TSql.FinalColumnType(scripts, "AuditChainHead", "LastHash"), Is.EqualTo("VARCHAR(64)"));
        Assert.That(TSql.FinalColumnType(scripts, "AuditChainHead", "KeyMarker"), Is.EqualTo("VARCHAR(64)"));
        Assert.That(TSql.FinalColumnType(scripts, "AuditEvent", "Hash"), Is.EqualTo("CHAR(64)"));
    }

    [Test]
    public void Schema_BothDialects_DefineTheSameTablesAndColumns()
    {
        using var folder = new TempFolder();
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("p.db")}" });
        Migrator.Apply(db);
        using var c = new SqliteConnection(db.ConnectionString);
        var sqlite = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var table in c.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'SchemaVersions'"))
        {
            foreach (var column in c.Query<string>($"SELECT name FROM pragma_table_info('{table}')"))
                sqlite.Add($"{table}.{column}");
        }

        var sqlServer = new SortedSet<string>(TSql.DeclaredColumns(Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Contents)), StringComparer.Ordinal);

        Assert.That(sqlite, Is.Not.Empty);
        Assert.That(sqlServer, Is.EqualTo(sqlite));
    }
}

/// <summary>T-SQL checks with ScriptDom, the parser SQL Server's own tools use.</summary>
public static class TSql
{
    public static IReadOnlyList<string> ParseErrors(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        parser.Parse(new StringReader(sql), out var errors);
        return errors.Select(e => $"line {e.Line}: {e.Message}").ToList();
    }

    /// <summary>Table.Column for every column created or added, minus those of tables dropped, in script order.</summary>
    public static IReadOnlyList<string> DeclaredColumns(string sql) => DeclaredColumns([sql]);

    /// <summary>The columns that remain after all of <paramref name="scripts"/>, applied in order.</summary>
    public static IReadOnlyList<string> DeclaredColumns(IEnumerable<string> scripts)
    {
        var visitor = new ColumnVisitor();
        foreach (var sql in scripts)
        {
            var parser = new TSql160Parser(initialQuotedIdentifiers: true);
            parser.Parse(new StringReader(sql), out _).Accept(visitor);
        }
        return visitor.Columns;
    }

    /// <summary>A column's type as the last script that creates, adds or alters it leaves it (e.g. <c>VARCHAR(64)</c>); null when none does.</summary>
    public static string? FinalColumnType(IEnumerable<string> scripts, string table, string column)
    {
        string? type = null;
        foreach (var sql in scripts)
        {
            var visitor = new ColumnTypeVisitor(table, column);
            new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out _).Accept(visitor);
            type = visitor.Type ?? type;
        }
        return type;
    }

    private sealed class ColumnTypeVisitor(string table, string column) : TSqlFragmentVisitor
    {
        public string? Type { get; private set; }

        private static string Spelled(DataTypeReference type) => type is ParameterizedDataTypeReference p
            ? $"{p.Name.BaseIdentifier.Value.ToUpperInvariant()}({string.Join(",", p.Parameters.Select(v => v.Value))})"
            : type.Name.BaseIdentifier.Value.ToUpperInvariant();

        private void Seen(string tableName, IEnumerable<ColumnDefinition> columns)
        {
            if (tableName != table) return;
            foreach (var c in columns.Where(c => c.ColumnIdentifier.Value == column)) Type = Spelled(c.DataType);
        }

        public override void Visit(CreateTableStatement node) => Seen(node.SchemaObjectName.BaseIdentifier.Value, node.Definition.ColumnDefinitions);

        public override void Visit(AlterTableAddTableElementStatement node) => Seen(node.SchemaObjectName.BaseIdentifier.Value, node.Definition.ColumnDefinitions);

        public override void Visit(AlterTableAlterColumnStatement node)
        {
            if (node.SchemaObjectName.BaseIdentifier.Value == table && node.ColumnIdentifier.Value == column && node.DataType is not null) Type = Spelled(node.DataType);
        }
    }

    public sealed record Trigger(string Table, bool InsteadOf, IReadOnlyList<string> Actions, bool Throws);

    public static IReadOnlyList<Trigger> Triggers(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var visitor = new TriggerVisitor();
        parser.Parse(new StringReader(sql), out _).Accept(visitor);
        return visitor.Triggers;
    }

    private sealed class TriggerVisitor : TSqlFragmentVisitor
    {
        public List<Trigger> Triggers { get; } = [];

        public override void Visit(CreateTriggerStatement node)
        {
            var throws = new ThrowFinder();
            node.StatementList?.Accept(throws);
            Triggers.Add(new Trigger(node.TriggerObject.Name.BaseIdentifier.Value, node.TriggerType == TriggerType.InsteadOf,
                node.TriggerActions.Select(a => a.TriggerActionType.ToString()).ToList(), throws.Found));
        }
    }

    private sealed class ThrowFinder : TSqlFragmentVisitor
    {
        public bool Found { get; private set; }
        public override void Visit(ThrowStatement node) => Found = true;
    }

    private sealed class ColumnVisitor : TSqlFragmentVisitor
    {
        public List<string> Columns { get; } = [];

        public override void Visit(CreateTableStatement node) =>
            Columns.AddRange(node.Definition.ColumnDefinitions.Select(c => $"{node.SchemaObjectName.BaseIdentifier.Value}.{c.ColumnIdentifier.Value}"));

        public override void Visit(AlterTableAddTableElementStatement node) =>
            Columns.AddRange(node.Definition.ColumnDefinitions.Select(c => $"{node.SchemaObjectName.BaseIdentifier.Value}.{c.ColumnIdentifier.Value}"));

        public override void Visit(DropTableStatement node)
        {
            foreach (var table in node.Objects.Select(o => o.BaseIdentifier.Value + "."))
                Columns.RemoveAll(c => c.StartsWith(table, StringComparison.Ordinal));
        }
    }
}
