using NUnit.Framework;
using Trial.Application;
using Trial.Application.Visits;
using Trial.Db.Visits;

namespace Trial.Tests.Application.Visits;

/// <summary>Recording, reading and correcting vital signs at an infusion timepoint.</summary>
[TestFixture]
public class VitalSignsTests
{
    private static readonly DateTime Now = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);
    private static readonly VitalsValues Taken = new("pre", 120, 80, 72, 98, null);

    private StudyDatabase _study = null!;
    private RecordVitals _record = null!;
    private CorrectVitals _correct = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _record = new RecordVitals(_study.Db, _study.Protocol);
        _correct = new CorrectVitals(_study.Db, _study.Protocol);
        var participant = await _study.EnrolAsync();
        await _study.RecordVisitAsync(participant, "INF1", new DateOnly(2026, 3, 2));
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public async Task CheckAsync_FollowUpVisit_RefusesTheVisit()
    {
        var outcome = await _record.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "FU-D7", Taken);

        Assert.That(((Invalid)outcome.Refusal!).Errors["visitCode"], Is.EqualTo(new[] { "Vital signs are recorded at infusion visits; FU-D7 is not one." }));
    }

    [Test]
    public async Task CheckAsync_DiastolicNotBelowSystolicAndUnknownTimepoint_RefusesBoth()
    {
        var invalid = (Invalid)(await _record.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", Taken with { Timepoint = "t60", Diastolic = 120 })).Refusal!;

        Assert.That(invalid.Errors["diastolic"], Is.EqualTo(new[] { "Diastolic pressure (120) must be below systolic (120)." }));
        Assert.That(invalid.Errors["timepoint"], Is.EqualTo(new[] { "Timepoint must be one of pre, t40, t120, t240; got 't60'." }));
    }

    [Test]
    public async Task WriteAsync_AtARecordedVisit_StoresAndAuditsThem()
    {
        var row = (await RecordAsync(Taken)).Value!;

        Assert.That((row.Timepoint, row.Systolic, row.Diastolic, row.RowVersion), Is.EqualTo(("pre", 120, 80, 1)));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That((audit.EntityType, audit.EntityId, audit.Action), Is.EqualTo(("vitals", row.Id.ToString(), "create")));
        Assert.That(audit.NewValue, Is.EqualTo(
            $"{{\"diastolic\":80,\"heartRate\":72,\"id\":\"{row.Id}\",\"participantCode\":\"WAW-0001\",\"recordedUtc\":\"2026-03-02T15:00:00Z\"," +
            "\"spo2\":98,\"systolic\":120,\"timepoint\":\"pre\",\"version\":1,\"visitCode\":\"INF1\"}"));
    }

    [Test]
    public async Task WriteAsync_TimepointAlreadyRecorded_IsAConflictNamingIt()
    {
        var first = (await RecordAsync(Taken)).Value!;

        var again = (Conflict)(await RecordAsync(Taken)).Refusal!;

        Assert.That(again.Detail, Is.EqualTo(
            $"Vital signs of WAW-0001 at INF1 pre are already recorded (id {first.Id}); corrections go through PUT with If-Match."));
    }

    [Test]
    public async Task CheckAsync_CorrectionMovingToAnotherTimepoint_RefusesTheTimepoint()
    {
        await RecordAsync(Taken);

        var outcome = await _correct.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", "pre", Taken with { Timepoint = "t40", Reason = "Typo" }, "\"1\"");

        Assert.That(((Invalid)outcome.Refusal!).Errors["timepoint"], Is.EqualTo(new[] { "A correction cannot move vital signs to another timepoint (pre)." }));
    }

    [Test]
    public async Task CheckAsync_CorrectionOfNothingRecorded_IsNotFound()
    {
        var outcome = await _correct.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", "t40", Taken with { Reason = "Typo" }, "\"1\"");

        Assert.That(outcome.Refusal, Is.EqualTo(new NotFound("No vital signs of WAW-0001 are recorded at INF1 t40.")));
    }

    [Test]
    public async Task WriteAsync_Correction_StoresTheNewValuesAndAuditsTheChangedOnes()
    {
        var recorded = (await RecordAsync(Taken)).Value!;
        var correction = await _correct.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", "pre", Taken with { Systolic = 182, Reason = "Misread" }, "\"1\"");

        var corrected = (await _study.WriteAsync(StudyDatabase.Investigator, Now.AddHours(1), w => _correct.WriteAsync(w, correction.Value!))).Value!;

        Assert.That((corrected.Systolic, corrected.RowVersion, corrected.RecordedUtc), Is.EqualTo((182, 2, Now)));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That((audit.Action, audit.Reason), Is.EqualTo(("update", "Misread")));
        Assert.That(audit.OldValue, Is.EqualTo($"{{\"id\":\"{recorded.Id}\",\"systolic\":120,\"version\":1}}"));
        Assert.That(audit.NewValue, Is.EqualTo($"{{\"id\":\"{recorded.Id}\",\"systolic\":182,\"version\":2}}"));
    }

    private async Task<Outcome<VitalSignRow>> RecordAsync(VitalsValues values)
    {
        var input = await _record.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", values);
        if (input.IsRefused) return input.Refusal!;
        return await _study.WriteAsync(StudyDatabase.Investigator, Now, w => _record.WriteAsync(w, input.Value!));
    }
}
