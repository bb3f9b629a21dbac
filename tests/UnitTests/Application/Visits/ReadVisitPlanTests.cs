using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Application.Visits;
using Trial.Core.Participants;

namespace Trial.Tests.Application.Visits;

[TestFixture]
public class ReadVisitPlanTests
{
    private static readonly DateTime Now = new(2026, 3, 10, 9, 0, 0, DateTimeKind.Utc);

    private StudyDatabase _study = null!;
    private ReadVisitPlan _plan = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _plan = new ReadVisitPlan(_study.Db, _study.Protocol);
        var participant = await _study.EnrolAsync();
        await _study.RecordVisitAsync(participant, "INF1", new DateOnly(2026, 3, 2));
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public async Task AllAsync_AfterTheFirstInfusion_GivesEveryVisitInProtocolOrderWithTargetsFromIt()
    {
        var plan = (await _plan.AllAsync(StudyDatabase.Investigator, "WAW-0001", Now)).Value!;

        Assert.That(plan.Select(v => v.Visit.VisitCode),
            Is.EqualTo(new[] { "SCR", "BL", "INF1", "POST24", "INF2", "INF3", "INF4", "FU-D7", "FU-D14", "FU-D28", "FU-M3", "FU-M6" }));
        var inf1 = plan.Single(v => v.Visit.VisitCode == "INF1");
        Assert.That((inf1.Visit.Status, inf1.Record!.RowVersion), Is.EqualTo(("done", 1)));
        var inf2 = plan.Single(v => v.Visit.VisitCode == "INF2");
        Assert.That((inf2.Visit.TargetDate, inf2.Visit.WindowStart, inf2.Visit.WindowEnd, inf2.Record),
            Is.EqualTo((new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 4), new DateOnly(2026, 3, 6), (Trial.Db.Participants.VisitRecordRow?)null)));
    }

    [Test]
    public async Task VisitAsync_InfusionLeftThePlanAfterDiscontinuation_IsNotFound()
    {
        var discontinue = new DiscontinueInfusions(_study.Db, _study.Protocol);
        var input = await discontinue.CheckAsync(StudyDatabase.Investigator, new DiscontinuationInput("WAW-0001", new DateOnly(2026, 3, 3), DispositionReasons.AdverseEvent, "Dissociation"), null, Now);
        await _study.WriteAsync(StudyDatabase.Investigator, Now, w => discontinue.WriteAsync(w, input.Value!));

        var visit = await _plan.VisitAsync(StudyDatabase.Investigator, "WAW-0001", "INF2", Now);

        Assert.That(visit.Refusal, Is.EqualTo(new NotFound("Visit INF2 is no longer in the plan of WAW-0001 (infusions were discontinued).")));
    }

    [Test]
    public async Task VisitAsync_ParticipantOfAnotherSite_IsForbidden()
    {
        var visit = await _plan.VisitAsync(StudyDatabase.KrakowInvestigator, "WAW-0001", "INF1", Now);

        Assert.That(visit.Refusal, Is.InstanceOf<Forbidden>());
    }
}
