using System.Globalization;
using Trial.Db.Infrastructure;

namespace Trial.Db.Audit;

/// <summary>
/// The result of recomputing the chain: every row's hash and link, the head against the last row, and the stored chain
/// against the anchors taken outside the database.
/// </summary>
/// <param name="Rows">Rows read (up to the first broken one).</param>
/// <param name="Intact">Nothing found wrong, and everything that could be checked was.</param>
/// <param name="FirstBrokenId">The first row changed, removed or inserted; null when intact or when no row can be named.</param>
public sealed record AuditVerification(long Rows, bool Intact, long? FirstBrokenId)
{
    /// <summary>The first row chained with the key (HMAC-SHA256); null when the chain has no key.</summary>
    public long? KeyedFromId { get; init; }

    /// <summary>Rows chained with the plain SHA-256, without a key: those before <see cref="KeyedFromId"/> (all, when it is null).</summary>
    public long PlainRows { get; init; }

    /// <summary>Anchors the stored chain was compared with.</summary>
    public int AnchorsChecked { get; init; }

    /// <summary>What was found wrong, in words; null when intact.</summary>
    public string? Problem { get; init; }
}

public static class AuditVerifier
{
    /// <summary>
    /// Recomputes the whole chain with the database's key (<see cref="Database.AuditKey"/>): rows before the key's switch
    /// with the plain hash, every row from it on with the key only. <paramref name="anchors"/> are the chain's ends as
    /// anchored outside the database: an anchor beyond the stored chain means rows were removed from there, an anchor
    /// whose hash differs from the stored row's means the chain was changed up to there.
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(Database db, IEnumerable<AuditAnchor>? anchors = null)
    {
        var key = db.AuditKey;
        var anchored = new Dictionary<long, List<AuditAnchor>>();
        var anchorCount = 0;
        AuditAnchor? furthest = null;
        foreach (var anchor in anchors ?? [])
        {
            anchorCount++;
            if (!anchored.TryGetValue(anchor.LastId, out var same)) anchored[anchor.LastId] = same = [];
            same.Add(anchor);
            if (furthest is null || anchor.LastId > furthest.LastId) furthest = anchor;
        }

        return await db.ReadAsync(async c =>
        {
            var stored = await AuditQueries.HeadAsync(c);
            var keyedFrom = stored.KeyedFromId;
            // Whether the rows from the key's switch on can be checked here: with the key the switch was made with.
            string? keyProblem = (stored.KeyedFromId, key) switch
            {
                (null, null) => null,
                (null, not null) =>
                    "The chain's head does not say from which row the key applies, though the application records it when it starts with its key: " +
                    "it was removed, and the rows may have been recomputed without the key.",
                ({ } from, null) => $"The trail is chained with a key from row {from} on, and no key (Audit:ChainKey) is configured here to check those rows.",
                ({ } from, { } k) when stored.KeyMarker != k.MarkerFor(from) =>
                    $"The chain's head says the key applies from row {from}, which the configured key does not confirm: either this is not the key " +
                    "the trail was chained with, or the switch was moved.",
                _ => null,
            };
            var checkKeyed = keyProblem is null;

            long rows = 0, plainRows = 0, expectedId = 1;
            var previousHash = "";
            (long Id, string Text)? anchorBreak = null;
            await foreach (var row in AuditQueries.ChainAsync(c))
            {
                rows++;
                var keyed = keyedFrom is { } from && row.Id >= from;
                if (!keyed) plainRows++;
                else if (!checkKeyed) continue;

                // A missing row (a gap in the ids), a broken link or a changed content all break the chain at this row.
                var broken =
                    row.Id != expectedId ? $"Row {Math.Min(row.Id, expectedId)} is missing or out of place: the stored ids go from {expectedId - 1} to {row.Id}."
                    : row.PreviousHash != previousHash ? $"Row {row.Id} does not link to the row before it: rows were removed or inserted before it."
                    : AuditHash.Of(row, keyed ? key : null) != row.Hash
                        ? keyed
                            ? $"Row {row.Id} does not match its hash under the key: it was changed, or the chain was recomputed without the key."
                            : $"Row {row.Id} does not match its hash: it was changed behind the application's back."
                    : null;
                if (broken is not null)
                    return Result(rows, plainRows, anchorBreak, (Math.Min(row.Id, expectedId), broken));

                if (anchorBreak is null && anchored.TryGetValue(row.Id, out var anchorsHere) && anchorsHere.FirstOrDefault(a => a.LastHash != row.Hash) is { } differing)
                {
                    anchorBreak = (row.Id, $"Row {row.Id} differs from the anchor taken at {Time(differing)}: the chain was changed up to that row, " +
                                           "and recomputed so that it links again.");
                }
                expectedId = row.Id + 1;
                previousHash = row.Hash;
            }

            if (!checkKeyed) return Result(rows, plainRows, anchorBreak, (null, keyProblem!));
            var lastId = expectedId - 1;
            if (furthest is not null && furthest.LastId > lastId)
            {
                anchorBreak ??= (expectedId, $"The anchor taken at {Time(furthest)} names row {furthest.LastId}, and the stored chain ends at row {lastId}: " +
                                             $"rows from {expectedId} on were removed.");
            }
            // Rows cut off the end leave the chain consistent but shorter than the head says it is.
            var head = await AuditQueries.HeadAsync(c);
            if (head.LastId != lastId || head.LastHash != previousHash)
                return Result(rows, plainRows, anchorBreak, (expectedId, $"The chain's head names row {head.LastId}, and the stored chain ends at row {lastId}: rows were cut off the end."));
            return Result(rows, plainRows, anchorBreak, null);

            AuditVerification Result(long read, long plain, (long Id, string Text)? fromAnchors, (long? Id, string Text)? fromChain)
            {
                // The earlier of what the anchors and the chain itself show; a problem without a row comes after any with one.
                (long? Id, string Text)? first = (fromAnchors, fromChain) switch
                {
                    (null, var chain) => chain,
                    (var anchor, null) => anchor,
                    ({ } anchor, { Id: { } chainId } chain) => chainId < anchor.Id ? chain : anchor,
                    ({ } anchor, _) => anchor,
                };
                return new AuditVerification(read, first is null, first?.Id)
                {
                    KeyedFromId = keyedFrom,
                    PlainRows = plain,
                    AnchorsChecked = anchorCount,
                    Problem = first?.Text,
                };
            }
        });
    }

    private static string Time(AuditAnchor anchor) => anchor.AtUtc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
