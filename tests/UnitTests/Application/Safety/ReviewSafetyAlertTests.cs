using NUnit.Framework;
using Trial.Application;
using Trial.Application.Safety;
using Trial.Core.Access;
using Trial.Core.Safety;
using Trial.Db.Audit;
using Trial.Db.Participants;
using Trial.Db.Safety;

namespace Trial.Tests.Application.Safety;

/// <summary>The monitors' review of an alert, and the alerts as they read them: every step through <see cref="AlertLifecycle"/>.</summary>
public class ReviewSafetyAlertTests
{
    private UseCaseDatabase _data = null!;
    private ReviewSafetyAlert _review = null!;
    private ReadSafetyAlerts _read = null!;
    private readonly Actor _monitor = UseCaseDatabase.Person(Roles.Monitor, "WAW");
    private int _steps;

    [OneTimeSetUp]
    public async Task CreateAsync()
    {
        _data = await UseCaseDatabase.CreateAsync();
        _review = new ReviewSafetyAlert(_data.Db);
        _read = new ReadSafetyAlerts(_data.Db, UseCaseDatabase.Blinded);
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    /// <summary>An open VITALS_BP alert of a new participant of <paramref name="site"/>, raised by the system.</summary>
    private async Task<(ParticipantRow Participant, SafetyAlertRow Alert)> RaiseAsync(string site = "WAW")
    {
        var participant = await _data.EnrolAsync(site);
        var finding = new AlertCandidate("VITALS_BP", "high", SourceTypes.Vitals, Guid.NewGuid().ToString("N"), "INF1", "Blood pressure 185/95 mmHg at INF1 t40",
            new Dictionary<string, string> { ["systolic"] = "185", ["diastolic"] = "95" });
        var alert = await _data.Db.WriteDerivedAsync(UseCaseDatabase.Now, w => AlertLifecycle.RaiseAsync(w, participant, finding, UseCaseDatabase.Blinded.Version));
        return (participant, alert);
    }

    private async Task<Outcome<SafetyAlertRow>> StepAsync(Actor actor, Guid id, AlertReview step, string? comment)
    {
        var checkedStep = await _review.CheckAsync(actor, id, step, comment);
        if (checkedStep.IsRefused) return checkedStep.Refusal!;
        // A minute apart, so the history lists the steps in the order they were made.
        return await _data.Db.RunAsync(actor, UseCaseDatabase.Now.AddMinutes(Interlocked.Increment(ref _steps)), w => _review.WriteAsync(w, checkedStep.Value!));
    }

    [Test]
    public async Task RaiseAsync_NewFinding_OpenAlertWithItsRaisedEventAndAuditRow()
    {
        var (participant, alert) = await RaiseAsync();

        var (stored, history) = (await _read.GetAsync(_monitor, alert.Id)).Value!;
        Assert.That((stored.RuleCode, stored.Status, stored.Escalated, stored.SupersededUtc, stored.ParticipantCode, stored.ValuesJson),
            Is.EqualTo(("VITALS_BP", AlertStatuses.Open, false, (DateTime?)null, participant.Code, "{\"systolic\":\"185\",\"diastolic\":\"95\"}")));
        Assert.That(history.Select(e => (e.Action, e.FromStatus, e.ToStatus, e.Comment, e.ActorId, e.ActorRole)),
            Is.EqualTo(new[] { ("raised", (string?)null, (string?)"open", (string?)"Blood pressure 185/95 mmHg at INF1 t40", (Guid?)null, "system") }));
        var audit = (await _data.AuditAsync(AuditEntities.SafetyAlert)).Single(a => a.EntityId == alert.Id.ToString());
        Assert.That((audit.Action, audit.SiteCode, audit.ParticipantCode, audit.NewValue), Is.EqualTo((AuditActions.Create, "WAW", participant.Code,
            $"{{\"id\":\"{alert.Id}\",\"message\":\"Blood pressure 185/95 mmHg at INF1 t40\",\"rule\":\"VITALS_BP\",\"severity\":\"high\"," +
            $"\"sourceKey\":\"{alert.SourceKey}\",\"sourceType\":\"vitals\",\"values\":{{\"diastolic\":\"95\",\"systolic\":\"185\"}},\"visitCode\":\"INF1\"}}")));
    }

    [Test]
    public async Task WriteAsync_AcknowledgeThenResolve_EachStepRecordedWithTheMonitorAndAudited()
    {
        var (_, alert) = await RaiseAsync();

        var acknowledged = await StepAsync(_monitor, alert.Id, AlertReview.Acknowledge, "  Called the site.  ");
        var resolved = await StepAsync(_monitor, alert.Id, AlertReview.Resolve, "Repeat reading normal.");

        Assert.That((acknowledged.Value!.Status, resolved.Value!.Status), Is.EqualTo((AlertStatuses.Acknowledged, AlertStatuses.Resolved)));
        var history = (await _read.GetAsync(_monitor, alert.Id)).Value!.History;
        Assert.That(history.Skip(1).Select(e => (e.Action, e.FromStatus, e.ToStatus, e.Comment, e.ActorId, e.ActorRole)), Is.EqualTo(new[]
        {
            ("acknowledged", (string?)"open", (string?)"acknowledged", (string?)"Called the site.", (Guid?)_monitor.UserId, Roles.Monitor),
            ("resolved", "acknowledged", "resolved", "Repeat reading normal.", _monitor.UserId, Roles.Monitor),
        }));
        var changes = (await _data.AuditAsync(AuditEntities.SafetyAlert)).Where(a => a.EntityId == alert.Id.ToString() && a.Action == AuditActions.StateChange);
        Assert.That(changes.Select(a => (a.OldValue, a.NewValue, a.Reason, a.UserId)), Is.EqualTo(new[]
        {
            ($"{{\"id\":\"{alert.Id}\",\"status\":\"open\"}}", $"{{\"id\":\"{alert.Id}\",\"status\":\"acknowledged\"}}", "Called the site.", _monitor.UserId),
            ($"{{\"id\":\"{alert.Id}\",\"status\":\"acknowledged\"}}", $"{{\"id\":\"{alert.Id}\",\"status\":\"resolved\"}}", "Repeat reading normal.", _monitor.UserId),
        }));
    }

    [Test]
    public async Task WriteAsync_ResolveAnOpenAlert_ConflictAndNothingChanged()
    {
        var (_, alert) = await RaiseAsync();

        var refused = await StepAsync(_monitor, alert.Id, AlertReview.Resolve, "Done.");

        Assert.That(refused.Refusal, Is.EqualTo(new Conflict("The alert is open: acknowledge it before resolving it.")));
        Assert.That((await _read.GetAsync(_monitor, alert.Id)).Value!.History, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task WriteAsync_AcknowledgeTwice_ConflictNamesTheStatus()
    {
        var (_, alert) = await RaiseAsync();
        await StepAsync(_monitor, alert.Id, AlertReview.Acknowledge, null);

        var refused = await StepAsync(_monitor, alert.Id, AlertReview.Acknowledge, null);

        Assert.That(refused.Refusal, Is.EqualTo(new Conflict("The alert is acknowledged; only an open alert can be marked acknowledged.")));
    }

    [Test]
    public async Task CheckAsync_ResolveWithoutComment_InvalidComment()
    {
        var (_, alert) = await RaiseAsync();

        var refused = await _review.CheckAsync(_monitor, alert.Id, AlertReview.Resolve, "   ");

        Assert.That(refused.Refusal, Is.InstanceOf<Invalid>());
        Assert.That(((Invalid)refused.Refusal!).Errors["comment"], Is.EqualTo(new[] { "A comment is required to mark an alert resolved: say what was done." }));
    }

    [Test]
    public async Task WriteAsync_EscalateTwice_SecondIsConflict_FlagAudited()
    {
        var (_, alert) = await RaiseAsync();

        var escalated = await StepAsync(_monitor, alert.Id, AlertReview.Escalate, "Needs the medical monitor.");
        var again = await StepAsync(_monitor, alert.Id, AlertReview.Escalate, "Again.");

        Assert.That((escalated.Value!.Escalated, escalated.Value.Status), Is.EqualTo((true, AlertStatuses.Open)));
        Assert.That(again.Refusal, Is.EqualTo(new Conflict("The alert is already escalated.")));
        var audit = (await _data.AuditAsync(AuditEntities.SafetyAlert)).Single(a => a.EntityId == alert.Id.ToString() && a.Action == AuditActions.StateChange);
        Assert.That((audit.OldValue, audit.NewValue, audit.Reason), Is.EqualTo(
            ($"{{\"escalated\":false,\"id\":\"{alert.Id}\"}}", $"{{\"escalated\":true,\"id\":\"{alert.Id}\"}}", "Needs the medical monitor.")));
    }

    [Test]
    public async Task CheckAsync_EscalateWithoutReason_InvalidReason()
    {
        var (_, alert) = await RaiseAsync();

        var refused = await _review.CheckAsync(_monitor, alert.Id, AlertReview.Escalate, null);

        Assert.That(((Invalid)refused.Refusal!).Errors["reason"], Is.EqualTo(new[] { "A reason is required to escalate an alert." }));
    }

    [Test]
    public async Task CheckAsync_AlertOfAnotherSite_ForbiddenAndUnknownIdNotFound()
    {
        var (_, alert) = await RaiseAsync("KRK");
        var missing = Guid.NewGuid();

        Assert.That((await _review.CheckAsync(_monitor, alert.Id, AlertReview.Acknowledge, null)).Refusal,
            Is.EqualTo(new Forbidden("The alert concerns site KRK, which is not one of your sites.")));
        Assert.That((await _review.CheckAsync(_monitor, missing, AlertReview.Acknowledge, null)).Refusal,
            Is.EqualTo(new NotFound($"No safety alert with id {missing}.")));
    }

    [Test]
    public async Task ListAsync_UnknownStatusOrAnotherSite_Refused_ElseTheSitesAlerts()
    {
        var (participant, alert) = await RaiseAsync();

        var invalid = await _read.ListAsync(_monitor, new SafetyAlertQuery("closed", null, null, null, null, null, null));
        var otherSite = await _read.ListAsync(_monitor, new SafetyAlertQuery(null, null, "KRK", null, null, null, null));
        var listed = await _read.ListAsync(_monitor, new SafetyAlertQuery(null, null, null, participant.Code, null, null, null));

        Assert.That(((Invalid)invalid.Refusal!).Errors["status"], Is.EqualTo(new[] { "status must be one of open, acknowledged, resolved; got 'closed'." }));
        Assert.That(otherSite.Refusal, Is.EqualTo(new Forbidden("Site KRK is not one of your sites.")));
        Assert.That(listed.Value!.Items.Select(a => a.Id), Is.EqualTo(new[] { alert.Id }));
    }
}
