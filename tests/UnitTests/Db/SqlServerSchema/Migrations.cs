using Trial.Db.Infrastructure;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>The schema every T-SQL migration of the data layer builds, applied in name order, read once.</summary>
public static class Migrations
{
    /// <summary>
    /// The journal DbUp creates before the first script (SqlTableJournal's definition), which the health check counts.
    /// It is no migration's, so the model is given it here.
    /// </summary>
    public const string DbUpJournal =
        """
        CREATE TABLE SchemaVersions (
            Id INT IDENTITY(1, 1) NOT NULL CONSTRAINT PK_SchemaVersions_Id PRIMARY KEY,
            ScriptName NVARCHAR(255) NOT NULL,
            Applied DATETIME NOT NULL
        );
        """;

    private static readonly Lazy<SchemaModel> Built = new(() => Up(_ => true));

    public static SchemaModel Schema => Built.Value;

    /// <summary>The schema of the T-SQL migrations whose names <paramref name="applied"/> accepts (e.g. before a given one).</summary>
    public static SchemaModel Up(Func<string, bool> applied) =>
        SchemaModel.FromScripts(Migrator.Scripts(DatabaseProvider.SqlServer).Where(s => applied(s.Name)).Select(s => s.Contents).Prepend(DbUpJournal));
}
