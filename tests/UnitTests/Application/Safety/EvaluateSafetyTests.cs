using NUnit.Framework;
using Trial.Application.Safety;
using Trial.Db.AdverseEvents;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Safety;

namespace Trial.Tests.Application.Safety;

/// <summary>The safety evaluation over a participant's stored data: what it evaluates, and the alerts it raises, supersedes and reinstates.</summary>
public class EvaluateSafetyTests
{
    private static readonly DateTime Now = UseCaseDatabase.Now;

    private UseCaseDatabase _data = null!;
    private EvaluateSafety _evaluation = null!;

    [OneTimeSetUp]
    public async Task CreateAsync()
    {
        _data = await UseCaseDatabase.CreateAsync();
        _evaluation = new EvaluateSafety(_data.Db, UseCaseDatabase.Blinded);
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    /// <summary>A serious adverse event (hospitalisation), reported to the sponsor an hour after the site learned of it.</summary>
    private static AdverseEventRow SeriousEvent(ParticipantRow participant) => new()
    {
        Id = Guid.NewGuid(), ParticipantId = participant.Id, Term = "Suicide attempt", OnsetDate = UseCaseDatabase.Today, Severity = "severe", Serious = true,
        SeriousCriteria = "hospitalisation", Relatedness = "unlikely", Expected = false, ActionTaken = "interrupted", Outcome = "recovering",
        AwareDate = UseCaseDatabase.Today, AwareUtc = Now.AddHours(-3), SponsorReportedUtc = Now.AddHours(-2), RowVersion = 1, RecordedUtc = Now, UpdatedUtc = Now,
    };

    private Task WriteAsync(ParticipantRow participant, Func<WriteScope, Task> write, SafetyChange change) =>
        _data.Db.WriteDerivedAsync(Now, async w =>
        {
            await write(w);
            await w.SafetyDataChangedAsync(participant.Id, change);
        });

    private Task<IReadOnlyList<SafetyAlertRow>> AlertsAsync(ParticipantRow participant) =>
        _data.Db.ReadAsync(c => SafetyQueries.ForParticipantAsync(c, participant.Id));

    [Test]
    public async Task EvaluateAsync_SeriousAdverseEventAdded_RaisesSaeReported()
    {
        var participant = await _data.EnrolAsync();
        var ae = SeriousEvent(participant);
        await WriteAsync(participant, w => AdverseEventQueries.InsertAsync(w.Session, ae), SafetyChange.Added);

        var evaluation = await _evaluation.EvaluateAsync(participant.Id, EvaluationScope.AfterWrite, Now);

        Assert.That(evaluation, Is.EqualTo(new ParticipantEvaluation(EvaluatedData.WholeParticipant, 1, "the participant has not been evaluated before", true, 0)));
        var alert = (await AlertsAsync(participant)).Single();
        Assert.That((alert.RuleCode, alert.Severity, alert.SourceKey, alert.Status, alert.Message), Is.EqualTo(("SAE_REPORTED", "critical", ae.Id.ToString("N"), "open",
            $"Serious adverse event 'Suicide attempt', onset {UseCaseDatabase.Today:yyyy-MM-dd} (criteria: hospitalisation; severity severe; relatedness to study drug: unlikely)")));
        Assert.That(await _evaluation.EvaluateAsync(participant.Id, EvaluationScope.AfterWrite, Now), Is.EqualTo(ParticipantEvaluation.UpToDate),
            "a second evaluation finds the data evaluated");
    }

    [Test]
    public async Task EvaluateAsync_CorrectedToNotSerious_SupersedesTheAlert_AndSeriousAgainReinstatesIt()
    {
        var participant = await _data.EnrolAsync();
        var ae = SeriousEvent(participant);
        await WriteAsync(participant, w => AdverseEventQueries.InsertAsync(w.Session, ae), SafetyChange.Added);
        await _evaluation.EvaluateAsync(participant.Id, EvaluationScope.AfterWrite, Now);

        await WriteAsync(participant, w => AdverseEventQueries.UpdateAsync(w.Session, Version(ae, serious: false, 2)), SafetyChange.Changed);
        // A minute apart, so the alert's history lists the changes in the order they were made.
        var corrected = await _evaluation.EvaluateAsync(participant.Id, EvaluationScope.AfterWrite, Now.AddMinutes(1));
        var superseded = (await AlertsAsync(participant)).Single();
        await WriteAsync(participant, w => AdverseEventQueries.UpdateAsync(w.Session, Version(ae, serious: true, 3)), SafetyChange.Changed);
        await _evaluation.EvaluateAsync(participant.Id, EvaluationScope.AfterWrite, Now.AddMinutes(2));
        var reinstated = (await AlertsAsync(participant)).Single();

        Assert.That(corrected, Is.EqualTo(new ParticipantEvaluation(EvaluatedData.WholeParticipant, 0, "data the rules read was changed, not only added to", true, 0)));
        Assert.That((superseded.SupersededUtc, reinstated.SupersededUtc, reinstated.Id), Is.EqualTo(((DateTime?)Now.AddMinutes(1), (DateTime?)null, superseded.Id)));
        var history = await _data.Db.ReadAsync(c => SafetyQueries.EventsAsync(c, superseded.Id));
        Assert.That(history.Select(e => (e.Action, e.Comment, e.ActorRole)), Is.EqualTo(new[]
        {
            ("raised", (string?)superseded.Message, "system"),
            ("superseded", "The condition no longer holds after a change to the data it was raised on.", "system"),
            ("reinstated", "The condition holds again after a change to the data.", "system"),
        }));
        var audit = (await _data.AuditAsync(AuditEntities.SafetyAlert)).Where(a => a.EntityId == superseded.Id.ToString()).ToList();
        Assert.That(audit.Select(a => (a.Action, a.OldValue, a.NewValue)), Is.EqualTo(new[]
        {
            (AuditActions.Create, (string?)null, audit[0].NewValue),
            (AuditActions.DeleteBySupersede, $"{{\"id\":\"{superseded.Id}\",\"superseded\":false}}", $"{{\"id\":\"{superseded.Id}\",\"superseded\":true}}"),
            (AuditActions.StateChange, $"{{\"id\":\"{superseded.Id}\",\"superseded\":true}}", $"{{\"id\":\"{superseded.Id}\",\"superseded\":false}}"),
        }));
    }

    [Test]
    public async Task EvaluateAsync_SaeClockOnUnchangedData_EvaluatesTheWholeParticipantAnyway()
    {
        var participant = await _data.EnrolAsync();
        await WriteAsync(participant, w => AdverseEventQueries.InsertAsync(w.Session, SeriousEvent(participant)), SafetyChange.Added);
        await _evaluation.EvaluateAsync(participant.Id, EvaluationScope.AfterWrite, Now);

        var onTheClock = await _evaluation.ParticipantsWithUnreportedSaesAsync();
        var clock = await _evaluation.EvaluateAsync(participant.Id, EvaluationScope.SaeClock, Now.AddHours(1));

        Assert.That(onTheClock, Does.Not.Contain(participant.Id), "reported to the sponsor");
        Assert.That(clock, Is.EqualTo(new ParticipantEvaluation(EvaluatedData.WholeParticipant, 0, "the SAE reporting clock evaluates whole participants", true, 0)));
        Assert.That((await AlertsAsync(participant)).Select(a => a.RuleCode), Is.EqualTo(new[] { "SAE_REPORTED" }), "the same alert, nothing new");
    }

    [Test]
    public async Task EvaluateAsync_UnknownParticipant_UpToDate()
    {
        Assert.That(await _evaluation.EvaluateAsync(Guid.NewGuid(), EvaluationScope.Sweep, Now), Is.EqualTo(ParticipantEvaluation.UpToDate));
    }

    private static AdverseEventRow Version(AdverseEventRow ae, bool serious, int version) => new()
    {
        Id = ae.Id, ParticipantId = ae.ParticipantId, Term = ae.Term, OnsetDate = ae.OnsetDate, Severity = ae.Severity, Serious = serious,
        SeriousCriteria = serious ? ae.SeriousCriteria : "", Relatedness = ae.Relatedness, Expected = ae.Expected, ActionTaken = ae.ActionTaken,
        Outcome = ae.Outcome, AwareDate = ae.AwareDate, AwareUtc = ae.AwareUtc, SponsorReportedUtc = ae.SponsorReportedUtc, RowVersion = version,
        RecordedUtc = ae.RecordedUtc, UpdatedUtc = Now,
    };
}
