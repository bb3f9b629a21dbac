using System.Globalization;
using Trial.Application.Participants;
using Trial.Application.Safety;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Core.Safety;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;

namespace Trial.Application.Randomisation;

/// <summary>The arm, for the investigator who asked, and for nobody else: no read returns it to a blinded role.</summary>
public sealed record Unblinded(Guid Id, string ParticipantCode, string Arm, string ArmName, string Drug, decimal DoseMgPerKg, DateTime UnblindedUtc);

/// <summary>An unblinding as the audit trail records it: who (the row's user), when and why, never the arm.</summary>
internal sealed record AuditedUnblinding(Guid Id, string ParticipantCode, DateTime UnblindedUtc);

/// <summary>
/// Emergency unblinding: an investigator who must know a participant's arm to treat them asks for it with a reason.
/// The arm goes to them alone; the unblinding is recorded and audited, the participant is flagged as unblinded for the
/// extracts, and the monitors get an UNBLINDED alert (without the arm) raised in the same transaction.
/// </summary>
public sealed class UnblindParticipant(Database db, ProtocolDefinition protocol)
{
    /// <summary>A checked request, ready to be written.</summary>
    public sealed record Checked(ParticipantRow Participant, string Reason);

    /// <summary>What can be decided before the write: the design, the participant (and the actor's access), the reason.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string code, string? reason)
    {
        if (!protocol.Design.IsBlinded)
            return new Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} is {protocol.Design.Blinding}: there is nothing to unblind.");
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var errors = new FieldErrors();
        var text = DataEntry.CheckReason(errors, reason, required: true, "The reason for unblinding (what knowing the arm changes in the treatment)");
        if (errors.Any) return errors.ToRefusal();
        return new Checked(participant!, text!);
    }

    /// <summary>Reveals the arm of a randomised participant: the unblinding, its flag on the participant, its audit row and the UNBLINDED alert.</summary>
    public async Task<Outcome<Unblinded>> WriteAsync(WriteScope w, Checked input)
    {
        var (p, code, reason, now) = (input.Participant, input.Participant.Code, input.Reason, w.NowUtc);
        var allocation = await RandomisationQueries.FindAllocationAsync(w.Session, p.Id);
        if (allocation is null) return new Conflict($"{code} has not been randomised: there is no arm to reveal.");
        var unblinding = new UnblindingRow { Id = SequentialGuid.New(now), ParticipantId = p.Id, Reason = reason, UnblindedUtc = now, UnblindedBy = w.Actor.UserId };
        await RandomisationQueries.InsertUnblindingAsync(w.Session, unblinding);
        await RandomisationQueries.MarkUnblindedAsync(w.Session, p.Id, now);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Unblinding, unblinding.Id.ToString(), new AuditedUnblinding(unblinding.Id, code, now),
            p.SiteCode, code, reason));
        await RaiseAlertAsync(w, p, unblinding);

        var arm = protocol.Design.FindArm(allocation.Arm);
        return new Unblinded(unblinding.Id, code, allocation.Arm, arm?.Name ?? allocation.Arm, arm?.Drug ?? "", arm?.DoseMgPerKg ?? 0, now);
    }

    /// <summary>The UNBLINDED alert's message: who unblinded whom, when, and the whole reason they gave (never the arm).</summary>
    public static string AlertMessage(string participantCode, Actor actor, DateTime unblindedUtc, string reason) =>
        $"{participantCode} was unblinded in an emergency by {actor.Name} ({actor.Role}) at " +
        $"{unblindedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC. Reason given: {reason}";

    // Raised here rather than by the safety engine: the unblinding is the whole finding, and the alert must exist the
    // moment the arm is out, in the same transaction, not after a background job.
    private async Task RaiseAlertAsync(WriteScope w, ParticipantRow participant, UnblindingRow unblinding)
    {
        var rule = protocol.FindRule(EmergencyUnblinding.AlertRule);
        if (rule is null || !rule.Enabled) return;
        var message = AlertMessage(participant.Code, w.Actor, unblinding.UnblindedUtc, unblinding.Reason);
        var values = new Dictionary<string, string> { ["unblindedBy"] = w.Actor.Name, ["unblindingId"] = unblinding.Id.ToString("N") };
        await AlertLifecycle.RaiseAsync(w, participant,
            new AlertCandidate(rule.Code, rule.Severity, EmergencyUnblinding.SourceType, unblinding.Id.ToString("N"), null, message, values), protocol.Version);
    }
}
