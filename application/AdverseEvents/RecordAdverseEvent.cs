using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.AdverseEvents;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.AdverseEvents;

/// <summary>
/// An investigator records an adverse event (ICH E2A seriousness; any criterion makes it serious). The safety evaluation
/// that follows raises SAE_REPORTED and starts the sponsor reporting clock for a serious one, AESI for one of special interest.
/// </summary>
public sealed class RecordAdverseEvent(Database db, ProtocolDefinition protocol)
{
    /// <summary>The longest verbatim term and coded term accepted (on recording and on correction).</summary>
    public const int MaxTermLength = 500, MaxCodedTermLength = 200;

    /// <summary>A checked event, as the row it will be.</summary>
    public sealed record Checked(ParticipantRow Participant, AdverseEventRow Row, string? Reason);

    /// <summary>What can be decided before the write: the participant (and the actor's access), the fields, entry after withdrawal.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string code, AdverseEventInput input, DateTime nowUtc)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var form = AdverseEventForm.Check(input, Guid.Empty, nowUtc, participant!, requireReason: false);
        if (form.IsRefused) return form.Refusal!;
        if (DataEntry.CheckWithdrawal(participant!, form.Value!.Reason) is { } withdrawn) return withdrawn;
        var row = AdverseEventForm.ToRow(form.Value, SequentialGuid.New(nowUtc), participant!, version: 1, nowUtc, actor.UserId, recordedUtc: nowUtc, recordedBy: actor.UserId);
        return new Checked(participant!, row, form.Value.Reason);
    }

    /// <summary>Stores the event with its audit row, and asks for the participant's safety evaluation.</summary>
    public async Task<Outcome<AdverseEventDetails>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, row) = (input.Participant, input.Row);
        await AdverseEventQueries.InsertAsync(w.Session, row);
        var details = AdverseEventDetails.Of(row, protocol);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.AdverseEvent, row.Id.ToString(), AuditedAdverseEvent.Of(details), participant.SiteCode, participant.Code,
            input.Reason, DataEntry.Flag(participant)));
        await w.SafetyDataChangedAsync(participant.Id, SafetyChange.Added);
        return details;
    }
}
