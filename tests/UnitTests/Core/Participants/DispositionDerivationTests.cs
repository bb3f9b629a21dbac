using NUnit.Framework;
using Trial.Core.Participants;
using Trial.Core.Schedule;

namespace Trial.Tests.Core.Participants;

/// <summary>The one derivation of the end of treatment and the end of study, which disposition.csv and subjects.csv both show.</summary>
public class DispositionDerivationTests
{
    private static readonly DateOnly Inf1 = new(2026, 3, 2), Inf4 = new(2026, 3, 12), FuM6 = new(2026, 9, 10);

    private static DispositionFacts Facts(DateOnly? inf1 = null, DateOnly? inf4 = null, DateOnly? stopped = null, string? stopCode = null,
        DateOnly? left = null, string? leftCode = null, string status = ParticipantStatuses.Enrolled, DateOnly? fuM6 = null) =>
        new(inf1, inf4, stopped, stopCode, left, leftCode, status, fuM6);

    [Test]
    public void Disposition_NothingYet_NeitherEnd()
    {
        Assert.That(Disposition.Of(Facts()), Is.EqualTo(new DispositionOutcome(null, null)));
        Assert.That(Disposition.Of(Facts(inf1: Inf1)), Is.EqualTo(new DispositionOutcome(null, null)));
    }

    [Test]
    public void Disposition_EveryInfusionThenCompleted_BothEndsCompleted()
    {
        var outcome = Disposition.Of(Facts(Inf1, Inf4, status: ParticipantStatuses.Completed, fuM6: FuM6));
        Assert.That(outcome.EndOfTreatment, Is.EqualTo(new DispositionEvent(Inf4, DispositionSource.Completion, null, StudyEpochs.Treatment)));
        Assert.That(outcome.EndOfStudy, Is.EqualTo(new DispositionEvent(FuM6, DispositionSource.Completion, null, StudyEpochs.FollowUp)));
    }

    [Test]
    public void Disposition_DiscontinuedThenWithdrawnLater_TheDiscontinuationEndsTreatment_TheWithdrawalInFollowUp()
    {
        var outcome = Disposition.Of(Facts(Inf1, stopped: Inf1.AddDays(4), stopCode: DispositionReasons.AdverseEvent, left: Inf1.AddDays(30),
            leftCode: DispositionReasons.LostToFollowUp, status: ParticipantStatuses.Withdrawn));
        Assert.That(outcome.EndOfTreatment, Is.EqualTo(new DispositionEvent(Inf1.AddDays(4), DispositionSource.Discontinuation, DispositionReasons.AdverseEvent, StudyEpochs.Treatment)));
        Assert.That(outcome.EndOfStudy, Is.EqualTo(new DispositionEvent(Inf1.AddDays(30), DispositionSource.Withdrawal, DispositionReasons.LostToFollowUp, StudyEpochs.FollowUp)));
    }

    [Test]
    public void Disposition_WithdrawnDuringInfusions_TheWithdrawalEndsBoth_InTreatment()
    {
        var outcome = Disposition.Of(Facts(Inf1, left: Inf1.AddDays(2), leftCode: DispositionReasons.WithdrawalBySubject, status: ParticipantStatuses.Withdrawn));
        var withdrawal = new DispositionEvent(Inf1.AddDays(2), DispositionSource.Withdrawal, DispositionReasons.WithdrawalBySubject, StudyEpochs.Treatment);
        Assert.That(outcome, Is.EqualTo(new DispositionOutcome(withdrawal, withdrawal)));
    }

    [Test]
    public void Disposition_WithdrawnBeforeTheFirstInfusion_NoTreatmentToEnd_StudyEndsInScreening()
    {
        var outcome = Disposition.Of(Facts(left: Inf1.AddDays(-3), leftCode: null, status: ParticipantStatuses.Withdrawn));
        Assert.That(outcome, Is.EqualTo(new DispositionOutcome(null, new DispositionEvent(Inf1.AddDays(-3), DispositionSource.Withdrawal, null, StudyEpochs.Screening))));
    }

    [Test]
    public void Disposition_DiscontinuedBeforeTheFirstInfusion_EndsTreatmentInScreening()
    {
        var outcome = Disposition.Of(Facts(stopped: Inf1.AddDays(-1), stopCode: DispositionReasons.PhysicianDecision));
        Assert.That(outcome.EndOfTreatment, Is.EqualTo(new DispositionEvent(Inf1.AddDays(-1), DispositionSource.Discontinuation, DispositionReasons.PhysicianDecision, StudyEpochs.Screening)));
        Assert.That(outcome.EndOfStudy, Is.Null);
    }
}
