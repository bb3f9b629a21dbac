using NUnit.Framework;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Reports;

namespace Trial.Tests.Core.Reports;

/// <summary>
/// The CONSORT counts over screenings and participants worked by hand on the default protocol (INF1 to INF4, FU-M6 last): INF1
/// on 2 March, INF4 on 12 March. The ends of treatment and of study are <see cref="Disposition.Of"/>'s, tested on their own.
/// </summary>
[TestFixture]
public class ConsortFlowCountsTests
{
    private static readonly ProtocolDefinition Protocol = ProtocolLoader.LoadDefault();
    private static readonly DateOnly Inf1 = new(2026, 3, 2), Inf4 = new(2026, 3, 12), FuM6 = new(2026, 9, 10);

    private static DispositionFacts Facts(
        DateOnly? first = null, DateOnly? last = null, DateOnly? stopped = null, string? stopCode = null, DateOnly? left = null, string? leftCode = null,
        string status = ParticipantStatuses.Enrolled, DateOnly? lastFollowUp = null) =>
        new(first, last, stopped, stopCode, left, leftCode, status, lastFollowUp);

    [Test]
    public void Build_ScreenFailures_CountOnceInTotalAndUnderEachCriterionFailed()
    {
        ConsortScreening[] screenings =
        [
            new(ScreeningOutcomes.ScreenFailure, [EligibilityCriteria.FailedAntidepressantTrials, EligibilityCriteria.BpdDiagnosis], false),
            new(ScreeningOutcomes.ScreenFailure, [EligibilityCriteria.BpdDiagnosis], false),
            new(ScreeningOutcomes.Eligible, [], true),
            new(ScreeningOutcomes.Eligible, [], false),
        ];
        var report = ConsortFlowCounts.Build(Protocol, screenings, []);

        Assert.That((report.Screening.AssessedForEligibility, report.Screening.Excluded.Total, report.Screening.Eligible, report.Screening.EligibleNotEnrolled),
            Is.EqualTo((4, 2, 2, 1)));
        Assert.That(report.Screening.Excluded.ByCriterion.Select(c => (c.Reason, c.Count)), Is.EqualTo(new[]
        {
            (EligibilityCriteria.FailedAntidepressantTrials, 1), (EligibilityCriteria.PsychotherapyWithoutResponse, 0), (EligibilityCriteria.BpdDiagnosis, 2),
            (EligibilityCriteria.PsychoticPersonalityOrganisation, 0),
        }));
    }

    [Test]
    public void Build_Flow_ByArmSumsToThePooledFlow_UncodedReasonsAreNotRecorded()
    {
        var (ket, mdz) = (Protocol.Design.Arms[0].Code, Protocol.Design.Arms[1].Code);
        ConsortParticipant[] participants =
        [
            new(ket, true, 4, Facts(Inf1, Inf4, status: ParticipantStatuses.Completed, lastFollowUp: FuM6)),
            new(ket, true, 2, Facts(Inf1, stopped: new(2026, 3, 6))), // stopped before reasons were coded
            new(mdz, true, 1, Facts(Inf1, left: new(2026, 3, 4), leftCode: DispositionReasons.LostToFollowUp, status: ParticipantStatuses.Withdrawn)),
            new(mdz, false, 0, Facts(left: new(2026, 3, 1), leftCode: DispositionReasons.Death, status: ParticipantStatuses.Withdrawn)),
            new(null, false, 0, Facts()),
        ];
        var report = ConsortFlowCounts.Build(Protocol, [], participants);
        var flow = report.Flow;

        Assert.That((report.Enrolled, report.EnrolledNotRandomised), Is.EqualTo((5, 1)));
        Assert.That((flow.Randomised, flow.ReceivedFirstInfusion, flow.ReceivedAllInfusions, flow.LostToFollowUp, flow.Completed, flow.Ongoing),
            Is.EqualTo((4, 3, 1, 1, 1, 1)));
        Assert.That((flow.Analysed.IntentionToTreat, flow.Analysed.Safety), Is.EqualTo((4, 3)));
        Assert.That(flow.DiscontinuedInfusions.Total, Is.EqualTo(2));
        Assert.That(flow.DiscontinuedInfusions.ByReason.Where(r => r.Count > 0).Select(r => (r.Reason, r.Count)),
            Is.EqualTo(new[] { ("LOST TO FOLLOW-UP", 1), ("NOT RECORDED", 1) }));
        Assert.That(flow.Withdrawn.ByReason.Where(r => r.Count > 0).Select(r => (r.Reason, r.Count)), Is.EqualTo(new[] { ("DEATH", 1) }));
        Assert.That(flow.Withdrawn.ByReason.Select(r => r.Reason), Does.Not.Contain("LOST TO FOLLOW-UP"), "counted apart");

        Assert.That(report.Arms.Select(a => a.Arm), Is.EqualTo(new[] { ket, mdz }));
        Assert.That(report.Arms.Sum(a => a.Flow.Randomised), Is.EqualTo(flow.Randomised));
        Assert.That(report.Arms.Sum(a => a.Flow.Analysed.Safety), Is.EqualTo(flow.Analysed.Safety));
        Assert.That(report.Arms.Sum(a => a.Flow.DiscontinuedInfusions.Total), Is.EqualTo(flow.DiscontinuedInfusions.Total));
        Assert.That(report.Arms.Sum(a => a.Flow.Ongoing), Is.EqualTo(flow.Ongoing));
    }
}
