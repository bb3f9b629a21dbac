using Trial.Db.Infrastructure;

namespace Trial.Db.Audit;

/// <summary>The result of recomputing the chain: every row's hash and link, and the head against the last row.</summary>
public sealed record AuditVerification(long Rows, bool Intact, long? FirstBrokenId);

public static class AuditVerifier
{
    public static async Task<AuditVerification> VerifyAsync(Database db) => await db.ReadAsync(async c =>
    {
        long rows = 0, expectedId = 1;
        var previousHash = "";
        await foreach (var row in AuditQueries.ChainAsync(c))
        {
            rows++;
            // A missing row (a gap in the ids), a broken link or a changed content all break the chain at this row.
            if (row.Id != expectedId || row.PreviousHash != previousHash || AuditHash.Of(row) != row.Hash)
                return new AuditVerification(rows, false, Math.Min(row.Id, expectedId));
            expectedId = row.Id + 1;
            previousHash = row.Hash;
        }
        // Rows cut off the end leave the chain consistent but shorter than the head says it is.
        var head = await AuditQueries.HeadAsync(c);
        if (head.LastId != expectedId - 1 || head.LastHash != previousHash)
            return new AuditVerification(rows, false, expectedId);
        return new AuditVerification(rows, true, null);
    });
}
