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
