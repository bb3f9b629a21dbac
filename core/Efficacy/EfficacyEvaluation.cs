using Trial.Core.Protocol;

namespace Trial.Core.Efficacy;

/// <summary>One total of the efficacy scale (the MADRS total) of one participant; <paramref name="Timepoint"/> is null outside infusion visits.</summary>
public sealed record EfficacyTotal(string VisitCode, string? Timepoint, decimal Total);

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

    public bool IsBaselineVisit(EfficacyTotal total) => Visit is not null && total.VisitCode == Visit && total.Timepoint is null;

    public bool IsFallback(EfficacyTotal total) => FallbackVisit is not null && total.VisitCode == FallbackVisit && total.Timepoint == FallbackTimepoint;

    /// <summary>How a baseline's source is named: the visit code, with the timepoint after it when it has one ("BL", "INF1 pre").</summary>
    public static string NameOf(EfficacyTotal baseline) => baseline.Timepoint is null ? baseline.VisitCode : $"{baseline.VisitCode} {baseline.Timepoint}";
}

/// <summary>A total judged against the participant's baseline by the protocol's efficacy rules.</summary>
public sealed record EfficacyOutcome(decimal? Change, decimal? PercentChange, bool? Response, bool Remission)
{
    public static readonly EfficacyOutcome None = new(null, null, null, false);

    /// <summary>
    /// Change and percent change from <paramref name="baseline"/>; response = a reduction of at least the protocol's
    /// percentage, decided on exact values (the percent change is rounded only for display); remission = total at or
    /// below the protocol's maximum, which needs no baseline. Without a baseline (or on the baseline record itself)
    /// change, percent change and response are empty; with a baseline of 0 the percentages are undefined.
    /// </summary>
    public static EfficacyOutcome Of(decimal total, decimal? baseline, bool isBaseline, EfficacyRules rules)
    {
        var remission = total <= rules.RemissionMaxTotal;
        if (baseline is not { } b || isBaseline) return new EfficacyOutcome(null, null, null, remission);
        var change = total - b;
        if (b == 0) return new EfficacyOutcome(change, null, null, remission);
        var percent = Math.Round(change * 100 / b, 2, MidpointRounding.AwayFromZero);
        var response = (b - total) * 100 >= rules.ResponseMinReductionPercent * b;
        return new EfficacyOutcome(change, percent, response, remission);
    }
}

/// <summary>One total with its judgement: the participant's baseline (null when they have none), whether it is that baseline, and the outcome.</summary>
public sealed record EfficacyPoint(EfficacyTotal Total, EfficacyTotal? Baseline, bool IsBaseline, EfficacyOutcome Outcome);

/// <summary>
/// The protocol's efficacy (domain/protocol.md, Efficacy): baseline, change, percent change, response and remission of
/// each MADRS total. The one place these are decided: the extracts' efficacy dataset and the DMC report both call
/// <c>Evaluate</c>, so the two can never disagree on who responded.
/// </summary>
public static class EfficacyEvaluation
{
    /// <summary>The participant's baseline among their totals (the baseline visit's, else the fallback), or null when they have neither.</summary>
    public static EfficacyTotal? Baseline(EfficacyBaselineRule rule, IReadOnlyList<EfficacyTotal> totals) =>
        totals.FirstOrDefault(rule.IsBaselineVisit) ?? totals.FirstOrDefault(rule.IsFallback);

    /// <summary>Every total of one participant, in the order given, judged against that participant's baseline.</summary>
    public static IReadOnlyList<EfficacyPoint> Evaluate(EfficacyBaselineRule rule, EfficacyRules rules, IReadOnlyList<EfficacyTotal> totals)
    {
        var baseline = Baseline(rule, totals);
        return [.. totals.Select(t =>
        {
            var isBaseline = ReferenceEquals(t, baseline);
            return new EfficacyPoint(t, baseline, isBaseline, EfficacyOutcome.Of(t.Total, baseline?.Total, isBaseline, rules));
        })];
    }

    /// <summary><see cref="Evaluate(EfficacyBaselineRule, EfficacyRules, IReadOnlyList{EfficacyTotal})"/> with the protocol's baseline rule and thresholds.</summary>
    public static IReadOnlyList<EfficacyPoint> Evaluate(ProtocolDefinition protocol, IReadOnlyList<EfficacyTotal> totals) =>
        Evaluate(EfficacyBaselineRule.Of(protocol), protocol.Efficacy, totals);
}
