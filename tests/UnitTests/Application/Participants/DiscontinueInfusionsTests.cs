using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Participants;
using Trial.Db.Participants;

namespace Trial.Tests.Application.Participants;

[TestFixture]
public class DiscontinueInfusionsTests
{
    private static readonly DateTime Now = new(2026, 3, 10, 9, 0, 0, DateTimeKind.Utc);

    private StudyDatabase _study = null!;
    private DiscontinueInfusions _discontinue = null!;
    private ParticipantRow _participant = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _discontinue = new DiscontinueInfusions(_study.Db, _study.Protocol);
        _participant = await _study.EnrolAsync();
        await _study.RecordVisitAsync(_participant, "INF1", new DateOnly(2026, 3, 2));
        await _study.RecordVisitAsync(_participant, "INF2", new DateOnly(2026, 3, 5));
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public async Task WriteAsync_FirstDiscontinuationWithoutVersion_RecordsItAsAStateChange()
    {
        var outcome = await DiscontinueAsync(new DateOnly(2026, 3, 6), ifMatch: null);

        Assert.That((outcome.Value!.InfusionsDiscontinuedDate, outcome.Value.DiscontinuationReasonCode, outcome.Value.DiscontinuationReason, outcome.Value.RowVersion),
            Is.EqualTo(((DateOnly?)new DateOnly(2026, 3, 6), "ADVERSE EVENT", "Dissociation", 2)));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That(audit.Action, Is.EqualTo("state-change"));
        Assert.That(audit.OldValue, Is.EqualTo("""{"code":"WAW-0001","discontinuationReason":null,"discontinuationReasonCode":null,"infusionsDiscontinuedDate":null,"version":1}"""));
        Assert.That(audit.NewValue, Is.EqualTo("""{"code":"WAW-0001","discontinuationReason":"Dissociation","discontinuationReasonCode":"ADVERSE EVENT","infusionsDiscontinuedDate":"2026-03-06","version":2}"""));
    }

    [Test]
    public async Task WriteAsync_DateBeforeAnInfusionGiven_RefusesTheDate()
    {
        var outcome = await DiscontinueAsync(new DateOnly(2026, 3, 4), ifMatch: null);

        Assert.That(((Invalid)outcome.Refusal!).Errors["date"], Is.EqualTo(new[]
        {
            "INF2 was given on 2026-03-05, after 2026-03-04; infusions cannot have stopped before an infusion that was given.",
        }));
    }

    [Test]
    public async Task CheckAsync_CorrectionWithoutVersion_RequiresOne()
    {
        await DiscontinueAsync(new DateOnly(2026, 3, 6), ifMatch: null);

        var outcome = await _discontinue.CheckAsync(StudyDatabase.Investigator, new DiscontinuationInput("WAW-0001", new DateOnly(2026, 3, 7), DispositionReasons.AdverseEvent, "Dissociation"), null, Now);

        Assert.That(outcome.Refusal, Is.EqualTo(new VersionRequired(
            "Send If-Match with the ETag of the version of the participant you changed (currently \"2\"); read it with GET first.")));
    }

    [Test]
    public async Task CheckAsync_CorrectionNamingAnEarlierVersion_IsStale()
    {
        await DiscontinueAsync(new DateOnly(2026, 3, 6), ifMatch: null);

        var outcome = await _discontinue.CheckAsync(StudyDatabase.Investigator, new DiscontinuationInput("WAW-0001", new DateOnly(2026, 3, 7), DispositionReasons.AdverseEvent, "Dissociation"), "\"1\"", Now);

        Assert.That(outcome.Refusal, Is.EqualTo(new VersionStale(
            "The participant was changed since you read it (current ETag \"2\"); read it again and re-apply your change. Nothing was stored.", "participant", 2)));
    }

    [Test]
    public async Task WriteAsync_CorrectionNamingTheCurrentVersion_RecordsItAsAnUpdate()
    {
        await DiscontinueAsync(new DateOnly(2026, 3, 6), ifMatch: null);

        var outcome = await DiscontinueAsync(new DateOnly(2026, 3, 7), ifMatch: "\"2\"");

        Assert.That(outcome.Value!.InfusionsDiscontinuedDate, Is.EqualTo(new DateOnly(2026, 3, 7)));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That(audit.Action, Is.EqualTo("update"));
        Assert.That(audit.NewValue, Is.EqualTo("""{"code":"WAW-0001","infusionsDiscontinuedDate":"2026-03-07","version":3}"""));
    }

    [Test]
    public async Task CheckAsync_UnknownReasonCode_RefusesReasonCodeAndNothingIsStored()
    {
        var outcome = await _discontinue.CheckAsync(StudyDatabase.Investigator,
            new DiscontinuationInput("WAW-0001", new DateOnly(2026, 3, 6), "Adverse event", "Dissociation"), null, Now);

        var invalid = (Invalid)outcome.Refusal!;
        Assert.That(invalid.Errors.Keys, Is.EqualTo(new[] { "reasonCode" }));
        Assert.That(invalid.Errors["reasonCode"].Single(), Does.StartWith("\"Adverse event\" is not a reason code; use one of \"ADVERSE EVENT\", \"LACK OF EFFICACY\""));
        var stored = (await _study.FindAsync("WAW-0001"))!;
        Assert.That((stored.InfusionsDiscontinuedDate, stored.DiscontinuationReasonCode, stored.RowVersion), Is.EqualTo(((DateOnly?)null, (string?)null, 1)));
    }

    [Test]
    public async Task CheckAsync_MissingReasonCodeAndReason_RefusesBoth()
    {
        var outcome = await _discontinue.CheckAsync(StudyDatabase.Investigator, new DiscontinuationInput("WAW-0001", new DateOnly(2026, 3, 6), null, null), null, Now);

        Assert.That(((Invalid)outcome.Refusal!).Errors.Keys, Is.EquivalentTo(new[] { "reasonCode", "reason" }));
    }

    [Test]
    public async Task WriteAsync_CorrectionOfTheCode_AuditsTheCodeThatChanged()
    {
        await DiscontinueAsync(new DateOnly(2026, 3, 6), ifMatch: null);
        var input = await _discontinue.CheckAsync(StudyDatabase.Investigator,
            new DiscontinuationInput("WAW-0001", new DateOnly(2026, 3, 6), DispositionReasons.PhysicianDecision, "Dissociation"), "\"2\"", Now);

        var outcome = await _study.WriteAsync(StudyDatabase.Investigator, Now, w => _discontinue.WriteAsync(w, input.Value!));

        Assert.That(outcome.Value!.DiscontinuationReasonCode, Is.EqualTo("PHYSICIAN DECISION"));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That(audit.Action, Is.EqualTo("update"));
        Assert.That(audit.OldValue, Is.EqualTo("""{"code":"WAW-0001","discontinuationReasonCode":"ADVERSE EVENT","version":2}"""));
        Assert.That(audit.NewValue, Is.EqualTo("""{"code":"WAW-0001","discontinuationReasonCode":"PHYSICIAN DECISION","version":3}"""));
    }

    private async Task<Outcome<ParticipantRow>> DiscontinueAsync(DateOnly date, string? ifMatch)
    {
        var input = await _discontinue.CheckAsync(StudyDatabase.Investigator, new DiscontinuationInput("WAW-0001", date, DispositionReasons.AdverseEvent, "Dissociation"), ifMatch, Now);
        if (input.IsRefused) return input.Refusal!;
        return await _study.WriteAsync(StudyDatabase.Investigator, Now, w => _discontinue.WriteAsync(w, input.Value!));
    }
}
