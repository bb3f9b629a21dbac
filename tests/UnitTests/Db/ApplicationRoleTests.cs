using Microsoft.Data.SqlClient;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

/// <summary>
/// The rights of the role the API and the workers connect as (SQL Server), read from the migrations with ScriptDom: no SQL
/// Server runs here, so what the scripts grant is checked as SQL Server would read it.
/// </summary>
public class ApplicationRoleTests
{
    private const string RoleScript = "2026-12-05_18_ApplicationRole.sql";

    /// <summary>Rows that never change once written: the audit trail and the append-only arm tables.</summary>
    private static readonly string[] AppendOnly = ["AuditEvent", "Allocation", "Preparation", "Unblinding", "BlindingGuess"];

    private static readonly string[] RowRights = ["SELECT", "INSERT", "UPDATE", "DELETE"];

    private sealed record Permission(string Action, string Right, string TargetKind, string Target, string Principal);

    private static IReadOnlyList<Permission> PermissionsIn(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var fragment = parser.Parse(new StringReader(sql), out var errors);
        Assert.That(errors, Is.Empty);
        var visitor = new SecurityVisitor();
        fragment.Accept(visitor);
        return visitor.Found;
    }

    private sealed class SecurityVisitor : TSqlFragmentVisitor
    {
        public List<Permission> Found { get; } = [];
        public override void Visit(GrantStatement node) => Add("GRANT", node);
        public override void Visit(DenyStatement node) => Add("DENY", node);
        public override void Visit(RevokeStatement node) => Add("REVOKE", node);

        private void Add(string action, SecurityStatement node)
        {
            var target = node.SecurityTargetObject;
            var kind = target?.ObjectKind.ToString() ?? "Database";
            var name = target is null ? "" : string.Join(".", target.ObjectName.MultiPartIdentifier.Identifiers.Select(i => i.Value));
            foreach (var permission in node.Permissions)
            {
                foreach (var principal in node.Principals)
                    Found.Add(new Permission(action, string.Join(" ", permission.Identifiers.Select(i => i.Value.ToUpperInvariant())), kind, name, principal.Identifier.Value));
            }
        }
    }

    private static IReadOnlyList<Permission> AllPermissions() =>
        Migrator.Scripts(DatabaseProvider.SqlServer).SelectMany(s => PermissionsIn(s.Contents)).ToList();

    private static IReadOnlyList<string> Tables() =>
        TSql.DeclaredColumns(Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Contents)).Select(c => c[..c.IndexOf('.')]).Distinct().ToList();

    /// <summary>Whether the role may do <paramref name="right"/> on the dbo table: granted on its schema or itself, and not denied on either.</summary>
    private static bool Allowed(IReadOnlyList<Permission> all, string table, string right)
    {
        bool On(Permission p) => p.Principal == ApplicationUser.Role && p.Right == right
            && ((p.TargetKind == "Schema" && p.Target == "dbo") || (p.TargetKind == "Object" && (p.Target == table || p.Target == "dbo." + table)));
        return all.Any(p => p.Action == "GRANT" && On(p)) && !all.Any(p => p.Action == "DENY" && On(p));
    }

    [Test]
    public void RoleScript_IsTheSqlServerMigrationWithASqliteTwin()
    {
        Assert.That(Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Name), Does.Contain(RoleScript));
        Assert.That(Migrator.Scripts(DatabaseProvider.Sqlite).Select(s => s.Name), Does.Contain(RoleScript));
    }

    [Test]
    public void Grants_AreRowRightsOnTheDboAndHangfireSchemas_AndNothingElse()
    {
        var grants = AllPermissions().Where(p => p.Action == "GRANT").ToList();
        Assert.That(grants.Select(g => g.Principal).Distinct(), Is.EqualTo(new[] { ApplicationUser.Role }), "no other principal is granted anything");
        Assert.That(grants.Select(g => (g.Right, g.TargetKind, g.Target)), Is.EquivalentTo(
            RowRights.SelectMany(r => new[] { (r, "Schema", "dbo"), (r, "Schema", "hangfire") })),
            "no DDL (ALTER, CREATE, CONTROL, REFERENCES), no EXECUTE, no database-wide right");
    }

    [Test]
    public void AppendOnlyTables_CanBeReadAndInsertedInto_NeverUpdatedOrDeleted()
    {
        var all = AllPermissions();
        var tables = Tables();
        Assert.That(tables, Is.SupersetOf(AppendOnly), "the protected tables exist in the schema");
        foreach (var table in AppendOnly)
        {
            Assert.That(Allowed(all, table, "SELECT") && Allowed(all, table, "INSERT"), Is.True, $"{table}: SELECT and INSERT");
            Assert.That(Allowed(all, table, "UPDATE") || Allowed(all, table, "DELETE"), Is.False, $"{table}: no UPDATE, no DELETE");
        }
    }

    [Test]
    public void EveryOtherTable_HasAllRowRights_IncludingTheAuditChainHeadThatAppendsUpdate()
    {
        var all = AllPermissions();
        var writable = Tables().Where(t => RowRights.All(r => Allowed(all, t, r))).ToList();
        Assert.That(Tables().Except(writable), Is.EquivalentTo(AppendOnly), "exactly the append-only tables lose UPDATE and DELETE");
        Assert.That(writable, Does.Contain("AuditChainHead").And.Contain("AllocationListEntry").And.Contain("RandomisationStratum"));
    }

    [Test]
    public void MigrationsJournal_IsReadOnlyForTheApplication()
    {
        var all = AllPermissions();
        Assert.That(Allowed(all, "SchemaVersions", "SELECT"), Is.True, "the readiness check counts the applied migrations");
        Assert.That(new[] { "INSERT", "UPDATE", "DELETE" }.Where(r => Allowed(all, "SchemaVersions", r)), Is.Empty);
    }

    [Test]
    public void Migrations_AddNoMemberToAnyRole_AndNameNoFixedRole()
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        foreach (var script in Migrator.Scripts(DatabaseProvider.SqlServer))
        {
            var finder = new RoleMembershipFinder();
            var fragment = parser.Parse(new StringReader(script.Contents), out _);
            fragment.Accept(finder);
            Assert.That(finder.Found, Is.Empty, script.Name);
            // The statements' own words, comments left out (they may name what the role must not be).
            var code = string.Concat(fragment.ScriptTokenStream
                .Where(t => t.TokenType is not (TSqlTokenType.SingleLineComment or TSqlTokenType.MultilineComment)).Select(t => t.Text));
            Assert.That(code, Does.Not.Contain("db_owner").And.Not.Contain("db_ddladmin").And.Not.Contain("sp_addrolemember"), script.Name);
        }
    }

    private sealed class RoleMembershipFinder : TSqlFragmentVisitor
    {
        public List<string> Found { get; } = [];
        public override void Visit(AlterRoleStatement node) => Found.Add(node.Name.Value);
    }

    [Test]
    public void EnsureSql_Parses_AndMakesTheUserAMemberOfTheRoleAlone()
    {
        Assert.That(TSql.ParseErrors(ApplicationUser.EnsureSql), Is.Empty);
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var literals = new LiteralFinder();
        parser.Parse(new StringReader(ApplicationUser.EnsureSql), out _).Accept(literals);
        var statements = string.Join(" | ", literals.Found);
        Assert.That(statements, Does.Contain("ALTER ROLE trial_application ADD MEMBER "));
        Assert.That(literals.Found.Count(l => l.Contains("ROLE", StringComparison.OrdinalIgnoreCase)), Is.EqualTo(1), statements);
        Assert.That(statements, Does.Not.Contain("GRANT").And.Not.Contain("db_owner").And.Not.Contain("sysadmin"));
    }

    private sealed class LiteralFinder : TSqlFragmentVisitor
    {
        public List<string> Found { get; } = [];
        public override void Visit(StringLiteral node) => Found.Add(node.Value);
    }

    [Test]
    public void ForApplication_ReplacesTheOwnersCredentials_KeepingServerDatabaseAndEncryption()
    {
        var owner = new DatabaseOptions
        {
            Provider = DatabaseProvider.SqlServer,
            ConnectionString = "Server=db.example,1433;Database=Trial;User Id=sa;Password=owner-secret;Encrypt=True",
            ApplicationUser = "trial_app",
            ApplicationPassword = "app-secret",
            CreateIfMissing = true,
        };
        var app = new SqlConnectionStringBuilder(owner.ForApplication().EffectiveConnectionString);
        Assert.That((app.DataSource, app.InitialCatalog, app.Encrypt), Is.EqualTo(("db.example,1433", "Trial", SqlConnectionEncryptOption.Mandatory)));
        Assert.That((app.UserID, app.Password), Is.EqualTo(("trial_app", "app-secret")));
        Assert.That(owner.ForApplication().EffectiveConnectionString, Does.Not.Contain("owner-secret"));
        Assert.That(owner.ForApplication().CreateIfMissing, Is.False, "only the migrator creates the database");
    }

    [Test]
    public void ForApplication_WithoutApplicationUser_IsUnchanged()
    {
        var options = new DatabaseOptions { Provider = DatabaseProvider.SqlServer, ConnectionString = "Server=db;Database=Trial;User Id=u;Password=p" };
        Assert.That(options.ForApplication().EffectiveConnectionString, Is.EqualTo(options.ConnectionString));
        var sqlite = new DatabaseOptions { ApplicationUser = "ignored", ApplicationPassword = "x" };
        Assert.That(sqlite.ForApplication(), Is.SameAs(sqlite), "SQLite has no logins");
    }

    [TestCase("sa", "pw", null)]
    [TestCase("migrator", "pw", "MIGRATOR")]
    [TestCase("trial_app", "", null)]
    public void Validate_RefusesTheOwnersLoginAndAnEmptyPassword(string user, string password, string? owner) =>
        Assert.That(() => ApplicationUser.Validate(user, password, owner), Throws.InvalidOperationException);

    [Test]
    public void Validate_RefusesAPasswordQuoteNameCouldNotQuote()
    {
        Assert.That(() => ApplicationUser.Validate("trial_app", new string('x', 129), "sa"), Throws.InvalidOperationException);
        Assert.That(() => ApplicationUser.Validate("trial_app", new string('x', 128), "sa"), Throws.Nothing);
    }
}
