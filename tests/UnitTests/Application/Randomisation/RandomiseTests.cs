using NUnit.Framework;
using Trial.Application;
using Trial.Application.Randomisation;
using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Randomisation;

namespace Trial.Tests.Application.Randomisation;

/// <summary>Randomisation: the rules on who can be randomised when, and the stratum's next place of the concealed sequence.</summary>
public class RandomiseTests
{
    private static readonly Actor Investigator = UseCaseDatabase.Person(Roles.Investigator, "WAW");

    private UseCaseDatabase _data = null!;
    private Randomise _randomise = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        // A database per test: every test counts randomisation numbers and places from 1.
        _data = await UseCaseDatabase.CreateAsync();
        _randomise = new Randomise(_data.Db, UseCaseDatabase.Blinded, UseCaseDatabase.Sequence);
    }

    [TearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    private async Task<Outcome<RandomisedParticipant>> RandomiseAsync(string code, DateTime? at = null)
    {
        var checkedParticipant = await _randomise.CheckAsync(Investigator, code);
        if (checkedParticipant.IsRefused) return checkedParticipant.Refusal!;
        return await _data.Db.RunAsync(Investigator, at ?? UseCaseDatabase.Now, w => _randomise.WriteAsync(w, checkedParticipant.Value!));
    }

    [Test]
    public async Task WriteAsync_ReadyParticipants_TakeTheirStratumsPlacesInTurn_ArmsFromTheSequence()
    {
        var first = await _data.EnrolAsync();
        var second = await _data.EnrolAsync();
        var severe = await _data.EnrolAsync();
        await _data.RecordBaselineAsync(first, 30);
        await _data.RecordBaselineAsync(second, 34);
        await _data.RecordBaselineAsync(severe, 35);

        var made = new[]
        {
            (await RandomiseAsync(first.Code)).Value!, (await RandomiseAsync(severe.Code)).Value!, (await RandomiseAsync(second.Code)).Value!,
        };

        var arms = UseCaseDatabase.Sequence.Of(UseCaseDatabase.Blinded);
        Assert.That(made.Select(m => (m.ParticipantCode, m.RandomisationNumber, m.Stratum, m.SequenceNumber, m.BaselineMadrsTotal)), Is.EqualTo(new[]
        {
            (first.Code, 1, "WAW/MADRS<35", 1, (decimal?)30m), (severe.Code, 2, "WAW/MADRS>=35", 1, 35m), (second.Code, 3, "WAW/MADRS<35", 2, 34m),
        }));
        Assert.That(made.Select(m => m.Arm), Is.EqualTo(new[] { arms.At("WAW/MADRS<35", 1).Arm, arms.At("WAW/MADRS>=35", 1).Arm, arms.At("WAW/MADRS<35", 2).Arm }));
        var stored = await _data.Db.ReadAsync(c => RandomisationQueries.FindAllocationAsync(c, first.Id));
        Assert.That((stored!.Arm, stored.Method, stored.RandomisedBy, stored.RandomisedUtc), Is.EqualTo((made[0].Arm, "permuted-blocks", Investigator.UserId, UseCaseDatabase.Now)));
    }

    [Test]
    public async Task WriteAsync_Randomised_AuditRowWithoutTheArm()
    {
        var participant = await _data.EnrolAsync();
        await _data.RecordBaselineAsync(participant, 30);

        await RandomiseAsync(participant.Code);

        var audit = (await _data.AuditAsync(AuditEntities.Allocation)).Single();
        Assert.That((audit.EntityId, audit.Action, audit.SiteCode, audit.ParticipantCode, audit.UserId, audit.NewValue), Is.EqualTo((participant.Code, AuditActions.Create, "WAW",
            participant.Code, Investigator.UserId,
            $"{{\"participantCode\":\"{participant.Code}\",\"randomisationNumber\":1,\"randomisedUtc\":\"2026-03-10T12:00:00Z\",\"stratum\":\"WAW/MADRS\\u003C35\"}}")));
    }

    [Test]
    public async Task WriteAsync_Twice_ConflictNamesTheRandomisationNumber()
    {
        var participant = await _data.EnrolAsync();
        await _data.RecordBaselineAsync(participant, 30);
        await RandomiseAsync(participant.Code);

        var again = (Conflict)(await RandomiseAsync(participant.Code, UseCaseDatabase.Now.AddHours(1))).Refusal!;

        Assert.That(again.Detail, Is.EqualTo($"{participant.Code} was already randomised (randomisation number 1, 2026-03-10 12:00 UTC); a participant is randomised once."));
        Assert.That(again.Extensions!["randomisationNumber"], Is.EqualTo(1));
    }

    [Test]
    public async Task WriteAsync_BaselineNotRecorded_ConflictNamesTheMissingVisit_AndNoNumberIsTaken()
    {
        var early = await _data.EnrolAsync();
        var ready = await _data.EnrolAsync();
        await _data.RecordBaselineAsync(ready, 30);

        var refused = (Conflict)(await RandomiseAsync(early.Code)).Refusal!;
        var next = (await RandomiseAsync(ready.Code)).Value!;

        Assert.That(refused.Detail, Is.EqualTo($"The baseline visit BL of {early.Code} is not recorded yet; randomise after it (PUT /api/v1/participants/{early.Code}/visits/BL)."));
        Assert.That(refused.Extensions!["missingVisit"], Is.EqualTo("BL"));
        Assert.That((next.RandomisationNumber, next.SequenceNumber), Is.EqualTo((1, 1)), "the refused randomisation was rolled back with its numbers");
    }

    [Test]
    public async Task WriteAsync_BaselineMadrsIncomplete_ConflictNamesTheAssessment()
    {
        var participant = await _data.EnrolAsync();
        await _data.RecordVisitAsync(participant, "BL");
        await _data.RecordAssessmentAsync(participant, "BL", "MADRS", [3, 3, 3, 3, 3, 3, 3, 3, 3, null]);

        var refused = (Conflict)(await RandomiseAsync(participant.Code)).Refusal!;

        Assert.That(refused.Detail, Is.EqualTo($"{participant.Code} needs a complete MADRS at BL before randomisation: its total decides the stratum. " +
                                               "The MADRS entered has missing items; correct it first."));
        Assert.That(refused.Extensions!["missingAssessment"], Is.EqualTo("BL/MADRS"));
    }

    [Test]
    public async Task WriteAsync_AfterTheFirstInfusion_ConflictNamesTheStep()
    {
        var participant = await _data.EnrolAsync();
        await _data.RecordBaselineAsync(participant, 30);
        await _data.RecordInfusionAsync(participant, "INF1", 60);

        var refused = (Conflict)(await RandomiseAsync(participant.Code)).Refusal!;

        Assert.That(refused.Detail, Is.EqualTo($"An infusion for {participant.Code} at INF1 is already recorded; randomisation comes before the first preparation or " +
                                               $"infusion, so {participant.Code} can no longer be randomised."));
        Assert.That((refused.Extensions!["recordedStep"], refused.Extensions["visitCode"]), Is.EqualTo(("infusion", "INF1")));
    }

    [Test]
    public async Task WriteAsync_Ineligible_ConflictListsTheCriteria()
    {
        var participant = await _data.EnrolAsync(change: p => new()
        {
            Id = p.Id, Code = p.Code, SiteCode = p.SiteCode, Number = p.Number, Sex = p.Sex, BirthYear = p.BirthYear,
            WeightKg = p.WeightKg, FailedAntidepressantTrials = 1, PsychotherapyWithoutResponse = true, BpdDiagnosis = false, Status = p.Status,
            EnrolledDate = p.EnrolledDate, EnrolledUtc = p.EnrolledUtc, ProtocolVersion = p.ProtocolVersion
        });
        await _data.RecordBaselineAsync(participant, 30);

        var refused = (Conflict)(await RandomiseAsync(participant.Code)).Refusal!;

        Assert.That(refused.Detail, Does.StartWith($"{participant.Code} does not meet the eligibility criteria as recorded, so cannot be randomised: "));
        Assert.That(refused.Extensions!["criteria"], Is.EqualTo(new[] { "failedAntidepressantTrials", "bpdDiagnosis" }));
    }

    [Test]
    public async Task CheckAsync_ParticipantOfAnotherSiteOrUnknown_ForbiddenOrNotFound()
    {
        var other = await _data.EnrolAsync("KRK");

        Assert.That((await _randomise.CheckAsync(Investigator, other.Code)).Refusal,
            Is.EqualTo(new Forbidden($"Participant {other.Code} belongs to site KRK, which is not one of your sites.")));
        Assert.That((await _randomise.CheckAsync(Investigator, "WAW-9999")).Refusal, Is.EqualTo(new NotFound("No participant with code 'WAW-9999'.")));
    }

    [Test]
    public async Task CheckAsync_OpenLabelProtocol_ConflictNothingToAllocate()
    {
        var openLabel = new Randomise(_data.Db, UseCaseDatabase.OpenLabel, ConcealedSequence.None);

        var refused = await openLabel.CheckAsync(Investigator, "WAW-0001");

        Assert.That(refused.Refusal!.Detail, Does.EndWith("does not randomise: it is a open-label design without arms to allocate."));
    }
}
