using System.Text.Json;
using NUnit.Framework;
using Trial.Application;
using Trial.Application.Assessments;

namespace Trial.Tests.Application.Assessments;

[TestFixture]
public class EnterAssessmentTests
{
    private static readonly DateOnly Baseline = new(2026, 2, 20);
    private static readonly DateTime Now = new(2026, 2, 20, 12, 0, 0, DateTimeKind.Utc);

    // Ten MADRS items: a total of 30, moderate depression.
    private static readonly AssessmentValues Madrs = new("MADRS", null, new DateTime(2026, 2, 20, 9, 0, 0, DateTimeKind.Utc),
        Items("[4,4,3,3,2,3,3,3,3,2]"), null, null);

    private StudyDatabase _study = null!;
    private EnterAssessment _enter = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _enter = new EnterAssessment(_study.Db, _study.Protocol);
        await _study.EnrolAsync();
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    internal static JsonElement[] Items(string json) => JsonSerializer.Deserialize<JsonElement[]>(json)!;

    [Test]
    public async Task CheckAsync_ItemNotANumber_RefusesNamingTheItem()
    {
        var outcome = await _enter.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "BL", Madrs with { Items = Items("[4,4,\"x\",3,2,3,3,3,3,2]") }, Now);

        Assert.That(((Invalid)outcome.Refusal!).Errors["items[3]"], Is.EqualTo(new[] { "Item 3 (inner tension) must be a number or null; got \"x\"." }));
    }

    [Test]
    public async Task CheckAsync_InfusionVisitWithoutTimepoint_RefusesTheTimepoint()
    {
        var outcome = await _enter.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", Madrs, Now);

        Assert.That(((Invalid)outcome.Refusal!).Errors["timepoint"], Is.EqualTo(new[] { "INF1 is an infusion visit: timepoint must be one of pre, t40, t120, t240." }));
    }

    [Test]
    public async Task CheckAsync_InstrumentTheProtocolDoesNotScheduleThere_RefusesUnlessUnscheduled()
    {
        var outcome = await _enter.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF2", Madrs with { Timepoint = "t40" }, Now);
        var unscheduled = await _enter.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF2", Madrs with { Timepoint = "t40", Unscheduled = true }, Now);

        const string message = "The protocol does not schedule MADRS at INF2 t40. Send \"unscheduled\": true to record it as an unscheduled assessment.";
        Assert.That(((Invalid)outcome.Refusal!).Errors["instrument"], Is.EqualTo(new[] { message }));
        Assert.That(outcome.Refusal.Detail, Is.EqualTo(message));
        Assert.That(unscheduled.IsRefused, Is.False);
    }

    [Test]
    public async Task WriteAsync_VisitNotRecorded_IsAConflictNamingTheVisit()
    {
        var outcome = await EnterAsync(Madrs);

        var conflict = (Conflict)outcome.Refusal!;
        Assert.That(conflict.Detail, Is.EqualTo(
            "Visit BL of WAW-0001 has not been recorded yet; record it (PUT /api/v1/participants/WAW-0001/visits/BL) before its assessments."));
        Assert.That(conflict.Extensions!["missingVisit"], Is.EqualTo("BL"));
    }

    [Test]
    public async Task WriteAsync_AtTheRecordedBaseline_ScoresStoresAndAuditsWhatWasEntered()
    {
        await RecordBaselineAsync();

        var entered = (await EnterAsync(Madrs)).Value!;

        var row = entered.Stored.Row;
        Assert.That((row.Complete, row.SeverityBand, entered.Stored.Scores["total"], entered.OutOfWindow), Is.EqualTo((true, "moderate", 30m, false)));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That((audit.EntityType, audit.EntityId, audit.Action), Is.EqualTo(("assessment", row.Id.ToString(), "create")));
        Assert.That(audit.NewValue, Is.EqualTo(
            $"{{\"administeredUtc\":\"2026-02-20T09:00:00Z\",\"complete\":true,\"definitionVersion\":\"MADRS-1.0\",\"id\":\"{row.Id}\",\"instrument\":\"MADRS\"," +
            "\"items\":[4,4,3,3,2,3,3,3,3,2],\"outOfWindow\":null,\"participantCode\":\"WAW-0001\",\"protocolVersion\":\"2.1.0\"," +
            "\"receivedUtc\":\"2026-02-20T12:00:00Z\",\"scores\":{\"total\":30},\"severityBand\":\"moderate\",\"timepoint\":null,\"unscheduled\":false," +
            "\"version\":1,\"visitCode\":\"BL\"}"));
    }

    [Test]
    public async Task WriteAsync_SlotAlreadyTaken_IsAConflictLinkingTheStoredOne()
    {
        await RecordBaselineAsync();
        var first = (await EnterAsync(Madrs)).Value!;

        var again = (Conflict)(await EnterAsync(Madrs)).Refusal!;

        var id = first.Stored.Row.Id;
        Assert.That(again.Detail, Is.EqualTo($"MADRS at BL is already recorded for WAW-0001 (assessment {id}); corrections go through PUT /api/v1/assessments/{id}."));
        Assert.That((again.Extensions!["existingId"], again.Extensions["existing"]), Is.EqualTo(((object)id, (object)$"/api/v1/assessments/{id}")));
    }

    [Test]
    public async Task LostRaceAsync_SlotTakenByAnotherEntry_IsTheDuplicateConflict()
    {
        await RecordBaselineAsync();
        var late = (await _enter.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "BL", Madrs, Now)).Value!;
        Assert.That(await _enter.LostRaceAsync(late), Is.Null, "nothing in the slot yet");
        var first = (await EnterAsync(Madrs)).Value!;

        var refusal = await _enter.LostRaceAsync(late);

        Assert.That(((Conflict)refusal!).Extensions!["existingId"], Is.EqualTo(first.Stored.Row.Id));
    }

    private async Task RecordBaselineAsync() => await _study.RecordVisitAsync((await _study.FindAsync("WAW-0001"))!, "BL", Baseline);

    private async Task<Outcome<AssessmentInWindow>> EnterAsync(AssessmentValues values)
    {
        var input = await _enter.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "BL", values, Now);
        if (input.IsRefused) return input.Refusal!;
        return await _study.WriteAsync(StudyDatabase.Investigator, Now, w => _enter.WriteAsync(w, input.Value!));
    }
}
