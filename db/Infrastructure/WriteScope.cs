using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Safety;
using Trial.Db.Schedules;

namespace Trial.Db.Infrastructure;

/// <summary>
/// One write: the open transaction, who makes it and the server time it happens at. Every write goes through
/// <see cref="Database"/>'s write methods, which hand out a scope, so the duties of a write have one home:
/// its audit rows (<see cref="AuditAsync"/>), in the same transaction as the change, and the derived work it
/// causes (<see cref="SafetyDataChangedAsync"/>, <see cref="ScheduleDataChangedAsync"/>), marked in the
/// database now and signalled to the background jobs only after the commit.
/// </summary>
public sealed class WriteScope
{
    private readonly HashSet<Guid> _safetyChanged = [];
    private readonly HashSet<Guid> _safetyChangedWhole = [];
    private readonly HashSet<Guid> _scheduleChanged = [];
    private readonly AuditChain _audit;

    /// <param name="session">The open connection and the write's transaction.</param>
    /// <param name="actor">Who writes.</param>
    /// <param name="nowUtc">The server time of the write.</param>
    /// <param name="chainHead">The end of the audit chain when the caller keeps it (the SQLite writer, one per batch); null to lock and read it here.</param>
    /// <param name="auditKey">The audit chain's key; null where none is configured (rows are then chained with the plain hash).</param>
    internal WriteScope(DbSession session, Actor actor, DateTime nowUtc, AuditChainHead? chainHead = null, AuditKey? auditKey = null)
    {
        if (session.Transaction is null) throw new ArgumentException("A write runs in a transaction.", nameof(session));
        Session = session;
        Actor = actor;
        NowUtc = nowUtc;
        _audit = new AuditChain(this, chainHead, auditKey);
    }

    /// <summary>The connection and the write's transaction: what every query of the write is given.</summary>
    public DbSession Session { get; }
    public Actor Actor { get; }
    public DateTime NowUtc { get; }

    /// <summary>Set by <see cref="Refuse"/>: the write is rolled back instead of committed, and nothing it signalled happens.</summary>
    public bool Refused { get; private set; }

    /// <summary>Audit rows this write appended.</summary>
    public int AuditRows => _audit.Appended;

    internal IReadOnlyCollection<Guid> SafetyChanged => _safetyChanged;
    internal IReadOnlyCollection<Guid> ScheduleChanged => _scheduleChanged;

    /// <summary>Rolls the whole write back when it returns: used when a check inside the transaction refuses it.</summary>
    public void Refuse() => Refused = true;

    /// <summary>Appends one row to the audit trail, in this transaction, as this scope's actor.</summary>
    public Task AuditAsync(AuditEntry entry) => _audit.AppendAsync(entry);

    /// <summary>
    /// The data the safety rules read changed for this participant: marks it unevaluated now, evaluates after commit.
    /// <paramref name="change"/> says whether the write only added records (<see cref="SafetyChange.Added"/>); once any
    /// call of the write says otherwise, the participant is evaluated whole.
    /// </summary>
    public async Task SafetyDataChangedAsync(Guid participantId, SafetyChange change = SafetyChange.Changed)
    {
        var whole = change != SafetyChange.Added;
        if (_safetyChanged.Add(participantId))
        {
            await SafetyQueries.MarkUnevaluatedAsync(Session, participantId, whole);
            if (whole) _safetyChangedWhole.Add(participantId);
        }
        else if (whole && _safetyChangedWhole.Add(participantId))
        {
            await SafetyQueries.MarkForFullEvaluationAsync(Session, participantId);
        }
    }

    /// <summary>The data the visit schedule depends on changed for this participant: marks it stale now, rebuilds after commit.</summary>
    public async Task ScheduleDataChangedAsync(Guid participantId)
    {
        if (_scheduleChanged.Add(participantId)) await ScheduleQueries.MarkScheduleStaleAsync(Session, participantId);
    }

    /// <summary>Records in the chain's head that rows from the next one on are chained with the key (see <see cref="Database.KeyAuditChainAsync"/>).</summary>
    internal async Task<long?> KeyAuditChainAsync() => (await _audit.KeyedHeadAsync()).KeyedFromId;

    /// <summary>Called once before commit: stores the new end of the audit chain.</summary>
    internal Task CompleteAsync() => _audit.CompleteAsync();
}
