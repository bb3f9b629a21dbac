using System.Data.Common;
using System.Text.Json;
using Hangfire;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.AdverseEvents;
using Trial.Db.Assessments;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Safety;
using Trial.Db.Visits;

namespace Trial.Worker.Safety;

/// <summary>
/// Evaluates the protocol's safety rules over a participant's data and brings the stored alerts
/// in line: a new finding raises an alert, a finding that no longer holds (after a correction)
/// supersedes its alert, never deletes it. Evaluation always covers the whole participant, so a
/// corrected baseline re-evaluates every later visit compared with it, and running it twice
/// changes nothing.
/// </summary>
public sealed class SafetyJobs(Database db, ProtocolDefinition protocol, TimeProvider clock)
{
    public const string SweepJobId = "safety:sweep-unevaluated";
    public const string SaeClockJobId = "safety:sae-clock";

    /// <summary>
    /// Evaluates the participant unless an earlier job already evaluated the data as it is now
    /// (several writes in quick succession enqueue several jobs; the first one sees them all).
    /// </summary>
    [AutomaticRetry(Attempts = 5)]
    public Task EvaluateParticipantAsync(Guid participantId) => EvaluateAsync(participantId, evenIfCurrent: false);

    private async Task EvaluateAsync(Guid participantId, bool evenIfCurrent)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // Read and evaluate outside the write transaction, so data entry never waits on rule
        // evaluation; the write only applies the findings, and only when no write touched the
        // participant's data in between (that write enqueued its own evaluation, which will see it).
        var read = await db.ReadAsync(async c =>
        {
            var participant = await ParticipantQueries.FindByIdAsync(c, participantId);
            if (participant is null) return null;
            var versions = await SafetyQueries.VersionsAsync(c, participantId);
            if (!evenIfCurrent && versions.Version == versions.EvaluatedVersion) return null;
            return new { versions.Version, Participant = participant, Data = await LoadAsync(c, participant, now) };
        });
        if (read is null) return;
        var findings = SafetyEngine.Evaluate(protocol, read.Data, now);
        await db.WriteDerivedAsync(now, async w =>
        {
            if ((await SafetyQueries.VersionsAsync(w.Connection, participantId, w.Transaction)).Version != read.Version) return false;
            await ReconcileAsync(w, read.Participant, findings);
            await SafetyQueries.SetEvaluatedAsync(w.Connection, w.Transaction, participantId, read.Version);
            return true;
        });
    }

    /// <summary>Evaluates every participant whose data changed since their last evaluation: the safety net for lost jobs.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> SweepUnevaluatedAsync()
    {
        var pending = await db.ReadAsync(SafetyQueries.UnevaluatedParticipantsAsync);
        foreach (var id in pending) await EvaluateParticipantAsync(id);
        return pending.Count;
    }

    /// <summary>The SAE reporting clock runs out with time, not with a write: re-evaluate every participant with an unreported SAE.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> CheckSaeClocksAsync()
    {
        var pending = await db.ReadAsync(SafetyQueries.ParticipantsWithUnreportedSaesAsync);
        // Nothing was written, time passed: evaluate even when the data is unchanged.
        foreach (var id in pending) await EvaluateAsync(id, evenIfCurrent: true);
        return pending.Count;
    }

    private async Task<ParticipantSafetyData> LoadAsync(DbConnection c, ParticipantRow participant, DateTime now)
    {
        var assessments = await AssessmentQueries.ListForParticipantAsync(c, participant.Id, SafetyEngine.InstrumentsRead);
        var vitals = await InfusionAndVitalsQueries.VitalsAsync(c, participant.Id);
        var adverseEvents = await AdverseEventQueries.ForParticipantAsync(c, participant.Id);
        var visits = await ParticipantQueries.VisitRecordsAsync(c, participant.Id);
        // Missed visits come from the schedule computed now, not from the stored plan, which may lag a moment behind.
        var schedule = ScheduleCalculator.Build(protocol, participant.ScheduleInput(visits), SiteCalendar.Today(now, participant.TimeZone));
        return new ParticipantSafetyData(
            participant.Code,
            participant.TimeZone,
            assessments.Select(a => new AssessmentFact(a.Row.Id, a.Row.Instrument, a.Row.VisitCode, a.Row.Timepoint.Length == 0 ? null : a.Row.Timepoint,
                a.Row.AdministeredUtc, a.Items, a.Scores)).ToList(),
            vitals.Select(v => new VitalsFact(v.Id, v.VisitCode, v.Timepoint, v.Systolic, v.Diastolic, v.HeartRate, v.Spo2)).ToList(),
            adverseEvents.Select(ToFact).ToList(),
            schedule.Where(v => v.Status == VisitStatuses.Missed).Select(v => new MissedVisitFact(v.VisitCode, v.WindowEnd)).ToList());
    }

    public static AdverseEventFact ToFact(AdverseEventRow e) => new(
        e.Id, e.Term, e.OnsetDate, e.EndDate, e.Severity, e.Serious, e.SeriousCriteriaList, e.Relatedness, e.Expected,
        e.ActionTaken, e.Outcome, e.AwareDate, e.AwareUtc, e.SponsorReportedUtc, e.SpecialInterest);

    // Every change to an alert is kept twice over: in the alert's own history (what a monitor reads beside it) and in
    // the audit trail (old and new values, so a re-evaluation never overwrites a finding without a trace).
    private async Task ReconcileAsync(WriteScope w, ParticipantRow participant, IReadOnlyList<AlertCandidate> findings)
    {
        // Only the alerts of rules the engine evaluates are its to raise and supersede: an UNBLINDED alert is raised by
        // the unblinding itself and no evaluation of clinical data can make it stop holding.
        var stored = (await SafetyQueries.ForParticipantAsync(w.Connection, participant.Id, w.Transaction))
            .Where(a => SafetyEngine.KnownRules.Contains(a.RuleCode))
            .ToDictionary(a => (a.RuleCode, a.SourceKey));
        var found = findings.ToDictionary(f => (f.Rule, f.SourceKey));

        foreach (var finding in findings)
        {
            var values = JsonSerializer.Serialize(finding.Values);
            if (!stored.TryGetValue((finding.Rule, finding.SourceKey), out var alert))
            {
                var raised = new SafetyAlertRow
                {
                    Id = SequentialGuid.New(w.NowUtc), ParticipantId = participant.Id, RuleCode = finding.Rule, Severity = finding.Severity,
                    SourceType = finding.SourceType, SourceKey = finding.SourceKey, VisitCode = finding.VisitCode,
                    Message = finding.Message, ValuesJson = values, Status = AlertStatuses.Open, Escalated = false,
                    RaisedUtc = w.NowUtc, ProtocolVersion = protocol.Version,
                };
                await SafetyQueries.InsertAsync(w.Connection, w.Transaction, raised);
                await RecordAsync(w, raised.Id, "raised", null, AlertStatuses.Open, finding.Message);
                await w.AuditAsync(AuditEntry.Created(AuditEntities.SafetyAlert, raised.Id.ToString(), AuditedAlert.Of(raised), participant.SiteCode, participant.Code));
                continue;
            }
            if (alert.SupersededUtc is not null)
            {
                await SafetyQueries.SetSupersededAsync(w.Connection, w.Transaction, alert.Id, null);
                await RecordAsync(w, alert.Id, "reinstated", alert.Status, alert.Status, "The condition holds again after a change to the data.");
                await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.StateChange,
                    new { id = alert.Id, superseded = true }, new { id = alert.Id, superseded = false }, participant.SiteCode, participant.Code,
                    "The condition holds again after a change to the data."));
            }
            if (alert.Message != finding.Message || alert.ValuesJson != values || alert.Severity != finding.Severity || alert.VisitCode != finding.VisitCode)
            {
                await SafetyQueries.SetFindingAsync(w.Connection, w.Transaction, alert.Id, finding.Message, values, finding.Severity, finding.VisitCode);
                await RecordAsync(w, alert.Id, "updated", alert.Status, alert.Status, $"Was: {alert.Message}");
                await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.Update,
                    AuditedAlert.Of(alert), AuditedAlert.Of(alert, finding, values), participant.SiteCode, participant.Code,
                    "Re-evaluated after a change to the data."));
            }
        }

        foreach (var alert in stored.Values.Where(a => a.SupersededUtc is null && !found.ContainsKey((a.RuleCode, a.SourceKey))))
        {
            const string why = "The condition no longer holds after a change to the data it was raised on.";
            await SafetyQueries.SetSupersededAsync(w.Connection, w.Transaction, alert.Id, w.NowUtc);
            await RecordAsync(w, alert.Id, "superseded", alert.Status, alert.Status, why);
            await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.DeleteBySupersede,
                new { id = alert.Id, superseded = false }, new { id = alert.Id, superseded = true }, participant.SiteCode, participant.Code, why));
        }
    }

    private static Task RecordAsync(WriteScope w, Guid alertId, string action, string? from, string? to, string? comment) =>
        SafetyQueries.InsertEventAsync(w.Connection, w.Transaction, new SafetyAlertEventRow
        {
            Id = SequentialGuid.New(w.NowUtc), AlertId = alertId, Action = action, FromStatus = from, ToStatus = to,
            Comment = comment, ActorId = null, ActorRole = w.Actor.Role, AtUtc = w.NowUtc,
        });
}

/// <summary>The fields of an alert as the audit trail records them.</summary>
internal static class AuditedAlert
{
    public static object Of(SafetyAlertRow a) => Of(a.Id, a.RuleCode, a.Severity, a.SourceType, a.SourceKey, a.VisitCode, a.Message, a.ValuesJson);

    public static object Of(SafetyAlertRow a, AlertCandidate now, string valuesJson) =>
        Of(a.Id, a.RuleCode, now.Severity, a.SourceType, a.SourceKey, now.VisitCode, now.Message, valuesJson);

    private static object Of(Guid id, string rule, string severity, string sourceType, string sourceKey, string? visitCode, string message, string valuesJson) =>
        new { id, rule, severity, sourceType, sourceKey, visitCode, message, values = JsonSerializer.Deserialize<Dictionary<string, string>>(valuesJson) };
}
