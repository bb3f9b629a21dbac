using System.Globalization;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;

namespace Trial.Core.Safety;

/// <summary>
/// Scales with items left empty. A rule on a total (or a subscale, or the BSL-23 mean) judges the least the score could be
/// once the empty items are filled in (<see cref="AtLeast"/>): when the answered items alone already reach the threshold,
/// every completion of the scale would too, so one empty item cannot switch the rule off. What the empty items could
/// still hide is raised as <see cref="SafetyScaleIncomplete"/>, so that a monitor asks the site to complete the scale.
/// </summary>
public static partial class SafetyEngine
{
    /// <summary>
    /// A score as the rules compare it: the Scorer's when its items are answered, else the least it could be with the
    /// unanswered items (<paramref name="MissingItems"/>) at the lowest value the scale allows.
    /// </summary>
    private sealed record Bounded(decimal Value, IReadOnlyList<int> MissingItems)
    {
        public bool IsLowerBound => MissingItems.Count > 0;
    }

    /// <summary>
    /// The score <paramref name="key"/> of an assessment, or when the Scorer gave none because items are missing, its lower
    /// bound: the answered items with the missing ones at the scale's minimum (0, or 1 on the BPRS), combined as the score
    /// combines them (a sum, or a mean over all of its items). Null for a score the instrument does not have.
    /// </summary>
    private static Bounded? AtLeast(AssessmentFact a, string key)
    {
        if (a.Scores.TryGetValue(key, out var scored))
        {
            return new Bounded(scored, []);
        }

        if (!InstrumentCatalog.TryGet(a.Instrument, out var definition) || definition.Scores.FirstOrDefault(s => s.Key == key) is not { } score)
        {
            return null;
        }

        var missing = score.Items.Where(n => Item(a, n) is null).ToList();
        var lowest = score.Items.Select(n => Item(a, n)).OfType<decimal>().Sum() + definition.MinValue * missing.Count;
        return new Bounded(score.Method == ScoreMethod.Mean ? lowest / score.Items.Count : lowest, missing);
    }

    private static string Shown(Bounded score) => score.IsLowerBound ? $"at least {N(score.Value)} ({ItemList(score.MissingItems)} not answered)" : N(score.Value);

    private static (string Key, string Value)[] WithMissing(Bounded score, params (string Key, string Value)[] values) =>
        score.IsLowerBound ? [.. values, ("lowerBound", "true"), ("missingItems", string.Join(",", score.MissingItems.Select(I)))] : values;

    private static string ItemList(IReadOnlyList<int> items) =>
        items.Count == 1 ? $"item {I(items[0])}" : $"items {string.Join(", ", items.Select(I))}";

    private static string Signed(int value) => value.ToString("+0;-0;0", CultureInfo.InvariantCulture);

    /// <summary>
    /// The rules that SAFETY_SCALE_INCOMPLETE asks about: every rule on the rating scales except STRATUM_CHANGED, which is
    /// about the allocation, not the participant's safety.
    /// </summary>
    private static bool IsScaleSafetyRule(string code) => code is not (SafetyScaleIncomplete or StratumChanged);

    /// <summary>
    /// An assessment of a safety-relevant scale with items left empty, where some way of filling them in would make a rule
    /// fire on it that does not fire as entered. Every rule on an assessment fires more, never less, as its items rise, so
    /// "some completion" is the completion with every empty item at the scale's maximum.
    /// </summary>
    private static IEnumerable<AlertCandidate> EvaluateScaleIncomplete(Context c, SafetyRuleSettings rule)
    {
        List<AlertCandidate>? asEntered = null;
        foreach (var instrument in InstrumentsRead)
        {
            var definition = InstrumentCatalog.Get(instrument);
            foreach (var a in c.Ordered(instrument))
            {
                var missing = Enumerable.Range(1, a.Items.Count).Where(n => a.Items[n - 1] is null).ToList();
                if (missing.Count == 0)
                {
                    continue;
                }

                asEntered ??= RunRules(c, IsScaleSafetyRule);
                var key = a.Id.ToString("N");
                var fired = asEntered.Where(f => f.SourceKey == key).Select(f => f.Rule).ToHashSet(StringComparer.Ordinal);
                var filled = a.Items.Select(v => (decimal?)(v ?? definition.MaxValue)).ToArray();
                var highest = a with { Items = filled, Scores = Scorer.Score(definition, filled).Scores };
                var hidden = RunRules(c.WithAssessmentReplaced(a, highest), IsScaleSafetyRule)
                    .Where(f => f.SourceKey == key && !fired.Contains(f.Rule))
                    .Select(f => f.Rule)
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                if (hidden.Count == 0)
                {
                    continue;
                }

                var items = ItemList(missing);
                yield return AssessmentAlert(rule, a,
                    $"{definition.Abbreviation} at {Where(a)} is incomplete ({items} not answered): filled in, the missing items could reach the threshold of "
                    + $"{string.Join(", ", hidden)}. Ask the site to complete the scale.",
                    ("instrument", instrument), ("missingItems", string.Join(",", missing.Select(I))), ("couldFire", string.Join(",", hidden)));
            }
        }
    }

    /// <summary>The alerts of the enabled rules that <paramref name="include"/> accepts, in rule order.</summary>
    private static List<AlertCandidate> RunRules(Context c, Func<string, bool> include)
    {
        var alerts = new List<AlertCandidate>();
        foreach (var spec in Specs.Where(s => include(s.Code)))
        {
            if (c.Protocol.FindRule(spec.Code) is { Enabled: true } rule)
            {
                alerts.AddRange(spec.Evaluate(c, rule));
            }
        }

        return alerts;
    }

    /// <summary>
    /// The baseline MADRS, corrected after randomisation, now puts the participant in another stratum than the one they were
    /// randomised in. They stay in the stratum as randomised (moving them would change the allocation); the statistician must
    /// know, and the monitor checks that the correction is right. Only stratum names are said: a stratum tells nothing of the arm.
    /// </summary>
    private static IEnumerable<AlertCandidate> EvaluateStratumChanged(Context c, SafetyRuleSettings rule)
    {
        var strata = c.Protocol.Design.Randomisation?.Strata;
        if (c.Allocation is not { BaselineMadrsTotal: { } randomisedOn } allocation || strata is null || strata.BaselineMadrsTotalCutoffs.Count == 0
            || StratificationVisit(c.Protocol) is not { } visit)
        {
            yield break;
        }

        var madrs = c.Ordered(InstrumentCatalog.Madrs).LastOrDefault(a => a.VisitCode == visit && a.Timepoint is null && a.Scores.ContainsKey("total"));
        if (madrs is null)
        {
            yield break;
        }

        var total = madrs.Scores["total"];
        var now = Strata.Of(strata, allocation.SiteCode, total);
        if (now == allocation.Stratum)
        {
            yield break;
        }

        yield return AssessmentAlert(rule, madrs,
            $"The baseline MADRS total at {visit} is now {N(total)}; the participant was randomised in stratum {allocation.Stratum} on a total of {N(randomisedOn)} "
            + $"and would now fall in stratum {now}. They stay in stratum {allocation.Stratum} as randomised: check the correction and tell the trial statistician.",
            ("total", N(total)), ("randomisedTotal", N(randomisedOn)), ("randomisedStratum", allocation.Stratum), ("currentStratum", now));
    }

    /// <summary>The visit whose MADRS total decides the stratum: the first baseline visit, as at randomisation.</summary>
    public static string? StratificationVisit(ProtocolDefinition protocol) =>
        protocol.Visits.FirstOrDefault(v => v.Kind == VisitKinds.Baseline)?.Code;
}
