using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Trial.Db.Infrastructure;

namespace Trial.Db.Audit;

/// <summary>
/// Appends a write's audit rows to the hash chain. On its own (SQL Server), a write reads and locks the end of the chain
/// at its first append and stores it back once, just before its commit. Inside a batch of the SQLite writer, the batch
/// holds the end of the chain (<paramref name="batchHead"/>), moves it with every append and stores it once per batch.
/// Either way a write that is rolled back leaves the chain as it was.
/// </summary>
internal sealed class AuditChain(WriteScope scope, AuditChainHead? batchHead)
{
    private long _lastId;
    private string _lastHash = "";
    private bool _headRead;

    public int Appended { get; private set; }

    public async Task AppendAsync(AuditEntry entry)
    {
        if (batchHead is not null)
        {
            (_lastId, _lastHash) = (batchHead.LastId, batchHead.LastHash);
        }
        else if (!_headRead)
        {
            var head = await AuditQueries.LockHeadAsync(scope.Session);
            (_lastId, _lastHash, _headRead) = (head.LastId, head.LastHash, true);
        }
        var actor = scope.Actor;
        var row = new AuditEventRow
        {
            Id = _lastId + 1,
            AtUtc = scope.NowUtc,
            UserId = actor.UserId,
            UserName = actor.Name,
            Role = actor.Role,
            TokenId = actor.Token,
            SiteCode = entry.SiteCode,
            EntityType = entry.EntityType,
            EntityId = entry.EntityId,
            ParticipantCode = entry.ParticipantCode,
            Action = entry.Action,
            OldValue = entry.OldValue,
            NewValue = entry.NewValue,
            Reason = entry.Reason,
            Flag = entry.Flag,
            RequestId = actor.RequestId,
            PreviousHash = _lastHash,
        };
        row.Hash = AuditHash.Of(row);
        await AuditQueries.InsertAsync(scope.Session, row);
        (_lastId, _lastHash) = (row.Id, row.Hash);
        if (batchHead is not null) (batchHead.LastId, batchHead.LastHash) = (row.Id, row.Hash);
        Appended++;
    }

    public async Task CompleteAsync()
    {
        if (Appended > 0 && batchHead is null) await AuditQueries.SetHeadAsync(scope.Session, _lastId, _lastHash);
    }
}

/// <summary>The SHA-256 of an audit row: its content, as a canonical JSON array, and the hash of the row before it.</summary>
public static class AuditHash
{
    public static string Of(AuditEventRow r)
    {
        // A JSON array of the fields in a fixed order: each value's boundaries are unambiguous, whatever text it holds.
        var buffer = new ArrayBufferWriter<byte>(512 + (r.OldValue?.Length ?? 0) + (r.NewValue?.Length ?? 0));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteNumberValue(r.Id);
            json.WriteStringValue(DateTime.SpecifyKind(r.AtUtc, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture));
            json.WriteStringValue(r.UserId.ToString("D"));
            foreach (var text in new[] { r.UserName, r.Role, r.TokenId?.ToString("D"), r.SiteCode, r.EntityType, r.EntityId, r.ParticipantCode, r.Action,
                         r.OldValue, r.NewValue, r.Reason, r.Flag, r.RequestId, r.PreviousHash })
            {
                if (text is null) json.WriteNullValue();
                else json.WriteStringValue(text);
            }
            json.WriteEndArray();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }
}

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
