using Trial.Core.Efficacy;
using Trial.Core.Protocol;

namespace Trial.Core.Reports;

/// <summary>A randomised participant as the data monitoring committee counts them.</summary>
public sealed record DmcParticipant(Guid Id, string Arm, bool Withdrawn, bool InfusionsDiscontinued, bool Unblinded, int InfusionsGiven);

public sealed record DmcAdverseEvent(Guid ParticipantId, string Arm, string Severity, bool Serious, string? SpecialInterest);

public sealed record DmcAlert(Guid ParticipantId, string Arm, string Rule, string Severity);

/// <summary>A complete, scheduled MADRS total; <paramref name="Timepoint"/> is null outside infusion visits.</summary>
public sealed record DmcMadrs(Guid ParticipantId, string Arm, string VisitCode, string? Timepoint, decimal Total);

public sealed record ArmParticipantCounts(
    string Arm, string Name, int Randomised, int InfusionsGiven, int InfusionsDiscontinued, int Withdrawn, int EmergencyUnblinded);

public sealed record ArmAdverseEventCounts(
    string Arm, int Events, int ParticipantsWithEvent, int SevereEvents, int SeriousEvents, int ParticipantsWithSeriousEvent,
    int SpecialInterestEvents);

public sealed record AlertCounts(string Rule, string Arm, int Alerts, int Participants);

/// <summary>
/// MADRS at one visit in one arm against each participant's baseline: how many had both, the mean total and mean
/// change, and how many responded and remitted by the protocol's efficacy rules.
/// </summary>
public sealed record EfficacyCounts(
    string VisitCode, string Arm, int Participants, decimal? MeanTotal, decimal? MeanChange, int Responders, int Remitters);

public sealed record DmcSummaryResult(
    IReadOnlyList<ArmParticipantCounts> Participants,
    IReadOnlyList<ArmAdverseEventCounts> AdverseEvents,
    IReadOnlyList<AlertCounts> SafetyAlerts,
    IReadOnlyList<EfficacyCounts> Efficacy);

/// <summary>
/// The by-arm safety summary a data monitoring committee reviews. Efficacy follows the protocol through
/// <see cref="EfficacyEvaluation"/>, as the extracts do: the baseline is the baseline visit's MADRS, or the first
/// infusion's pre-infusion MADRS when the baseline visit has none; response is a reduction from baseline of at least
/// <see cref="EfficacyRules.ResponseMinReductionPercent"/> (judged on exact values, never with a baseline of 0);
/// remission is a total of at most <see cref="EfficacyRules.RemissionMaxTotal"/>.
/// </summary>
public static class DmcSummary
{
    public static DmcSummaryResult Build(
        ProtocolDefinition protocol, IReadOnlyList<DmcParticipant> participants, IReadOnlyList<DmcAdverseEvent> adverseEvents,
        IReadOnlyList<DmcAlert> alerts, IReadOnlyList<DmcMadrs> madrs)
    {
        var arms = protocol.Design.Arms;
        var counts = arms.Select(arm =>
        {
            var inArm = participants.Where(p => p.Arm == arm.Code).ToList();
            return new ArmParticipantCounts(arm.Code, arm.Name, inArm.Count, inArm.Sum(p => p.InfusionsGiven), inArm.Count(p => p.InfusionsDiscontinued),
                inArm.Count(p => p.Withdrawn), inArm.Count(p => p.Unblinded));
        }).ToList();

        var events = arms.Select(arm =>
        {
            var inArm = adverseEvents.Where(e => e.Arm == arm.Code).ToList();
            return new ArmAdverseEventCounts(arm.Code, inArm.Count, inArm.Select(e => e.ParticipantId).Distinct().Count(),
                inArm.Count(e => e.Severity == "severe"), inArm.Count(e => e.Serious), inArm.Where(e => e.Serious).Select(e => e.ParticipantId).Distinct().Count(),
                inArm.Count(e => e.SpecialInterest is not null));
        }).ToList();

        var ruleOrder = protocol.SafetyRules.Select(r => r.Code).ToList();
        var alertCounts = alerts
            .GroupBy(a => (a.Rule, a.Arm))
            .Select(g => new AlertCounts(g.Key.Rule, g.Key.Arm, g.Count(), g.Select(a => a.ParticipantId).Distinct().Count()))
            .OrderBy(a => ruleOrder.IndexOf(a.Rule) is var i && i < 0 ? int.MaxValue : i).ThenBy(a => a.Rule, StringComparer.Ordinal)
            .ThenBy(a => ArmIndex(arms, a.Arm))
            .ToList();

        return new DmcSummaryResult(counts, events, alertCounts, Efficacy(protocol, madrs));
    }

    private static int ArmIndex(IReadOnlyList<ArmDefinition> arms, string code) => arms.Select(a => a.Code).ToList().IndexOf(code);

    private static List<EfficacyCounts> Efficacy(ProtocolDefinition protocol, IReadOnlyList<DmcMadrs> madrs)
    {
        var rule = EfficacyBaselineRule.Of(protocol);
        var timepointOrder = protocol.Timepoints.ToList();

        var points = new List<(string Visit, string Arm, decimal Total, decimal Change, bool Response, bool Remission)>();
        foreach (var own in madrs.GroupBy(m => (m.ParticipantId, m.Arm)))
        {
            // Baseline, change, response and remission as the extracts' efficacy dataset has them: one function decides both.
            var judged = EfficacyEvaluation.Evaluate(rule, protocol.Efficacy, [.. own.Select(m => new EfficacyTotal(m.VisitCode, m.Timepoint, m.Total))]);
            // One MADRS per visit: the visit's only one, or at an infusion visit its earliest timepoint (pre); the baseline visit is not a result.
            foreach (var visit in judged.GroupBy(p => p.Total.VisitCode))
            {
                var p = visit.OrderBy(m => m.Total.Timepoint is null ? -1 : timepointOrder.IndexOf(m.Total.Timepoint)).First();
                if (p.Baseline is null || p.IsBaseline || visit.Key == rule.Visit) continue;
                points.Add((visit.Key, own.Key.Arm, p.Total.Total, p.Outcome.Change!.Value, p.Outcome.Response == true, p.Outcome.Remission));
            }
        }

        var visitOrder = protocol.Visits.Select(v => v.Code).ToList();
        return [.. points
            .GroupBy(p => (p.Visit, p.Arm))
            .OrderBy(g => visitOrder.IndexOf(g.Key.Visit)).ThenBy(g => ArmIndex(protocol.Design.Arms, g.Key.Arm))
            .Select(g => new EfficacyCounts(g.Key.Visit, g.Key.Arm, g.Count(), Mean(g.Select(p => p.Total)), Mean(g.Select(p => p.Change)),
                g.Count(p => p.Response), g.Count(p => p.Remission)))];
    }

    private static decimal? Mean(IEnumerable<decimal> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? null : Math.Round(list.Average(), 2, MidpointRounding.AwayFromZero);
    }
}
