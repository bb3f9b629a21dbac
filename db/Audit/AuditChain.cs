using Trial.Db.Infrastructure;

namespace Trial.Db.Audit;

/// <summary>
/// Appends a write's audit rows to the hash chain. On its own (SQL Server), a write reads and locks the end of the chain
/// at its first append and stores it back once, just before its commit. Inside a batch of the SQLite writer, the batch
/// holds the end of the chain (<paramref name="batchHead"/>), moves it with every append and stores it once per batch.
/// Either way a write that is rolled back leaves the chain as it was.
/// <para>
/// With the chain's key (<paramref name="key"/>), rows are hashed with HMAC-SHA256. The first write that holds the key
/// records in the head from which row on the key applies; from then on a process without that key cannot append.
/// </para>
/// </summary>
internal sealed class AuditChain(WriteScope scope, AuditChainHead? batchHead, AuditKey? key)
{
    private AuditChainHead? _ownHead;

    public int Appended { get; private set; }

    public async Task AppendAsync(AuditEntry entry)
    {
        var head = await KeyedHeadAsync();
        var actor = scope.Actor;
        var row = new AuditEventRow
        {
            Id = head.LastId + 1,
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
            PreviousHash = head.LastHash,
        };
        row.Hash = AuditHash.Of(row, key);
        await AuditQueries.InsertAsync(scope.Session, row);
        (head.LastId, head.LastHash) = (row.Id, row.Hash);
        Appended++;
    }

    /// <summary>
    /// The end of the chain, with the key's switch recorded when this process holds a key and the chain has none yet (the
    /// next row is the first keyed one). Refuses when the chain is keyed and this process holds no key or another one.
    /// </summary>
    public async Task<AuditChainHead> KeyedHeadAsync()
    {
        var head = batchHead ?? (_ownHead ??= new AuditChainHead(await AuditQueries.LockHeadAsync(scope.Session)));
        head.UseKey(key);
        return head;
    }

    public async Task CompleteAsync()
    {
        if (batchHead is null && _ownHead is { Moved: true }) await _ownHead.StoreAsync(scope.Session);
    }
}

/// <summary>
/// The end of the audit chain as a write (or a batch of the SQLite writer) moves it: appends read and advance it, a
/// rolled-back write restores it (<see cref="Save"/>, <see cref="Restore"/>).
/// </summary>
internal sealed class AuditChainHead(AuditChainHeadRow stored)
{
    public long LastId { get; set; } = stored.LastId;
    public string LastHash { get; set; } = stored.LastHash;
    public long? KeyedFromId { get; private set; } = stored.KeyedFromId;
    public string? KeyMarker { get; private set; } = stored.KeyMarker;

    /// <summary>Something to store: rows appended, or the key's switch recorded.</summary>
    public bool Moved => LastId != stored.LastId || KeyedFromId != stored.KeyedFromId;

    public void UseKey(AuditKey? key)
    {
        if (KeyedFromId is not { } keyedFrom)
        {
            // No key on either side: the plain chain, as before keys existed. A key seen for the first time applies from the next row.
            if (key is null) return;
            KeyedFromId = LastId + 1;
            KeyMarker = key.MarkerFor(LastId + 1);
            return;
        }
        if (key is null)
        {
            throw new InvalidOperationException(
                $"The audit trail is chained with a key from row {keyedFrom} on, and this process has none (Audit:ChainKey): it cannot append to the trail.");
        }
        if (KeyMarker != key.MarkerFor(keyedFrom))
        {
            throw new InvalidOperationException(
                $"The audit chain key of this process (Audit:ChainKey, or the key file in the data folder) is not the one the trail has been chained with since row {keyedFrom}: it cannot append to the trail.");
        }
    }

    public Task StoreAsync(DbSession session) => AuditQueries.SetHeadAsync(session, LastId, LastHash, KeyedFromId, KeyMarker);

    public (long LastId, string LastHash, long? KeyedFromId, string? KeyMarker) Save() => (LastId, LastHash, KeyedFromId, KeyMarker);

    public void Restore((long LastId, string LastHash, long? KeyedFromId, string? KeyMarker) saved) =>
        (LastId, LastHash, KeyedFromId, KeyMarker) = saved;
}
