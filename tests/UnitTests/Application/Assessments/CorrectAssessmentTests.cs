using NUnit.Framework;
using Trial.Application;
using Trial.Application.Assessments;
using Trial.Db.Assessments;

namespace Trial.Tests.Application.Assessments;

/// <summary>Correcting an assessment, and reading it and its earlier versions back.</summary>
[TestFixture]
public class CorrectAssessmentTests
{
    private static readonly DateTime Now = new(2026, 2, 20, 12, 0, 0, DateTimeKind.Utc);
    private static readonly AssessmentValues Madrs = new("MADRS", null, new DateTime(2026, 2, 20, 9, 0, 0, DateTimeKind.Utc),
        EnterAssessmentTests.Items("[4,4,3,3,2,3,3,3,3,2]"), null, null);

    private StudyDatabase _study = null!;
    private CorrectAssessment _correct = null!;
    private ReadAssessments _read = null!;
    private StoredAssessment _entered = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _correct = new CorrectAssessment(_study.Db, _study.Protocol);
        _read = new ReadAssessments(_study.Db, _study.Protocol);
        var participant = await _study.EnrolAsync();
        await _study.RecordVisitAsync(participant, "BL", new DateOnly(2026, 2, 20));
        var enter = new EnterAssessment(_study.Db, _study.Protocol);
        var input = await enter.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "BL", Madrs, Now);
        _entered = StudyDatabase.Succeeded(await _study.WriteAsync(StudyDatabase.Investigator, Now, w => enter.WriteAsync(w, input.Value!))).Stored;
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public async Task CheckAsync_NoSuchAssessment_IsNotFound()
    {
        var id = Guid.Parse("0195c3a4-0000-7000-8000-000000000001");

        var outcome = await _correct.CheckAsync(StudyDatabase.Investigator, id, Madrs with { Reason = "Typo" }, "\"1\"", Now);

        Assert.That(outcome.Refusal, Is.EqualTo(new NotFound($"No assessment with id {id}.")));
    }

    [Test]
    public async Task CheckAsync_NoVersionNamed_RequiresOne()
    {
        var outcome = await _correct.CheckAsync(StudyDatabase.Investigator, _entered.Row.Id, Madrs with { Reason = "Typo" }, null, Now);

        Assert.That(outcome.Refusal, Is.EqualTo(new VersionRequired(
            "Send If-Match with the ETag of the version of the assessment you changed (currently \"1\"); read it with GET first.")));
    }

    [Test]
    public async Task CheckAsync_AnotherInstrumentAndNoReason_RefusesBoth()
    {
        var outcome = await _correct.CheckAsync(StudyDatabase.Investigator, _entered.Row.Id, Madrs with { Instrument = "BSL23" }, "\"1\"", Now);

        var invalid = (Invalid)outcome.Refusal!;
        Assert.That(invalid.Errors["instrument"], Is.EqualTo(new[] { "A correction cannot change the instrument (MADRS); enter a new assessment instead." }));
        Assert.That(invalid.Errors["reason"], Is.EqualTo(new[] { "A reason for the correction is required." }));
    }

    [Test]
    public async Task CheckAsync_ParticipantOfAnotherSite_IsForbidden()
    {
        var outcome = await _correct.CheckAsync(StudyDatabase.KrakowInvestigator, _entered.Row.Id, Madrs with { Reason = "Typo" }, "\"1\"", Now);

        Assert.That(outcome.Refusal, Is.InstanceOf<Forbidden>());
    }

    [Test]
    public async Task WriteAsync_CorrectedItem_RescoresKeepsTheEarlierVersionAndAuditsTheChange()
    {
        var values = Madrs with { Items = EnterAssessmentTests.Items("[6,4,3,3,2,3,3,3,3,2]"), Reason = "Transcription error" };
        var input = await _correct.CheckAsync(StudyDatabase.Investigator, _entered.Row.Id, values, "\"1\"", Now);

        var (corrected, outOfWindow) = (await _study.WriteAsync(StudyDatabase.Investigator, Now.AddHours(1), w => _correct.WriteAsync(w, input.Value!))).Value!;

        Assert.That((corrected.Row.RowVersion, corrected.Scores["total"], corrected.Row.SeverityBand), Is.EqualTo((2, 32m, "moderate")));
        Assert.That(outOfWindow, Is.EqualTo(input.Value!.OutOfWindow).And.False, "the correction stands against the schedule as its read does");
        var id = _entered.Row.Id;
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That((audit.Action, audit.EntityId, audit.Reason), Is.EqualTo(("update", id.ToString(), "Transcription error")));
        Assert.That(audit.OldValue, Is.EqualTo($"{{\"id\":\"{id}\",\"items\":[4,4,3,3,2,3,3,3,3,2],\"scores\":{{\"total\":30}},\"version\":1}}"));
        Assert.That(audit.NewValue, Is.EqualTo($"{{\"id\":\"{id}\",\"items\":[6,4,3,3,2,3,3,3,3,2],\"scores\":{{\"total\":32}},\"version\":2}}"));
        var revision = (await _read.RevisionsAsync(StudyDatabase.Investigator, id)).Value!.Single();
        Assert.That((revision.RowVersion, revision.Reason, revision.ReplacedUtc, revision.ReplacedBy),
            Is.EqualTo((1, "Transcription error", Now.AddHours(1), StudyDatabase.Investigator.UserId)));
    }

    [Test]
    public async Task ListAsync_OneInWindowAssessment_GivesItNotOutOfWindow()
    {
        var listed = (await _read.ListAsync(StudyDatabase.Investigator, "WAW-0001", Now)).Value!;

        Assert.That(listed.Items.Select(a => (a.Stored.Row.Id, a.OutOfWindow)), Is.EqualTo(new[] { (_entered.Row.Id, false) }));
    }

    [Test]
    public async Task FindAsync_ParticipantOfAnotherSite_IsForbidden()
    {
        var found = await _read.FindAsync(StudyDatabase.KrakowInvestigator, _entered.Row.Id, Now);

        Assert.That(found.Refusal, Is.EqualTo(new Forbidden("Participant WAW-0001 belongs to site WAW, which is not one of your sites.")));
    }
}
