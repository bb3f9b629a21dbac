using Trial.Core.Protocol;
using Trial.Core.Schedule;

namespace Trial.Core.Efficacy;

/// <summary>
/// One score of an efficacy endpoint (the MADRS total, the BSL-23 mean) of one participant; <paramref name="Timepoint"/> is null
/// outside infusion visits. <paramref name="Unscheduled"/>: the protocol does not schedule the instrument at that visit and
/// timepoint (the site recorded it anyway).
/// </summary>
public sealed record EfficacyTotal(string VisitCode, string? Timepoint, decimal Total, bool Unscheduled = false);

/// <summary>
/// Where the protocol takes a participant's efficacy baseline from: the total of the baseline visit (BL, which has no
/// timepoints), or, when BL has none, the first infusion's first timepoint (INF1 pre).
/// </summary>
public sealed record EfficacyBaselineRule(string? Visit, string? FallbackVisit, string? FallbackTimepoint)
{
    public static EfficacyBaselineRule Of(ProtocolDefinition protocol)
    {
        var firstInfusion = protocol.InfusionVisits.FirstOrDefault(v => v.Anchor is null) ?? protocol.InfusionVisits.FirstOrDefault();
        return new EfficacyBaselineRule(protocol.Visits.FirstOrDefault(v => v.Kind == VisitKinds.Baseline)?.Code, firstInfusion?.Code, protocol.Timepoints.FirstOrDefault());
    }

    // An unscheduled assessment is never a baseline: it has no analysis visit (see EfficacyEvaluation).
    public bool IsBaselineVisit(EfficacyTotal total) => Visit is not null && total.VisitCode == Visit && total.Timepoint is null && !total.Unscheduled;

    public bool IsFallback(EfficacyTotal total) =>
        FallbackVisit is not null && total.VisitCode == FallbackVisit && total.Timepoint == FallbackTimepoint && !total.Unscheduled;

    /// <summary>How a baseline's source is named: the visit code, with the timepoint after it when it has one ("BL", "INF1 pre").</summary>
    public static string NameOf(EfficacyTotal baseline) => baseline.Timepoint is null ? baseline.VisitCode : $"{baseline.VisitCode} {baseline.Timepoint}";
}

/// <summary>A total judged against the participant's baseline by the protocol's efficacy rules.</summary>
public sealed record EfficacyOutcome(decimal? Change, decimal? PercentChange, bool? Response, bool? Remission)
{
    public static readonly EfficacyOutcome None = new(null, null, null, null);

    /// <summary>
    /// Change and percent change from <paramref name="baseline"/>; response = a reduction of at least the protocol's
    /// percentage, decided on exact values (the percent change is rounded only for display); remission = total at or
    /// below the protocol's maximum, which needs no baseline. Without a baseline (or on the baseline record itself)
    /// change, percent change and response are empty; with a baseline of 0 the percentages are undefined.
    /// <paramref name="judged"/> false (an endpoint without responder rules, a rating before the first dose, an unscheduled
    /// rating) leaves response and remission empty: there is nothing to judge, or it is no analysis value.
    /// </summary>
    public static EfficacyOutcome Of(decimal total, decimal? baseline, bool isBaseline, EfficacyRules rules, bool judged = true)
    {
        bool? remission = judged ? total <= rules.RemissionMaxTotal : null;
        if (baseline is not { } b || isBaseline) return new EfficacyOutcome(null, null, null, remission);
        var change = total - b;
        if (b == 0) return new EfficacyOutcome(change, null, null, remission);
        var percent = Math.Round(change * 100 / b, 2, MidpointRounding.AwayFromZero);
        bool? response = judged ? (b - total) * 100 >= rules.ResponseMinReductionPercent * b : null;
        return new EfficacyOutcome(change, percent, response, remission);
    }
}

/// <summary>
/// One total with its judgement: the participant's baseline (null when they have none), whether it is that baseline, the
/// analysis visit (<see cref="EfficacyEvaluation.AnalysisVisit"/>: null for an unscheduled rating), whether it was made
/// before the first dose, and the outcome.
/// </summary>
public sealed record EfficacyPoint(EfficacyTotal Total, EfficacyTotal? Baseline, bool IsBaseline, EfficacyOutcome Outcome,
    string? AnalysisVisit = null, bool PreDose = false)
{
    /// <summary>
    /// Whether the point counts in a summary of responders by visit (the DMC report's, a statistician's from the extract): an
    /// analysis visit after the first dose, judged against a baseline.
    /// </summary>
    public bool CountsForResponders => AnalysisVisit is not null && !PreDose && !IsBaseline && Outcome.Change is not null;
}

/// <summary>
/// The protocol's efficacy (docs/protocol.md, Efficacy): baseline, change, percent change, response and remission of
/// each MADRS total. The one place these are decided: the extracts' efficacy dataset and the DMC report both call
/// <c>Evaluate</c>, so the two can never disagree on who responded.
/// <para>
/// Unscheduled ratings (the protocol does not schedule the instrument at that visit and timepoint) have no analysis visit:
/// they are listed, with their change from baseline, but are never a baseline and carry no response or remission, so no
/// summary by visit counts them. Ratings before the first dose (the baseline visit, INF1 pre) carry no response or
/// remission either: nothing had been given yet.
/// </para>
/// </summary>
public static class EfficacyEvaluation
{
    /// <summary>
    /// The analysis visit of a rating: its visit code, with the timepoint after it when it has one ("FU-D7", "INF2 pre"); null
    /// for an unscheduled rating, which is no analysis value.
    /// </summary>
    public static string? AnalysisVisit(EfficacyTotal total) => total.Unscheduled ? null : EfficacyBaselineRule.NameOf(total);

    /// <summary>The participant's baseline among their totals (the baseline visit's, else the fallback), or null when they have neither.</summary>
    public static EfficacyTotal? Baseline(EfficacyBaselineRule rule, IReadOnlyList<EfficacyTotal> totals) =>
        totals.FirstOrDefault(rule.IsBaselineVisit) ?? totals.FirstOrDefault(rule.IsFallback);

    /// <summary>
    /// Every total of one participant, in the order given, judged against that participant's baseline. Response and remission
    /// are judged only on a <paramref name="responder"/> endpoint, after the <paramref name="firstDose"/> (none given: every
    /// rating counts as after it), and on scheduled ratings.
    /// </summary>
    public static IReadOnlyList<EfficacyPoint> Evaluate(EfficacyBaselineRule rule, EfficacyRules rules, IReadOnlyList<EfficacyTotal> totals,
        FirstDose? firstDose = null, bool responder = true)
    {
        var baseline = Baseline(rule, totals);
        return [.. totals.Select(t =>
        {
            var isBaseline = ReferenceEquals(t, baseline);
            var preDose = firstDose?.IsBefore(t.VisitCode, t.Timepoint) ?? false;
            var judged = responder && !preDose && !t.Unscheduled;
            return new EfficacyPoint(t, baseline, isBaseline, EfficacyOutcome.Of(t.Total, baseline?.Total, isBaseline, rules, judged), AnalysisVisit(t), preDose);
        })];
    }

    /// <summary>The MADRS total judged with the protocol's baseline rule, thresholds and first dose.</summary>
    public static IReadOnlyList<EfficacyPoint> Evaluate(ProtocolDefinition protocol, IReadOnlyList<EfficacyTotal> totals) =>
        Evaluate(EfficacyBaselineRule.Of(protocol), protocol.Efficacy, totals, new FirstDose(protocol));

    /// <summary>The score of <paramref name="endpoint"/> judged with the protocol's baseline rule and first dose; response and remission only where the endpoint has them.</summary>
    public static IReadOnlyList<EfficacyPoint> Evaluate(ProtocolDefinition protocol, EfficacyEndpoint endpoint, IReadOnlyList<EfficacyTotal> totals) =>
        Evaluate(EfficacyBaselineRule.Of(protocol), protocol.Efficacy, totals, new FirstDose(protocol), endpoint.Responder);
}
