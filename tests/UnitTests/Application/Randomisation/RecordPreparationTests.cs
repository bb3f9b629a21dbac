using NUnit.Framework;
using Trial.Application;
using Trial.Application.Randomisation;
using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Participants;

namespace Trial.Tests.Application.Randomisation;

/// <summary>The pharmacy's preparation of an infusion, checked against the allocation and the protocol's dose for the arm.</summary>
public class RecordPreparationTests
{
    private static readonly Actor Pharmacist = UseCaseDatabase.Person(Roles.Pharmacist, "WAW");

    private UseCaseDatabase _data = null!;
    private RecordPreparation _preparations = null!;
    private int _labels;

    [OneTimeSetUp]
    public async Task CreateAsync()
    {
        _data = await UseCaseDatabase.CreateAsync();
        _preparations = new RecordPreparation(_data.Db, UseCaseDatabase.Blinded, _data.Clock);
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    private string Label() => $"P-{Interlocked.Increment(ref _labels):000}";

    private async Task<Outcome<RecordedPreparation>> PrepareAsync(ParticipantRow participant, PreparationInput input, string visitCode = "INF1")
    {
        var checkedPreparation = await _preparations.CheckAsync(Pharmacist, participant.Code, visitCode, input);
        if (checkedPreparation.IsRefused) return checkedPreparation.Refusal!;
        return await _data.Db.RunAsync(Pharmacist, UseCaseDatabase.Now, w => _preparations.WriteAsync(w, checkedPreparation.Value!));
    }

    private static decimal DoseOf(string arm) => UseCaseDatabase.Blinded.Design.FindArm(arm)!.DoseMgPerKg;

    private static string OtherArm(string arm) => UseCaseDatabase.Blinded.Design.Arms.First(a => a.Code != arm).Code;

    [Test]
    public async Task WriteAsync_TheAllocatedArmsDoseForTheWeight_RecordedAndAuditedWithoutTheArm()
    {
        var participant = await _data.EnrolAsync();
        var arm = (await _data.RandomiseAsync(participant)).Arm;
        var label = Label();
        var dose = DoseOf(arm);

        var prepared = (await PrepareAsync(participant, new PreparationInput(label, arm, dose, Math.Round(dose * 60, 2), 50, null))).Value!;

        Assert.That((prepared.PreparationId, prepared.Arm, prepared.Drug, prepared.WeightKg, prepared.VolumeMl, prepared.PreparedUtc),
            Is.EqualTo((label, arm, UseCaseDatabase.Blinded.Design.FindArm(arm)!.Drug, 60m, 50m, UseCaseDatabase.Now)), "the weight at enrolment, as none was given");
        Assert.That((await _preparations.FindAsync(Pharmacist, participant.Code, "INF1")).Value, Is.EqualTo(prepared));
        var audit = (await _data.AuditAsync(AuditEntities.Preparation)).Where(a => a.EntityId == label).ToList();
        Assert.That(audit.Select(a => a.Action), Is.EqualTo(new[] { AuditActions.Create, AuditActions.ArmRead }), "the record, then the pharmacist's read of it");
        Assert.That(audit[0].NewValue, Is.EqualTo(
            $"{{\"participantCode\":\"{participant.Code}\",\"preparationId\":\"{label}\",\"preparedUtc\":\"2026-03-10T12:00:00Z\",\"visitCode\":\"INF1\",\"volumeMl\":50,\"weightKg\":60}}"));
        Assert.That(audit[1].NewValue, Is.EqualTo($"{{\"participants\":[\"{participant.Code}\"],\"read\":\"preparation INF1\"}}"), "who was read, never the arm");
    }

    [Test]
    public async Task WriteAsync_TheOtherArm_InvalidDoNotDispense()
    {
        var participant = await _data.EnrolAsync();
        var arm = (await _data.RandomiseAsync(participant)).Arm;
        var other = OtherArm(arm);

        var refused = (Invalid)(await PrepareAsync(participant, new PreparationInput(Label(), other, DoseOf(other), Math.Round(DoseOf(other) * 60, 2), 50, null))).Refusal!;

        Assert.That(refused.Errors["arm"], Is.EqualTo(new[]
        {
            $"{participant.Code} is allocated to {arm} ({UseCaseDatabase.Blinded.Design.FindArm(arm)!.Name}); this preparation is for {other}. Do not dispense it.",
        }));
    }

    [Test]
    public async Task WriteAsync_TotalDoseOutsideTheTolerance_InvalidTotal()
    {
        var participant = await _data.EnrolAsync();
        var arm = (await _data.RandomiseAsync(participant)).Arm;
        var dose = DoseOf(arm);
        var settings = UseCaseDatabase.Blinded.Design.Preparation!;

        var refused = (Invalid)(await PrepareAsync(participant, new PreparationInput(Label(), arm, dose, dose * 80, 50, 60))).Refusal!;

        var expected = Math.Round(dose * 60, 2, MidpointRounding.AwayFromZero);
        Assert.That(refused.Errors["totalDoseMg"], Is.EqualTo(new[]
        {
            $"{dose} mg/kg for 60 kg is {expected} mg; {dose * 80} mg is more than {settings.TotalDoseTolerancePercent} % away.",
        }));
    }

    [Test]
    public async Task WriteAsync_NotRandomised_ConflictNamesTheMissingStep()
    {
        var participant = await _data.EnrolAsync();

        var refused = (Conflict)(await PrepareAsync(participant, new PreparationInput(Label(), "KET", 0.5m, 30, 50, null))).Refusal!;

        Assert.That(refused.Extensions!["missingStep"], Is.EqualTo("randomisation"));
    }

    [Test]
    public async Task WriteAsync_SecondPreparationForTheVisit_ConflictNamesTheFirst()
    {
        var participant = await _data.EnrolAsync();
        var arm = (await _data.RandomiseAsync(participant)).Arm;
        var input = new PreparationInput(Label(), arm, DoseOf(arm), Math.Round(DoseOf(arm) * 60, 2), 50, null);
        await PrepareAsync(participant, input);

        var refused = (Conflict)(await PrepareAsync(participant, input with { PreparationId = Label() })).Refusal!;

        Assert.That(refused.Detail, Is.EqualTo($"The preparation for {participant.Code} at INF1 is already recorded ({input.PreparationId})."));
    }

    [Test]
    public async Task CheckAsync_LabelNamingTheDrugAndAFollowUpVisit_Refused()
    {
        var participant = await _data.EnrolAsync();
        var drug = UseCaseDatabase.Blinded.Design.Arms[0].Drug;

        var label = (Invalid)(await _preparations.CheckAsync(Pharmacist, participant.Code, "INF1", new PreparationInput($"{drug}-1", "KET", 0.5m, 30, 50, null))).Refusal!;
        var visit = (Invalid)(await _preparations.CheckAsync(Pharmacist, participant.Code, "FU-D7", new PreparationInput(Label(), "KET", 0.5m, 30, 50, null))).Refusal!;

        Assert.That(label.Errors["preparationId"], Is.EqualTo(new[] { "The label is read by blinded staff: it must not name an arm or a drug." }));
        Assert.That(visit.Errors["visitCode"], Is.EqualTo(new[] { "FU-D7 is not an infusion visit." }));
    }
}
