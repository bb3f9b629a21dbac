using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Trial.Db.Infrastructure;

namespace Trial.Extracts.Reading;

/// <summary>
/// One consistent moment of the database for a whole extract: one connection and one read
/// transaction that every dataset of the extract reads through, while data entry goes on.
/// SQLite (WAL): a deferred transaction sees the database as of its first read, beside the writer
/// and without blocking it. SQL Server: SNAPSHOT isolation (allowed by the ExportSnapshot migration),
/// which reads row versions as of the transaction's first read and takes no shared locks.
/// </summary>
public sealed class ExportSnapshot : IAsyncDisposable
{
    /// <summary>The first read of the snapshot's transaction, which fixes its moment.</summary>
    public const string FixSnapshotSql = "SELECT COUNT(*) FROM Site";

    /// <summary>Each site's time zone: dates in the extracts are the sites' own calendar dates.</summary>
    public const string SiteZonesSql = "SELECT Code, TimeZone FROM Site";

    private ExportSnapshot(DbSession session, DateTime takenUtc, IReadOnlyDictionary<string, TimeZoneInfo> siteZones)
    {
        Session = session;
        TakenUtc = takenUtc;
        SiteZones = siteZones;
    }

    /// <summary>Each site's time zone, as of the snapshot.</summary>
    public IReadOnlyDictionary<string, TimeZoneInfo> SiteZones { get; }

    /// <summary>The snapshot's connection and read transaction, which every query of the extract is given.</summary>
    public DbSession Session { get; }

    /// <summary>Server time just after the snapshot was fixed: every write committed before it is in the extract.</summary>
    public DateTime TakenUtc { get; }

    public static async Task<ExportSnapshot> BeginAsync(Database database, TimeProvider clock, CancellationToken ct = default)
    {
        var connection = await database.OpenAsync(ct);
        try
        {
            // Microsoft.Data.Sqlite begins IMMEDIATE transactions by default, which would take the write lock.
            DbTransaction transaction = connection is SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: true)
                : await connection.BeginTransactionAsync(IsolationLevel.Snapshot, ct);
            // Both engines fix the snapshot at the transaction's first read, not at BEGIN: read now,
            // so that the moment is this one and not whenever the first dataset happens to start.
            var session = new DbSession(connection, transaction, database.Provider);
            await connection.ExecuteScalarAsync<int>(session.Command(FixSnapshotSql, ct: ct));
            var zones = (await connection.QueryAsync<(string Code, string TimeZone)>(session.Command(SiteZonesSql, ct: ct)))
                .ToDictionary(s => s.Code, s => TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone), StringComparer.Ordinal);
            return new ExportSnapshot(session, clock.GetUtcNow().UtcDateTime, zones);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Nothing was written: ending the read transaction is all a rollback does.
        await Session.Transaction!.DisposeAsync();
        await Session.Connection.DisposeAsync();
    }
}
