using Trial.Core.Participants;
using Trial.Core.Protocol;

namespace Trial.Core.Reports;

/// <summary>A screening as the flow counts it: its outcome, the criteria it failed (codes) and whether a participant was enrolled from it.</summary>
public sealed record ConsortScreening(string Outcome, IReadOnlyList<string> FailedCriteria, bool Enrolled);

/// <summary>
/// An enrolled participant as the flow counts them: the arm (null when not randomised; read only to split an unblinded
/// report), whether an infusion was recorded at the first infusion visit, how many infusion visits of the plan have an
/// infusion recorded, and the facts their disposition is derived from.
/// </summary>
public sealed record ConsortParticipant(string? Arm, bool FirstInfusionGiven, int InfusionsGiven, DispositionFacts Disposition);

/// <summary>How many of a group have a reason (a criterion code, or an NCOMPLT term).</summary>
public sealed record ReasonCount(string Reason, int Count);

/// <summary>
/// Candidates excluded at screening (screen failures): <paramref name="Total"/> candidates, and per criterion how many
/// failed it. A candidate failing two criteria counts once in the total and under each criterion, so the criteria can add
/// up to more than the total.
/// </summary>
public sealed record ConsortExclusions(int Total, IReadOnlyList<ReasonCount> ByCriterion)
{
    /// <summary>The counting rule, in the report itself so that no reader adds up the criteria as if they were the total.</summary>
    public string Note => "A candidate who failed several criteria counts once in total and under each criterion failed: byCriterion can add up to more than total.";
}

/// <summary>Everyone assessed for eligibility (one per screening) and where they went: excluded, or eligible and enrolled or not.</summary>
public sealed record ConsortScreeningCounts(int AssessedForEligibility, ConsortExclusions Excluded, int Eligible, int EligibleNotEnrolled);

/// <summary>A group of participants and the reasons each of them has (one reason each).</summary>
public sealed record ConsortReasons(int Total, IReadOnlyList<ReasonCount> ByReason);

/// <summary>The populations analysed: intention-to-treat (every randomised participant) and safety (randomised, at least one infusion).</summary>
public sealed record ConsortAnalysed(int IntentionToTreat, int Safety);

/// <summary>
/// The flow of randomised participants (all of them, or one arm's). <c>DiscontinuedInfusions</c> are the ends of treatment
/// that were not completions, by coded reason (a participant who left the study during the infusions without a recorded
/// discontinuation counts here with the withdrawal's reason, as in disposition.csv); <c>LostToFollowUp</c> the withdrawals
/// coded LOST TO FOLLOW-UP; <c>Withdrawn</c> the other withdrawals by coded reason; <c>Completed</c> those who completed the
/// study; <c>Ongoing</c> those still in it. Reasons recorded without a code count as NOT RECORDED.
/// </summary>
public sealed record ConsortFlow(
    int Randomised, int ReceivedFirstInfusion, int ReceivedAllInfusions, ConsortReasons DiscontinuedInfusions, int LostToFollowUp,
    ConsortReasons Withdrawn, int Completed, int Ongoing, ConsortAnalysed Analysed);

/// <summary>One arm's flow (unblinded readers only).</summary>
public sealed record ArmConsortFlow(string Arm, string Name, ConsortFlow Flow);

/// <summary>
/// The CONSORT 2010 flow: screening and enrolment (before allocation, so never by arm), then the randomised participants'
/// flow pooled (<c>Flow</c>) and by arm (<c>Arms</c>, which only an unblinded reader may be shown).
/// </summary>
public sealed record ConsortReport(
    ConsortScreeningCounts Screening, int Enrolled, int EnrolledNotRandomised, ConsortFlow Flow, IReadOnlyList<ArmConsortFlow> Arms);

/// <summary>
/// Counts the CONSORT flow from the screenings and the participants of one snapshot. The ends of treatment and of study are
/// <see cref="Disposition.Of"/>'s, the derivation disposition.csv and subjects.csv show, so the three always agree.
/// </summary>
public static class ConsortFlowCounts
{
    /// <summary>How the flow, like disposition.csv, names an early end recorded before coded reasons were kept.</summary>
    public const string NotRecorded = "NOT RECORDED";

    /// <summary>A withdrawal coded LOST TO FOLLOW-UP: CONSORT's own box, apart from the other withdrawals.</summary>
    private static bool LostToFollowUp(DispositionEvent? endOfStudy) =>
        endOfStudy is { Source: DispositionSource.Withdrawal, ReasonCode: DispositionReasons.LostToFollowUp };

    public static ConsortReport Build(ProtocolDefinition protocol, IReadOnlyList<ConsortScreening> screenings, IReadOnlyList<ConsortParticipant> participants)
    {
        var failures = screenings.Where(s => s.Outcome == ScreeningOutcomes.ScreenFailure).ToList();
        var eligible = screenings.Where(s => s.Outcome == ScreeningOutcomes.Eligible).ToList();
        var excluded = new ConsortExclusions(failures.Count,
            [.. Reasons(EligibilityCriteria.All, failures.SelectMany(f => f.FailedCriteria.Distinct()))]);
        var screening = new ConsortScreeningCounts(screenings.Count, excluded, eligible.Count, eligible.Count(s => !s.Enrolled));

        var randomised = participants.Where(p => p.Arm is not null).ToList();
        var plannedInfusions = protocol.InfusionVisits.Count();
        var arms = protocol.Design.Arms
            .Select(a => new ArmConsortFlow(a.Code, a.Name, Flow(randomised.Where(p => p.Arm == a.Code).ToList(), plannedInfusions)))
            .ToList();
        return new ConsortReport(screening, participants.Count, participants.Count - randomised.Count, Flow(randomised, plannedInfusions), arms);
    }

    private static ConsortFlow Flow(IReadOnlyList<ConsortParticipant> randomised, int plannedInfusions)
    {
        var ends = randomised.Select(p => Disposition.Of(p.Disposition)).ToList();
        var discontinued = ends.Select(e => e.EndOfTreatment).Where(t => t is { Completed: false }).Select(t => t!.ReasonCode ?? NotRecorded).ToList();
        var lost = ends.Count(e => LostToFollowUp(e.EndOfStudy));
        var withdrawn = ends.Select(e => e.EndOfStudy)
            .Where(s => s is { Source: DispositionSource.Withdrawal } && !LostToFollowUp(s))
            .Select(s => s!.ReasonCode ?? NotRecorded).ToList();
        var completed = ends.Count(e => e.EndOfStudy is { Completed: true });
        return new ConsortFlow(
            randomised.Count,
            randomised.Count(p => p.FirstInfusionGiven),
            randomised.Count(p => plannedInfusions > 0 && p.InfusionsGiven >= plannedInfusions),
            new ConsortReasons(discontinued.Count, [.. Reasons(DispositionReasons.All, discontinued)]),
            lost,
            new ConsortReasons(withdrawn.Count, [.. Reasons(DispositionReasons.All.Where(r => r != DispositionReasons.LostToFollowUp), withdrawn)]),
            completed,
            randomised.Count - ends.Count(e => e.EndOfStudy is not null),
            new ConsortAnalysed(randomised.Count, randomised.Count(p => p.InfusionsGiven > 0)));
    }

    /// <summary>
    /// Every known reason in its list's order with its count (zero included, so the shape never depends on the data), then
    /// any other reason met (NOT RECORDED), in order.
    /// </summary>
    private static IEnumerable<ReasonCount> Reasons(IEnumerable<string> known, IEnumerable<string> met)
    {
        var counts = met.GroupBy(r => r, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var knownList = known.ToList();
        foreach (var reason in knownList) yield return new ReasonCount(reason, counts.GetValueOrDefault(reason));
        foreach (var other in counts.Keys.Except(knownList, StringComparer.Ordinal).Order(StringComparer.Ordinal)) yield return new ReasonCount(other, counts[other]);
    }
}
