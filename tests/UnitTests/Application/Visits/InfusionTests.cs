using NUnit.Framework;
using Trial.Application;
using Trial.Application.Visits;
using Trial.Core.Protocol;
using Trial.Db.Visits;

namespace Trial.Tests.Application.Visits;

/// <summary>Recording, reading and correcting an infusion; the open-label protocol records the dose, the blinded one the preparation.</summary>
[TestFixture]
public class InfusionTests
{
    private static readonly DateOnly Inf1 = new(2026, 3, 2);
    private static readonly DateTime Now = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    // 10:00 to 10:40 in Warsaw on the day INF1 was recorded.
    private static readonly InfusionValues Given = new(70m, 0.5m, "IV", new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc),
        new DateTime(2026, 3, 2, 9, 40, 0, DateTimeKind.Utc), null);

    private StudyDatabase _study = null!;
    private RecordInfusion _record = null!;
    private CorrectInfusion _correct = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync(ProtocolLoader.OpenLabelName);
        _record = new RecordInfusion(_study.Db, _study.Protocol);
        _correct = new CorrectInfusion(_study.Db, _study.Protocol);
        await _study.EnrolAsync();
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public async Task CheckAsync_NotAnInfusionVisit_RefusesTheVisit()
    {
        var outcome = await _record.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "FU-D7", Given, Now);

        Assert.That(((Invalid)outcome.Refusal!).Errors["visitCode"], Is.EqualTo(new[] { "FU-D7 is not an infusion visit." }));
    }

    [Test]
    public async Task CheckAsync_DoseAboveTheLimitAndNoTimeZone_RefusesBoth()
    {
        var values = Given with { DoseMgPerKg = 1.5m, StartUtc = new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Unspecified) };

        var invalid = (Invalid)(await _record.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", values, Now)).Refusal!;

        Assert.That(invalid.Errors["doseMgPerKg"], Is.EqualTo(new[] { "Dose must be between 0.1 and 1.0 mg/kg; got 1.5 mg/kg, which is implausible for IV ketamine." }));
        Assert.That(invalid.Errors["startUtc"], Is.EqualTo(new[]
        {
            "Start time (startUtc) must state its time zone: end it with Z for UTC (e.g. 2026-03-01T09:30:00Z) or give an offset such as +01:00.",
        }));
    }

    [Test]
    public async Task WriteAsync_VisitNotRecorded_IsAConflictNamingTheVisit()
    {
        var outcome = await RecordAsync(Given);

        var conflict = (Conflict)outcome.Refusal!;
        Assert.That(conflict.Detail, Is.EqualTo(
            "Visit INF1 of WAW-0001 has not been recorded yet; record it (PUT /api/v1/participants/WAW-0001/visits/INF1) before its infusion."));
        Assert.That(conflict.Extensions!["missingVisit"], Is.EqualTo("INF1"));
    }

    [Test]
    public async Task WriteAsync_OnTheVisitsDate_ComputesTheTotalDoseAndAuditsTheInfusion()
    {
        await RecordInf1Async();

        var row = (await RecordAsync(Given)).Value!;

        Assert.That((row.TotalDoseMg, row.RowVersion, row.RecordedUtc), Is.EqualTo(((decimal?)35.00m, 1, Now)));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That((audit.EntityType, audit.EntityId, audit.Action), Is.EqualTo(("infusion", row.Id.ToString(), "create")));
        Assert.That(audit.NewValue, Is.EqualTo(
            $"{{\"doseMgPerKg\":0.5,\"endUtc\":\"2026-03-02T09:40:00Z\",\"id\":\"{row.Id}\",\"participantCode\":\"WAW-0001\",\"preparationId\":null," +
            "\"recordedUtc\":\"2026-03-02T15:00:00Z\",\"route\":\"IV\",\"startUtc\":\"2026-03-02T09:00:00Z\",\"totalDoseMg\":35,\"version\":1," +
            "\"visitCode\":\"INF1\",\"volumeMl\":null,\"weightKg\":70}"));
    }

    [Test]
    public async Task WriteAsync_StartOnAnotherDayThanTheVisit_RefusesTheStart()
    {
        await RecordInf1Async();
        // 23:30 UTC on 2 March is already 00:30 on 3 March in Warsaw.
        var values = Given with { StartUtc = new DateTime(2026, 3, 2, 23, 30, 0, DateTimeKind.Utc), EndUtc = new DateTime(2026, 3, 3, 0, 10, 0, DateTimeKind.Utc) };

        var outcome = await RecordAsync(values, now: new DateTime(2026, 3, 3, 1, 0, 0, DateTimeKind.Utc));

        Assert.That(((Invalid)outcome.Refusal!).Errors["startUtc"], Is.EqualTo(new[]
        {
            "The infusion starts on 2026-03-03 (site time), but visit INF1 was recorded on 2026-03-02; correct one of them.",
        }));
    }

    [Test]
    public async Task WriteAsync_Twice_IsAConflictNamingTheRecordedOne()
    {
        await RecordInf1Async();
        var first = (await RecordAsync(Given)).Value!;

        var again = (Conflict)(await RecordAsync(Given)).Refusal!;

        Assert.That(again.Extensions!["existingId"], Is.EqualTo(first.Id));
    }

    [Test]
    public async Task CheckAsync_CorrectionOfNothingRecorded_IsNotFound()
    {
        var outcome = await _correct.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", Given with { Reason = "Typo" }, "\"1\"", Now);

        Assert.That(outcome.Refusal, Is.EqualTo(new NotFound("No infusion of WAW-0001 is recorded at INF1.")));
    }

    [Test]
    public async Task CheckAsync_CorrectionWithoutReason_RefusesTheReason()
    {
        await RecordInf1Async();
        await RecordAsync(Given);

        var outcome = await _correct.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", Given, "\"1\"", Now);

        Assert.That(((Invalid)outcome.Refusal!).Errors["reason"], Is.EqualTo(new[] { "A reason for the change is required." }));
    }

    [Test]
    public async Task CheckAsync_CorrectionNamingAnotherVersion_IsStale()
    {
        await RecordInf1Async();
        await RecordAsync(Given);

        var outcome = await _correct.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", Given with { Reason = "Typo" }, "\"2\"", Now);

        Assert.That(outcome.Refusal, Is.InstanceOf<VersionStale>());
        Assert.That(((VersionStale)outcome.Refusal!).CurrentVersion, Is.EqualTo(1));
    }

    [Test]
    public async Task WriteAsync_CorrectedDose_RecomputesTheTotalAndAuditsTheChangedFields()
    {
        await RecordInf1Async();
        var recorded = (await RecordAsync(Given)).Value!;
        var correction = await _correct.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", Given with { DoseMgPerKg = 0.4m, Reason = "Typo" }, "\"1\"", Now);

        var corrected = (await _study.WriteAsync(StudyDatabase.Investigator, Now, w => _correct.WriteAsync(w, correction.Value!))).Value!;

        Assert.That((corrected.TotalDoseMg, corrected.RowVersion, corrected.RecordedUtc), Is.EqualTo(((decimal?)28.00m, 2, Now)));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That((audit.Action, audit.Reason), Is.EqualTo(("update", "Typo")));
        Assert.That(audit.OldValue, Is.EqualTo($$"""{"doseMgPerKg":0.5,"id":"{{recorded.Id}}","totalDoseMg":35,"version":1}"""));
        Assert.That(audit.NewValue, Is.EqualTo($$"""{"doseMgPerKg":0.4,"id":"{{recorded.Id}}","totalDoseMg":28,"version":2}"""));
    }

    [Test]
    public async Task WriteAsync_BlindedProtocolBeforeRandomisation_IsAConflictNamingTheMissingStep()
    {
        await using var blinded = await StudyDatabase.CreateAsync();
        var participant = await blinded.EnrolAsync();
        await blinded.RecordVisitAsync(participant, "INF1", Inf1);
        var record = new RecordInfusion(blinded.Db, blinded.Protocol);
        var input = await record.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1",
            Given with { DoseMgPerKg = null, PreparationId = "P-0001", VolumeMl = 50m }, Now);

        var outcome = await blinded.WriteAsync(StudyDatabase.Investigator, Now, w => record.WriteAsync(w, input.Value!));

        var conflict = (Conflict)outcome.Refusal!;
        Assert.That(conflict.Detail, Does.StartWith("WAW-0001 has not been randomised"));
        Assert.That(conflict.Extensions!["missingStep"], Is.EqualTo("randomisation"));
    }

    private async Task RecordInf1Async() => await _study.RecordVisitAsync((await _study.FindAsync("WAW-0001"))!, "INF1", Inf1);

    private async Task<Outcome<InfusionRow>> RecordAsync(InfusionValues values, DateTime? now = null)
    {
        var input = await _record.CheckAsync(StudyDatabase.Investigator, "WAW-0001", "INF1", values, now ?? Now);
        if (input.IsRefused) return input.Refusal!;
        return await _study.WriteAsync(StudyDatabase.Investigator, now ?? Now, w => _record.WriteAsync(w, input.Value!));
    }
}
