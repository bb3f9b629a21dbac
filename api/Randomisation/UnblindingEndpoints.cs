using System.Globalization;
using System.Text.Json;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Core.Safety;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Randomisation;
using Trial.Db.Safety;

namespace Trial.Api.Randomisation;

public sealed record UnblindRequest(string? Reason);

/// <summary>The arm, for the investigator who asked, and for nobody else: no GET returns it to a blinded role.</summary>
public sealed record UnblindingResponse(Guid Id, string ParticipantCode, string Arm, string ArmName, string Drug, decimal DoseMgPerKg, DateTime UnblindedUtc);

/// <summary>An unblinding as the audit trail records it: who (the row's user), when and why, never the arm.</summary>
internal sealed record AuditedUnblinding(Guid Id, string ParticipantCode, DateTime UnblindedUtc);

/// <summary>
/// Emergency unblinding: an investigator who must know a participant's arm to treat them asks for it with a reason.
/// The arm goes to them alone; the unblinding is recorded and audited, the participant is flagged as unblinded for the
/// extracts, and the monitors get an UNBLINDED alert (without the arm) raised in the same transaction.
/// </summary>
public static class UnblindingEndpoints
{
    public static IEndpointRouteBuilder MapUnblinding(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/participants/{code}/unblinding", UnblindAsync).WithTags("Randomisation").RequireAuthorization(Policies.Investigator)
            .WithName("EmergencyUnblinding")
            .WithSummary("Emergency unblinding of one participant of your site (investigator), when knowing the arm changes their treatment; a reason is required. " +
                         "Returns the arm to you alone, records who, when and why, flags the participant as unblinded, and raises an UNBLINDED alert to the " +
                         "monitors, which does not name the arm.")
            .Produces<UnblindingResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> UnblindAsync(string code, UnblindRequest body, Database db, WritePath writes, ProtocolDefinition protocol, TimeProvider clock,
        HttpContext http)
    {
        if (!protocol.Design.IsBlinded)
            return Problems.Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} is {protocol.Design.Blinding}: there is nothing to unblind.");
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.Actor());
        if (error is not null) return error.ToResult();
        var errors = new FieldErrors();
        var reason = DataEntry.CheckReason(errors, body.Reason, required: true, "The reason for unblinding (what knowing the arm changes in the treatment)");
        if (errors.Any) return errors.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, async w =>
        {
            var p = participant!;
            var allocation = await RandomisationQueries.FindAllocationAsync(w.Session, p.Id);
            if (allocation is null) return Problems.Conflict($"{code} has not been randomised: there is no arm to reveal.");
            var unblinding = new UnblindingRow { Id = SequentialGuid.New(now), ParticipantId = p.Id, Reason = reason!, UnblindedUtc = now, UnblindedBy = w.Actor.UserId };
            await RandomisationQueries.InsertUnblindingAsync(w.Session, unblinding);
            await RandomisationQueries.MarkUnblindedAsync(w.Session, p.Id, now);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Unblinding, unblinding.Id.ToString(), new AuditedUnblinding(unblinding.Id, code, now),
                p.SiteCode, code, reason));
            await RaiseAlertAsync(w, protocol, p.Id, p.SiteCode, code, unblinding, reason!);

            var arm = protocol.Design.FindArm(allocation.Arm);
            return Results.Created($"/api/v1/participants/{code}/randomisation",
                new UnblindingResponse(unblinding.Id, code, allocation.Arm, arm?.Name ?? allocation.Arm, arm?.Drug ?? "", arm?.DoseMgPerKg ?? 0, now));
        });
    }

    // Raised here rather than by the safety engine: the unblinding is the whole finding, and the alert must exist the
    // moment the arm is out, in the same transaction, not after a background job.
    private static async Task RaiseAlertAsync(WriteScope w, ProtocolDefinition protocol, Guid participantId, string siteCode, string code, UnblindingRow unblinding,
        string reason)
    {
        var rule = protocol.FindRule(EmergencyUnblinding.AlertRule);
        if (rule is null || !rule.Enabled) return;
        var message = $"{code} was unblinded in an emergency by {w.Actor.Name} ({w.Actor.Role}) at {unblinding.UnblindedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC. " +
                      $"Reason given: {reason}";
        var values = new Dictionary<string, string> { ["unblindedBy"] = w.Actor.Name, ["unblindingId"] = unblinding.Id.ToString("N") };
        var alert = new SafetyAlertRow
        {
            Id = SequentialGuid.New(w.NowUtc), ParticipantId = participantId, RuleCode = rule.Code, Severity = rule.Severity,
            SourceType = EmergencyUnblinding.SourceType, SourceKey = unblinding.Id.ToString("N"), VisitCode = null, Message = message,
            ValuesJson = JsonSerializer.Serialize(values), Status = AlertStatuses.Open, Escalated = false, RaisedUtc = w.NowUtc, ProtocolVersion = protocol.Version,
        };
        await SafetyQueries.InsertAsync(w.Session, alert);
        await SafetyQueries.InsertEventAsync(w.Session, new SafetyAlertEventRow
        {
            Id = SequentialGuid.New(w.NowUtc), AlertId = alert.Id, Action = "raised", FromStatus = null, ToStatus = AlertStatuses.Open, Comment = message,
            ActorId = null, ActorRole = Actor.System.Role, AtUtc = w.NowUtc,
        });
        await w.AuditAsync(AuditEntry.Created(AuditEntities.SafetyAlert, alert.Id.ToString(), new
        {
            id = alert.Id, rule = alert.RuleCode, severity = alert.Severity, sourceType = alert.SourceType, sourceKey = alert.SourceKey, visitCode = alert.VisitCode,
            message, values,
        }, siteCode, code));
    }
}
