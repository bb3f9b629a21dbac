using System.Globalization;
using Trial.Core.Instruments;
using Trial.Core.Protocol;

namespace Trial.Core.Safety;

/// <summary>
/// The protocol's safety rules as one pure function of a participant's data. Every threshold, item list and timepoint
/// comes from the rule's settings in the protocol file, so an amended threshold is a new protocol version, not new code.
/// </summary>
public static partial class SafetyEngine
{
    public const string Madrs10High = "MADRS10_HIGH";
    public const string Madrs10Rise = "MADRS10_RISE";
    public const string BslSelfHarm = "BSL_SELFHARM";
    public const string BslBandUp = "BSL_BAND_UP";
    public const string CadssSevere = "CADSS_SEVERE";
    public const string CadssPersist = "CADSS_PERSIST";
    public const string BprsPosItem = "BPRS_POS_ITEM";
    public const string BprsPosRise = "BPRS_POS_RISE";
    public const string VitalsBp = "VITALS_BP";
    public const string VitalsHr = "VITALS_HR";
    public const string VitalsSpo2 = "VITALS_SPO2";
    public const string MadrsWorse = "MADRS_WORSE";
    public const string SuicidalityEscalating = "SUICIDALITY_ESCALATING";
    public const string SaeReported = "SAE_REPORTED";
    public const string SaeClock = "SAE_CLOCK";
    public const string Aesi = "AESI";
    public const string VisitMissed = "VISIT_MISSED";
    public const string VitalsBpRise = "VITALS_BP_RISE";
    public const string VitalsBpPredose = "VITALS_BP_PREDOSE";
    public const string StratumChanged = "STRATUM_CHANGED";
    public const string SafetyScaleIncomplete = "SAFETY_SCALE_INCOMPLETE";
    public const string ConmedProhibited = "CONMED_PROHIBITED";

    /// <summary>
    /// The timepoint before an infusion. Rules compare against it (same-visit BPRS+ rise, the fallback baseline), so a
    /// protocol that uses any of those rules must list it among its timepoints; <see cref="ProtocolLoader.Validate"/> checks that.
    /// </summary>
    public const string PreInfusionTimepoint = "pre";

    private const int MadrsSuicideItem = 10;

    // What each rule needs from its settings and what it compares a record with. Kept beside the evaluators so a new rule
    // cannot be added without saying what it reads: the loader refuses a protocol file that would make a rule throw or
    // silently do nothing, and the evaluation of new records reads what the declarations say (IncrementalReadsFor).
    private static readonly RuleSpec[] Specs =
    [
        new(Madrs10High, Evaluate: EvaluateMadrs10High, Parameters: ["minItem10"]),
        new(Madrs10Rise, Evaluate: EvaluateMadrs10Rise, Parameters: ["minRise"],
            Reads: new RuleReads.EarlierAnswering(InstrumentCatalog.Madrs, MadrsSuicideItem, _ => 1)),
        new(BslSelfHarm, Evaluate: EvaluateBslSelfHarm, Parameters: ["minItemValue"], ItemsInstrument: InstrumentCatalog.Bsl23),
        new(BslBandUp, Evaluate: EvaluateBslBandUp, Parameters: ["minBandsAboveBaseline"], UsesPreTimepoint: true,
            Reads: new RuleReads.Baseline(InstrumentCatalog.Bsl23)),
        new(CadssSevere, Evaluate: EvaluateCadssSevere, Parameters: ["minTotal"]),
        new(CadssPersist, Evaluate: EvaluateCadssPersist, Parameters: ["totalAbove", "minRiseOverPre"], UsesTimepoints: true, UsesPreTimepoint: true,
            Reads: new RuleReads.PreInfusionRating(InstrumentCatalog.Cadss)),
        new(BprsPosItem, Evaluate: EvaluateBprsPosItem, Parameters: ["minItemValue"], ItemsInstrument: InstrumentCatalog.Bprs),
        new(BprsPosRise, Evaluate: EvaluateBprsPosRise, Parameters: ["minRiseOverPre"], UsesTimepoints: true, UsesPreTimepoint: true,
            Reads: new RuleReads.PreInfusionRating(InstrumentCatalog.Bprs)),
        new(VitalsBp, Evaluate: EvaluateVitalsBp, Parameters: ["minSystolic", "minDiastolic"]),
        new(VitalsHr, Evaluate: EvaluateVitalsHr, Parameters: ["minHigh", "maxLow"]),
        new(VitalsSpo2, Evaluate: EvaluateVitalsSpo2, Parameters: ["below"]),
        new(VitalsBpRise, Evaluate: EvaluateVitalsBpRise, Parameters: ["minSystolicRise", "minDiastolicRise"], UsesTimepoints: true, UsesPreTimepoint: true,
            Reads: new RuleReads.PreInfusionVitals()),
        new(VitalsBpPredose, Evaluate: EvaluateVitalsBpPredose, Parameters: ["minSystolic", "minDiastolic"], UsesPreTimepoint: true),
        new(MadrsWorse, Evaluate: EvaluateMadrsWorse, Parameters: ["minRatioToBaseline"], UsesPreTimepoint: true,
            Reads: new RuleReads.Baseline(InstrumentCatalog.Madrs)),
        new(SuicidalityEscalating, Evaluate: EvaluateSuicidalityEscalating, Parameters: ["consecutiveRises"],
            Reads: new RuleReads.EarlierAnswering(InstrumentCatalog.Madrs, MadrsSuicideItem, rule => (int)rule.Parameter("consecutiveRises"))),
        new(SaeReported, Evaluate: EvaluateSaeReported),
        new(SaeClock, Evaluate: EvaluateSaeClock, Parameters: ["reportWithinHours"]),
        new(Aesi, Evaluate: EvaluateAesi),
        new(VisitMissed, Evaluate: EvaluateVisitMissed),
        new(StratumChanged, Evaluate: EvaluateStratumChanged, Reads: new RuleReads.Allocation(InstrumentCatalog.Madrs)),
        new(ConmedProhibited, Evaluate: EvaluateConmedProhibited, Parameters: ["hoursBeforeInfusion"], UsesMedicationClasses: true,
            Reads: new RuleReads.MedicationsAndInfusions()),

        // Last: it asks which of the rules above the missing items of a scale could be hiding, so it reads what they read.
        new(SafetyScaleIncomplete, Evaluate: EvaluateScaleIncomplete),
    ];

    /// <summary>What each rule compares a record with (see <see cref="RuleReads"/>), by rule code.</summary>
    public static IReadOnlyDictionary<string, RuleReads> Declarations { get; } =
        Specs.ToDictionary(s => s.Code, s => s.Reads, StringComparer.Ordinal).AsReadOnly();

    /// <summary>
    /// The instruments whose assessments the rules read. The 94-item 5D-ASC is not among them, so
    /// callers need not load it; a rule that starts reading an instrument must add it here.
    /// </summary>
    public static IReadOnlyList<string> InstrumentsRead { get; } =
        Array.AsReadOnly([InstrumentCatalog.Madrs, InstrumentCatalog.Bsl23, InstrumentCatalog.Cadss, InstrumentCatalog.Bprs]);

    /// <summary>Every rule code the engine can evaluate, in the order alerts are returned.</summary>
    public static IReadOnlyList<string> KnownRules { get; } = Array.AsReadOnly(Specs.Select(s => s.Code).ToArray());

    /// <summary>
    /// Every alert that the participant's data justifies right now. Pure and deterministic: the caller diffs it against stored
    /// alerts (new → insert, no longer justified → superseded), so evaluation is idempotent and a correction to any record
    /// re-evaluates everything it affects. The order of the input lists does not matter; the result is ordered by rule
    /// (as in <see cref="KnownRules"/>) and then by source record. Each (rule, source key) pair appears at most once.
    /// </summary>
    /// <param name="protocol">The protocol whose rule settings apply (its version is what the caller records with the alerts).</param>
    /// <param name="data">All of the participant's current data; corrected records replace the originals.</param>
    /// <param name="nowUtc">The current instant, used only by the SAE reporting clock.</param>
    public static IReadOnlyList<AlertCandidate> Evaluate(ProtocolDefinition protocol, ParticipantSafetyData data, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(data);

        RequireUtc(nowUtc);

        return EvaluateRules(new Context(protocol, data, nowUtc));
    }

    private static IReadOnlyList<AlertCandidate> EvaluateRules(Context context)
    {
        var alerts = new List<AlertCandidate>();
        foreach (var spec in Specs)
        {
            var rule = context.Protocol.FindRule(spec.Code);
            if (rule is null || !rule.Enabled)
            {
                continue;
            }

            alerts.AddRange(spec.Evaluate(context, rule));
        }

        return alerts.AsReadOnly();
    }

    // A local time here would shift the SAE deadline by the server's offset without anyone noticing.
    private static void RequireUtc(DateTime nowUtc)
    {
        if (nowUtc.Kind == DateTimeKind.Local)
        {
            throw new ArgumentException("The evaluation time must be UTC, not local time.", nameof(nowUtc));
        }
    }

    /// <summary>Problems with the safety rule settings of a protocol, in words for whoever edits the protocol file.</summary>
    internal static IEnumerable<string> ValidateRules(ProtocolDefinition p)
    {
        foreach (var rule in p.SafetyRules)
        {
            var spec = Specs.FirstOrDefault(s => s.Code == rule.Code);
            if (spec is null)
            {
                yield return $"safety rule {rule.Code} is not a rule the system knows (known rules: {string.Join(", ", KnownRules)})";
                continue;
            }

            foreach (var problem in spec.Validate(rule, p))
            {
                yield return problem;
            }
        }

        // A rule left out of the file would silently never fire; switching a rule off must be an explicit "enabled": false.
        // STRATUM_CHANGED has nothing to watch in a design that does not stratify by the baseline MADRS.
        var stratifiesByMadrs = p.Design.Randomisation?.Strata.BaselineMadrsTotalCutoffs is { Count: > 0 };
        foreach (var code in KnownRules.Where(code => p.FindRule(code) is null && (code != StratumChanged || stratifiesByMadrs)))
        {
            yield return $"safety rule {code} is missing (to switch it off, list it with \"enabled\": false)";
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateMadrs10High(Context c, SafetyRuleSettings rule)
    {
        var min = rule.Parameter("minItem10");
        foreach (var a in c.Ordered(InstrumentCatalog.Madrs))
        {
            if (Item(a, MadrsSuicideItem) is { } value && value >= min)
            {
                yield return AssessmentAlert(rule, a,
                    $"{MadrsItem10} = {N(value)} at {Where(a)} (threshold {N(min)})",
                    ("item10", N(value)), ("minItem10", N(min)));
            }
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateMadrs10Rise(Context c, SafetyRuleSettings rule)
    {
        var minRise = rule.Parameter("minRise");
        var madrs = c.Ordered(InstrumentCatalog.Madrs);
        var answered = AnsweredItem10(madrs);

        // Only the previous MADRS counts, as the protocol says; a slow climb over several assessments is what
        // SUICIDALITY_ESCALATING watches. "Previous" is the latest earlier MADRS that answered item 10: one with the item
        // missing says nothing about suicidal thoughts, and skipping the comparison would let 1 -> (missing) -> 3 pass.
        for (var i = 1; i < answered.Count; i++)
        {
            var (previous, current) = (answered[i - 1], answered[i]);
            var (before, now) = (Item(previous, MadrsSuicideItem)!.Value, Item(current, MadrsSuicideItem)!.Value);
            if (now - before >= minRise)
            {
                yield return AssessmentAlert(rule, current,
                    $"{MadrsItem10} rose from {N(before)} to {N(now)} at {Where(current)} (previous MADRS at {Where(previous)}{SkippedItem10(madrs, previous, current, "; ")}; threshold: a rise of {N(minRise)})",
                    ("item10", N(now)), ("previous", N(before)), ("rise", N(now - before)), ("minRise", N(minRise)));
            }
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateBslSelfHarm(Context c, SafetyRuleSettings rule) =>
        ItemRule(c, rule, InstrumentCatalog.Bsl23Definition, "BSL-23 self-harm item");

    private static IEnumerable<AlertCandidate> EvaluateBprsPosItem(Context c, SafetyRuleSettings rule) =>
        ItemRule(c, rule, InstrumentCatalog.BprsDefinition, "BPRS positive-symptom (psychosis) item");

    // One alert per assessment naming every item at or above the threshold, so a monitor sees the whole picture at once.
    private static IEnumerable<AlertCandidate> ItemRule(Context c, SafetyRuleSettings rule, InstrumentDefinition d, string what)
    {
        var min = rule.Parameter("minItemValue");
        foreach (var a in c.Ordered(d.Code))
        {
            var hits = rule.Items
                .Select(n => (Number: n, Value: Item(a, n)))
                .Where(h => h.Value >= min)
                .Select(h => (h.Number, Value: h.Value!.Value))
                .ToList();
            if (hits.Count == 0)
            {
                continue;
            }

            var listed = string.Join(", ", hits.Select(h => $"{ItemName(d, h.Number)} = {N(h.Value)}"));
            var plural = hits.Count == 1 ? "" : "s";
            var values = hits.Select(h => ($"item{h.Number}", N(h.Value))).Append(("minItemValue", N(min))).ToArray();
            yield return AssessmentAlert(rule, a, $"{what}{plural} at {Where(a)}: {listed} (threshold {N(min)})", values);
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateBslBandUp(Context c, SafetyRuleSettings rule)
    {
        var minBands = rule.Parameter("minBandsAboveBaseline");
        var bsl = c.Ordered(InstrumentCatalog.Bsl23);
        if (c.Baseline(InstrumentCatalog.Bsl23, "mean") is not { } baseline)
        {
            return [];
        }

        var baselineMean = ExactBslMean(baseline)!.Value;
        var baselineBand = Bsl23Bands.Index(baselineMean);
        var alerts = new List<AlertCandidate>();

        // Only what was measured after the baseline is a change from it; the baseline itself never fires.
        foreach (var a in bsl.Skip(IndexOf(bsl, baseline) + 1))
        {
            // With too few items answered for the scale's own mean, the mean over all 23 items with the unanswered ones at 0 is
            // the least the mean could be; bands are cut on it unrounded.
            decimal mean;
            Bounded shownMean;
            if (ExactBslMean(a) is { } exact)
            {
                (mean, shownMean) = (exact, new Bounded(a.Scores["mean"], []));
            }
            else if (AtLeast(a, "mean") is { } lowest)
            {
                (mean, shownMean) = (lowest.Value, lowest with { Value = Math.Round(lowest.Value, InstrumentCatalog.MeanDecimals, MidpointRounding.AwayFromZero) });
            }
            else
            {
                continue;
            }

            var band = Bsl23Bands.Index(mean);
            var bandsUp = band - baselineBand;
            if (bandsUp >= minBands)
            {
                alerts.Add(AssessmentAlert(rule, a,
                    $"BSL-23 mean {(shownMean.IsLowerBound ? "at least " : "")}{N(shownMean.Value)} ({Bsl23Bands.Name(mean)}"
                    + $"{(shownMean.IsLowerBound ? $"; {ItemList(shownMean.MissingItems)} not answered" : "")}) at {Where(a)} is {bandsUp} severity bands above "
                    + $"baseline {N(baseline.Scores["mean"])} ({Bsl23Bands.Name(baselineMean)}) at {Where(baseline)} (threshold {N(minBands)} bands)",
                    WithMissing(shownMean, ("mean", N(shownMean.Value)), ("band", band.ToString(CultureInfo.InvariantCulture)),
                    ("baselineMean", N(baseline.Scores["mean"])), ("baselineBand", baselineBand.ToString(CultureInfo.InvariantCulture)),
                    ("bandsAboveBaseline", bandsUp.ToString(CultureInfo.InvariantCulture)), ("minBandsAboveBaseline", N(minBands)))));
            }
        }

        return alerts;
    }

    private static IEnumerable<AlertCandidate> EvaluateCadssSevere(Context c, SafetyRuleSettings rule)
    {
        var min = rule.Parameter("minTotal");
        foreach (var a in c.Ordered(InstrumentCatalog.Cadss))
        {
            if (a.Timepoint is not null && AtLeast(a, "total") is { } total && total.Value >= min)
            {
                yield return AssessmentAlert(rule, a,
                    $"CADSS total {Shown(total)} at {Where(a)} (severe dissociation threshold {N(min)})",
                    WithMissing(total, ("total", N(total.Value)), ("minTotal", N(min))));
            }
        }
    }

    // People with borderline personality disorder often dissociate before any drug: dissociation that has not settled is
    // judged against the same day's pre-infusion rating, not only against an absolute threshold.
    private static IEnumerable<AlertCandidate> EvaluateCadssPersist(Context c, SafetyRuleSettings rule)
    {
        var (above, minRise) = (rule.Parameter("totalAbove"), rule.Parameter("minRiseOverPre"));
        var cadss = c.Ordered(InstrumentCatalog.Cadss);
        foreach (var a in cadss)
        {
            if (a.Timepoint is not { } tp || !rule.Timepoints.Contains(tp) || AtLeast(a, "total") is not { } total || total.Value <= above)
            {
                continue;
            }

            var threshold = $"alert when above {N(above)} at {string.Join(" or ", rule.Timepoints)} and at least {N(minRise)} above the pre-infusion total";
            var pre = c.SameVisitPre(cadss, a, "total");
            if (pre is null)
            {
                // Without a complete rating before the infusion there is nothing to judge the rise by; missing a persisting
                // dissociation is worse than an alert the monitor closes, so the absolute threshold decides alone.
                yield return AssessmentAlert(rule, a,
                    $"CADSS total {Shown(total)} at {Where(a)}: dissociation has not settled after the infusion, and there is no complete "
                    + $"pre-infusion CADSS at {a.VisitCode} to compare with ({threshold})",
                    WithMissing(total, ("total", N(total.Value)), ("totalAbove", N(above)), ("minRiseOverPre", N(minRise))));
                continue;
            }

            var preTotal = pre.Scores["total"];
            if (total.Value - preTotal >= minRise)
            {
                yield return AssessmentAlert(rule, a,
                    $"CADSS total {Shown(total)} at {Where(a)}, up {N(total.Value - preTotal)} from {N(preTotal)} before the infusion at {Where(pre)}: "
                    + $"dissociation has not settled after the infusion ({threshold})",
                    WithMissing(total, ("total", N(total.Value)), ("preTotal", N(preTotal)), ("rise", N(total.Value - preTotal)),
                        ("totalAbove", N(above)), ("minRiseOverPre", N(minRise))));
            }
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateBprsPosRise(Context c, SafetyRuleSettings rule)
    {
        var minRise = rule.Parameter("minRiseOverPre");
        var bprs = c.Ordered(InstrumentCatalog.Bprs);
        foreach (var a in bprs)
        {
            if (a.Timepoint is not { } tp || !rule.Timepoints.Contains(tp) || AtLeast(a, "positive") is not { } positive)
            {
                continue;
            }

            // The comparison is within one infusion: another visit's pre reflects a different day and a different dose.
            var pre = c.SameVisitPre(bprs, a, "positive");
            if (pre is null)
            {
                continue;
            }

            var prePositive = pre.Scores["positive"];
            if (positive.Value >= prePositive + minRise)
            {
                yield return AssessmentAlert(rule, a,
                    $"BPRS positive symptoms (BPRS+) {Shown(positive)} at {Where(a)}, up {N(positive.Value - prePositive)} from {N(prePositive)} before the infusion at {Where(pre)} (threshold: a rise of {N(minRise)})",
                    WithMissing(positive, ("positive", N(positive.Value)), ("prePositive", N(prePositive)), ("rise", N(positive.Value - prePositive)), ("minRiseOverPre", N(minRise))));
            }
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateVitalsBp(Context c, SafetyRuleSettings rule)
    {
        var (minSystolic, minDiastolic) = (rule.Parameter("minSystolic"), rule.Parameter("minDiastolic"));
        foreach (var v in c.Vitals)
        {
            if (v.Systolic >= minSystolic || v.Diastolic >= minDiastolic)
            {
                yield return VitalsAlert(rule, v,
                    $"Blood pressure {v.Systolic}/{v.Diastolic} mmHg at {Where(v.VisitCode, v.Timepoint)} (alert at systolic {N(minSystolic)} or diastolic {N(minDiastolic)} and above)",
                    ("systolic", I(v.Systolic)), ("diastolic", I(v.Diastolic)), ("minSystolic", N(minSystolic)), ("minDiastolic", N(minDiastolic)));
            }
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateVitalsHr(Context c, SafetyRuleSettings rule)
    {
        var (minHigh, maxLow) = (rule.Parameter("minHigh"), rule.Parameter("maxLow"));
        foreach (var v in c.Vitals)
        {
            if (v.HeartRate >= minHigh || v.HeartRate <= maxLow)
            {
                var kind = v.HeartRate >= minHigh ? "too fast" : "too slow";
                yield return VitalsAlert(rule, v,
                    $"Heart rate {v.HeartRate}/min ({kind}) at {Where(v.VisitCode, v.Timepoint)} (alert at {N(minHigh)} and above or {N(maxLow)} and below)",
                    ("heartRate", I(v.HeartRate)), ("minHigh", N(minHigh)), ("maxLow", N(maxLow)));
            }
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateVitalsSpo2(Context c, SafetyRuleSettings rule)
    {
        var below = rule.Parameter("below");
        foreach (var v in c.Vitals)
        {
            if (v.Spo2 < below)
            {
                yield return VitalsAlert(rule, v,
                    $"Oxygen saturation (SpO2) {v.Spo2} % at {Where(v.VisitCode, v.Timepoint)} (alert below {N(below)} %)",
                    ("spo2", I(v.Spo2)), ("below", N(below)));
            }
        }
    }

    // Ketamine raises blood pressure for a while after the infusion; a rise is judged against the person's own value that
    // morning, which an absolute threshold (VITALS_BP) misses in someone who started low.
    private static IEnumerable<AlertCandidate> EvaluateVitalsBpRise(Context c, SafetyRuleSettings rule)
    {
        var (minSystolicRise, minDiastolicRise) = (rule.Parameter("minSystolicRise"), rule.Parameter("minDiastolicRise"));
        foreach (var v in c.Vitals)
        {
            if (!rule.Timepoints.Contains(v.Timepoint) || c.PreInfusionVitals(v.VisitCode) is not { } pre)
            {
                continue;
            }

            var (systolicRise, diastolicRise) = (v.Systolic - pre.Systolic, v.Diastolic - pre.Diastolic);
            if (systolicRise >= minSystolicRise || diastolicRise >= minDiastolicRise)
            {
                yield return VitalsAlert(rule, v,
                    $"Blood pressure {v.Systolic}/{v.Diastolic} mmHg at {Where(v.VisitCode, v.Timepoint)}, {Signed(systolicRise)}/{Signed(diastolicRise)} mmHg from {pre.Systolic}/{pre.Diastolic} before the infusion "
                    + $"(alert at a rise of {N(minSystolicRise)} systolic or {N(minDiastolicRise)} diastolic)",
                    ("systolic", I(v.Systolic)), ("diastolic", I(v.Diastolic)), ("preSystolic", I(pre.Systolic)), ("preDiastolic", I(pre.Diastolic)),
                    ("systolicRise", I(systolicRise)), ("diastolicRise", I(diastolicRise)),
                    ("minSystolicRise", N(minSystolicRise)), ("minDiastolicRise", N(minDiastolicRise)));
            }
        }
    }

    // A warning before dosing, while the infusion can still be delayed: raised on the pre-infusion vital signs.
    private static IEnumerable<AlertCandidate> EvaluateVitalsBpPredose(Context c, SafetyRuleSettings rule)
    {
        var (minSystolic, minDiastolic) = (rule.Parameter("minSystolic"), rule.Parameter("minDiastolic"));
        foreach (var v in c.Vitals)
        {
            if (v.Timepoint == PreInfusionTimepoint && (v.Systolic >= minSystolic || v.Diastolic >= minDiastolic))
            {
                yield return VitalsAlert(rule, v,
                    $"Blood pressure {v.Systolic}/{v.Diastolic} mmHg before the infusion at {v.VisitCode}: check it before dosing "
                    + $"(alert before an infusion at systolic {N(minSystolic)} or diastolic {N(minDiastolic)} and above)",
                    ("systolic", I(v.Systolic)), ("diastolic", I(v.Diastolic)), ("minSystolic", N(minSystolic)), ("minDiastolic", N(minDiastolic)));
            }
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateMadrsWorse(Context c, SafetyRuleSettings rule)
    {
        var ratio = rule.Parameter("minRatioToBaseline");
        if (c.Baseline(InstrumentCatalog.Madrs, "total") is not { } baseline)
        {
            return [];
        }

        // A ratio to a total of 0 says nothing (every later total would be "1.2 times worse"); such a baseline is a data
        // problem for the monitor, not a worsening, and item 10 is still watched by its own rules.
        var baselineTotal = baseline.Scores["total"];
        if (baselineTotal <= 0)
        {
            return [];
        }

        var threshold = ratio * baselineTotal;
        var alerts = new List<AlertCandidate>();
        foreach (var a in c.Ordered(InstrumentCatalog.Madrs))
        {
            // Worsening is judged once treatment has started: the first infusion visit's own pre is still untreated.
            if (!c.IsAfterFirstInfusion(a.VisitCode) || AtLeast(a, "total") is not { } total || total.Value < threshold)
            {
                continue;
            }

            alerts.Add(AssessmentAlert(rule, a,
                $"MADRS total {Shown(total)} at {Where(a)} is worse than baseline {N(baselineTotal)} at {Where(baseline)} (threshold {N(ratio)} × baseline = {N(threshold)})",
                WithMissing(total, ("total", N(total.Value)), ("baseline", N(baselineTotal)), ("minRatioToBaseline", N(ratio)), ("threshold", N(threshold)))));
        }

        return alerts;
    }

    private static IEnumerable<AlertCandidate> EvaluateSuicidalityEscalating(Context c, SafetyRuleSettings rule)
    {
        var rises = (int)rule.Parameter("consecutiveRises");
        var madrs = c.Ordered(InstrumentCatalog.Madrs);

        // The run is taken over the MADRS assessments that answered item 10: one with the item missing neither breaks a
        // run nor extends it, so 1 -> 2 -> (missing) -> 3 is two consecutive rises.
        var answered = AnsweredItem10(madrs);

        // Fires on every assessment that ends a run of `rises` strict rises, so a run that keeps climbing keeps alerting.
        // The run may start from a pre-treatment value, but every rise must be at a visit after the first infusion visit:
        // the rule is about what follows ketamine, and a rise from BL to INF1 pre happened before any infusion.
        for (var end = rises; end < answered.Count; end++)
        {
            var run = answered.Skip(end - rises).Take(rises + 1).ToList();
            var escalating = true;
            for (var k = 1; k < run.Count && escalating; k++)
            {
                escalating = c.IsAfterFirstInfusion(run[k].VisitCode)
                    && Item(run[k], MadrsSuicideItem)!.Value > Item(run[k - 1], MadrsSuicideItem)!.Value;
            }

            if (!escalating)
            {
                continue;
            }

            var path = string.Join(" → ", run.Select(a => $"{N(Item(a, MadrsSuicideItem)!.Value)} at {Where(a)}"));
            var skipped = SkippedItem10(madrs, run[0], run[^1], "");
            yield return AssessmentAlert(rule, run[^1],
                $"{MadrsItem10} rose at {rises} consecutive MADRS assessments after treatment began: {path}{(skipped.Length == 0 ? "" : $" ({skipped})")}",
                ("item10", N(Item(run[^1], MadrsSuicideItem)!.Value)),
                ("sequence", string.Join(",", run.Select(a => N(Item(a, MadrsSuicideItem)!.Value)))),
                ("consecutiveRises", I(rises)));
        }
    }

    /// <summary>The MADRS assessments that answered item 10, in the order of <paramref name="madrs"/>.</summary>
    private static List<AssessmentFact> AnsweredItem10(IReadOnlyList<AssessmentFact> madrs) =>
        madrs.Where(a => Item(a, MadrsSuicideItem) is not null).ToList();

    /// <summary>
    /// "item 10 was not answered at …" for the MADRS assessments between <paramref name="from"/> and <paramref name="to"/>
    /// (both answered it) that were left out of the comparison, prefixed with <paramref name="prefix"/>; empty when none was.
    /// </summary>
    private static string SkippedItem10(IReadOnlyList<AssessmentFact> madrs, AssessmentFact from, AssessmentFact to, string prefix)
    {
        var between = madrs.Skip(IndexOf(madrs, from) + 1).Take(IndexOf(madrs, to) - IndexOf(madrs, from) - 1)
            .Where(a => Item(a, MadrsSuicideItem) is null)
            .Select(Where)
            .ToList();
        return between.Count == 0 ? "" : $"{prefix}item 10 was not answered at {string.Join(", ", between)}";
    }

    private static IEnumerable<AlertCandidate> EvaluateSaeReported(Context c, SafetyRuleSettings rule)
    {
        foreach (var ae in c.AdverseEvents.Where(ae => ae.Serious))
        {
            var criteria = ae.SeriousCriteria.Count == 0 ? "no criterion recorded" : string.Join(", ", ae.SeriousCriteria);
            yield return AdverseEventAlert(rule, ae,
                $"Serious adverse event '{ae.Term}', onset {D(ae.OnsetDate)} (criteria: {criteria}; severity {ae.Severity}; relatedness to study drug: {ae.Relatedness})",
                ("onsetDate", D(ae.OnsetDate)), ("seriousCriteria", string.Join(",", ae.SeriousCriteria)));
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateSaeClock(Context c, SafetyRuleSettings rule)
    {
        var hours = rule.Parameter("reportWithinHours");
        foreach (var ae in c.AdverseEvents.Where(ae => ae.Serious))
        {
            var clock = SaeDeadline.Compute(ae.AwareDate, ae.AwareUtc, c.SiteTimeZone, hours);
            var deadline = clock.DeadlineUtc;
            var values = new List<(string, string)> { ("awareDate", D(ae.AwareDate)), ("deadlineUtc", T(deadline)), ("reportWithinHours", N(hours)) };

            // Without the time of awareness the clock ran from the start of the aware date at the site, which a monitor
            // must be told: the deadline shown is earlier than the one the site may have had in mind.
            string aware;
            if (clock.AwarenessTimeRecorded)
            {
                values.Add(("awareUtc", T(clock.ClockStartUtc)));
                aware = $"the site became aware at {H(clock.ClockStartUtc)}, so the {N(hours)} h deadline was {H(deadline)}";
            }
            else
            {
                values.Add(("clockStartUtc", T(clock.ClockStartUtc)));
                values.Add(("siteTimeZone", c.SiteTimeZone.Id));
                aware = $"the site became aware on {D(ae.AwareDate)} and the time of awareness was not recorded, so the clock ran from the start of that day, "
                    + $"local time ({H(clock.ClockStartUtc)}): the {N(hours)} h deadline was {H(deadline)}";
            }

            if (ae.SponsorReportedUtc is { } reported)
            {
                // A late report stays late: reporting after the deadline does not make the breach go away.
                if (reported > deadline)
                {
                    values.Add(("sponsorReportedUtc", T(reported)));
                    yield return AdverseEventAlert(rule, ae,
                        $"Serious adverse event '{ae.Term}' was reported to the sponsor late, at {H(reported)}; {aware}",
                        [.. values]);
                }
            }
            else if (c.NowUtc >= deadline)
            {
                yield return AdverseEventAlert(rule, ae,
                    $"Serious adverse event '{ae.Term}' has not been reported to the sponsor; {aware}",
                    [.. values]);
            }
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateAesi(Context c, SafetyRuleSettings rule)
    {
        foreach (var ae in c.AdverseEvents)
        {
            if (string.IsNullOrWhiteSpace(ae.SpecialInterest))
            {
                continue;
            }

            yield return AdverseEventAlert(rule, ae,
                $"Adverse event of special interest ({ae.SpecialInterest.Replace('-', ' ')}): '{ae.Term}', onset {D(ae.OnsetDate)} (severity {ae.Severity}{(ae.Serious ? ", serious" : ", not serious")})",
                ("specialInterest", ae.SpecialInterest), ("onsetDate", D(ae.OnsetDate)));
        }
    }

    private static IEnumerable<AlertCandidate> EvaluateVisitMissed(Context c, SafetyRuleSettings rule)
    {
        foreach (var missed in c.MissedVisits)
        {
            var name = c.Protocol.FindVisit(missed.VisitCode) is { } visit ? $"{missed.VisitCode} ({visit.Name})" : missed.VisitCode;
            yield return new AlertCandidate(rule.Code, rule.Severity, SourceTypes.Visit, missed.VisitCode, missed.VisitCode,
                $"Visit {name} was missed: its window closed on {D(missed.WindowEnd)} with no visit recorded",
                ValuesOf(("windowEnd", D(missed.WindowEnd))));
        }
    }

    private static string MadrsItem10 => $"MADRS {ItemName(InstrumentCatalog.MadrsDefinition, MadrsSuicideItem)}";

    private static decimal? Item(AssessmentFact a, int number) => number >= 1 && number <= a.Items.Count ? a.Items[number - 1] : null;

    private static decimal? Score(AssessmentFact a, string key) => a.Scores.TryGetValue(key, out var value) ? value : null;

    /// <summary>
    /// The unrounded BSL-23 mean, or null when the Scorer reported none (too few items). Bands are cut on the unrounded
    /// mean, as the Scorer does, so the 4-decimal reported mean can never move a participant across a band edge.
    /// </summary>
    private static decimal? ExactBslMean(AssessmentFact a)
    {
        if (Score(a, "mean") is not { } reported)
        {
            return null;
        }

        var answered = a.Items.OfType<decimal>().ToList();
        return answered.Count == 0 ? reported : answered.Sum() / answered.Count;
    }

    private static int IndexOf(IReadOnlyList<AssessmentFact> list, AssessmentFact item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], item))
            {
                return i;
            }
        }

        return -1;
    }

    private static string ItemName(InstrumentDefinition d, int number)
    {
        var label = d.ItemLabels[number - 1];
        return label == $"Item {number}" ? $"item {number}" : $"item {number} ({label})";
    }

    private static string Where(AssessmentFact a) => Where(a.VisitCode, a.Timepoint);

    private static string Where(string visitCode, string? timepoint) => timepoint is null ? visitCode : $"{visitCode} {timepoint}";

    private static AlertCandidate AssessmentAlert(SafetyRuleSettings rule, AssessmentFact a, string message, params (string Key, string Value)[] values) =>
        new(rule.Code, rule.Severity, SourceTypes.Assessment, a.Id.ToString("N"), a.VisitCode, message, ValuesOf(values));

    private static AlertCandidate VitalsAlert(SafetyRuleSettings rule, VitalsFact v, string message, params (string Key, string Value)[] values) =>
        new(rule.Code, rule.Severity, SourceTypes.Vitals, v.Id.ToString("N"), v.VisitCode, message, ValuesOf(values));

    private static AlertCandidate AdverseEventAlert(SafetyRuleSettings rule, AdverseEventFact ae, string message, params (string Key, string Value)[] values) =>
        new(rule.Code, rule.Severity, SourceTypes.AdverseEvent, ae.Id.ToString("N"), null, message, ValuesOf(values));

    private static IReadOnlyDictionary<string, string> ValuesOf(params (string Key, string Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal).AsReadOnly();

    // Invariant culture and no trailing zeros, so a stored 4.0 reads "4" and a threshold of 1.2 × 25 reads "30".
    private static string N(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string D(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string T(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // Seconds only when there are any: a report one second late must not read as if made at the deadline.
    private static string H(DateTime utc) =>
        utc.ToString(utc.Second == 0 && utc.Millisecond == 0 ? "yyyy-MM-dd HH:mm 'UTC'" : "yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <param name="Code">The rule's stable code.</param>
    /// <param name="Evaluate">Its evaluator.</param>
    /// <param name="Parameters">The parameters it needs from its settings.</param>
    /// <param name="ItemsInstrument">The instrument whose items it lists (item rules), else null.</param>
    /// <param name="UsesTimepoints">Whether it watches the timepoints its settings list.</param>
    /// <param name="UsesPreTimepoint">Whether it compares with, or watches, the timepoint before the infusion.</param>
    /// <param name="Reads">What it compares a record with; its own record alone when null.</param>
    /// <param name="UsesMedicationClasses">Whether it restricts the medication classes its settings list.</param>
    private sealed record RuleSpec(
        string Code,
        Func<Context, SafetyRuleSettings, IEnumerable<AlertCandidate>> Evaluate,
        string[]? Parameters = null,
        string? ItemsInstrument = null,
        bool UsesTimepoints = false,
        bool UsesPreTimepoint = false,
        RuleReads? Reads = null,
        bool UsesMedicationClasses = false)
    {
        public string[] Parameters { get; } = Parameters ?? [];

        public RuleReads Reads { get; } = Reads ?? RuleReads.OwnRecord;

        public IEnumerable<string> Validate(SafetyRuleSettings rule, ProtocolDefinition p)
        {
            foreach (var name in Parameters.Where(n => !rule.Parameters.ContainsKey(n)))
            {
                yield return $"safety rule {Code} has no parameter '{name}'";
            }

            foreach (var name in rule.Parameters.Keys.Where(n => !Parameters.Contains(n)).Order(StringComparer.Ordinal))
            {
                yield return $"safety rule {Code} has parameter '{name}', which it does not use (it uses: {(Parameters.Length == 0 ? "none" : string.Join(", ", Parameters))})";
            }

            if (ItemsInstrument is null)
            {
                if (rule.Items.Count > 0) yield return $"safety rule {Code} lists items, which it does not use";
            }
            else
            {
                var d = InstrumentCatalog.Get(ItemsInstrument);
                if (rule.Items.Count == 0) yield return $"safety rule {Code} lists no items";
                foreach (var n in rule.Items.Where(n => n < 1 || n > d.ItemCount))
                    yield return $"safety rule {Code} names item {n}, but {d.Abbreviation} has items 1 to {d.ItemCount}";
            }

            if (!UsesTimepoints)
            {
                if (rule.Timepoints.Count > 0) yield return $"safety rule {Code} lists timepoints, which it does not use";
            }
            else
            {
                if (rule.Timepoints.Count == 0) yield return $"safety rule {Code} lists no timepoints";
                foreach (var tp in rule.Timepoints.Where(tp => !p.Timepoints.Contains(tp)))
                    yield return $"safety rule {Code} names unknown timepoint '{tp}'";
            }

            if (UsesPreTimepoint && !p.Timepoints.Contains(PreInfusionTimepoint))
            {
                yield return $"safety rule {Code} compares against the '{PreInfusionTimepoint}' timepoint, which the protocol does not define";
            }

            if (Code == SuicidalityEscalating && rule.Parameters.TryGetValue("consecutiveRises", out var rises) && (rises < 1 || rises != decimal.Truncate(rises)))
            {
                yield return $"safety rule {Code} parameter 'consecutiveRises' must be a whole number of at least 1";
            }

            if (Code == SaeClock && rule.Parameters.TryGetValue("reportWithinHours", out var hours) && hours <= 0)
            {
                yield return $"safety rule {Code} parameter 'reportWithinHours' must be positive";
            }

            if (Code == MadrsWorse && rule.Parameters.TryGetValue("minRatioToBaseline", out var ratio) && ratio <= 0)
            {
                yield return $"safety rule {Code} parameter 'minRatioToBaseline' must be positive";
            }

            // A rule that compares a timepoint with the one before the infusion cannot watch that timepoint itself.
            if (UsesTimepoints && UsesPreTimepoint && rule.Timepoints.Contains(PreInfusionTimepoint))
            {
                yield return $"safety rule {Code} compares with the '{PreInfusionTimepoint}' timepoint, so its timepoints cannot include it";
            }

            foreach (var (name, min, max) in ParameterRanges(Code))
            {
                if (rule.Parameters.TryGetValue(name, out var value) && (value < min || value > max))
                {
                    yield return $"safety rule {Code} parameter '{name}' must be between {N(min)} and {N(max)}; got {N(value)}";
                }
            }

            foreach (var problem in UsesMedicationClasses ? MedicationClassProblems(Code, rule) : rule.MedicationClasses.Count > 0 ? [$"safety rule {Code} lists medication classes, which it does not use"] : [])
            {
                yield return problem;
            }

            if (Code == StratumChanged && rule.Enabled && p.Design.Randomisation?.Strata.BaselineMadrsTotalCutoffs is not { Count: > 0 })
            {
                yield return $"safety rule {Code} is enabled, but the design does not stratify by the baseline MADRS total (design.randomisation.strata.baselineMadrsTotalCutoffs)";
            }
        }
    }

    /// <summary>
    /// The values the new rules' parameters may take: thresholds on a total within the scale's range, rises and margins of
    /// at least 0 (a margin of 0 keeps only the absolute threshold), blood pressures within what a cuff reads.
    /// </summary>
    private static IEnumerable<(string Name, decimal Min, decimal Max)> ParameterRanges(string code) => code switch
    {
        CadssPersist => [("totalAbove", 0, 92), ("minRiseOverPre", 0, 92)],
        VitalsBpRise => [("minSystolicRise", 1, 200), ("minDiastolicRise", 1, 200)],
        VitalsBpPredose => [("minSystolic", 50, 300), ("minDiastolic", 20, 200)],
        ConmedProhibited => [("hoursBeforeInfusion", 1, 168)],
        _ => [],
    };

    /// <summary>The participant's data sorted once into the orders the rules rely on, so the input order never matters.</summary>
    private sealed class Context
    {
        private readonly Dictionary<string, int> visitIndex = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> timepointIndex = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IReadOnlyList<AssessmentFact>> byInstrument = new(StringComparer.Ordinal);
        private readonly int firstInfusionIndex;
        private readonly string? firstInfusionCode;
        private readonly HashSet<string> baselineVisits;

        private readonly ParticipantSafetyData data;

        public Context(ProtocolDefinition protocol, ParticipantSafetyData data, DateTime nowUtc)
        {
            this.data = data;
            Protocol = protocol;
            NowUtc = nowUtc;
            Allocation = data.Allocation;
            SiteTimeZone = data.SiteTimeZone ?? throw new ArgumentException("The site's time zone is missing.", nameof(data));
            for (var i = 0; i < protocol.Visits.Count; i++) visitIndex.TryAdd(protocol.Visits[i].Code, i);
            for (var i = 0; i < protocol.Timepoints.Count; i++) timepointIndex.TryAdd(protocol.Timepoints[i], i);
            firstInfusionCode = protocol.InfusionVisits.FirstOrDefault()?.Code;
            firstInfusionIndex = firstInfusionCode is null ? -1 : visitIndex[firstInfusionCode];
            baselineVisits = protocol.Visits.Where(v => v.Kind == VisitKinds.Baseline).Select(v => v.Code).ToHashSet(StringComparer.Ordinal);

            // Chronological, then protocol order for entries with the same instant (e.g. times entered as whole days),
            // then id, so the same data always gives the same order whatever order the caller read it in.
            foreach (var group in data.Assessments.GroupBy(a => a.Instrument, StringComparer.Ordinal))
            {
                byInstrument[group.Key] = group
                    .OrderBy(a => a.AdministeredUtc)
                    .ThenBy(a => VisitIndex(a.VisitCode))
                    .ThenBy(a => TimepointIndex(a.Timepoint))
                    .ThenBy(a => a.Id)
                    .ToList()
                    .AsReadOnly();
            }

            Vitals = data.Vitals
                .OrderBy(v => VisitIndex(v.VisitCode)).ThenBy(v => TimepointIndex(v.Timepoint)).ThenBy(v => v.Id)
                .ToList();
            AdverseEvents = data.AdverseEvents.OrderBy(ae => ae.OnsetDate).ThenBy(ae => ae.Id).ToList();
            ConcomitantMedications = data.ConcomitantMedications.DistinctBy(m => m.Id).OrderBy(m => m.StartDate).ThenBy(m => m.Id).ToList();
            Infusions = data.Infusions.DistinctBy(i => i.Id).OrderBy(i => i.StartUtc).ThenBy(i => VisitIndex(i.VisitCode)).ThenBy(i => i.Id).ToList();

            // A visit is missed once; a duplicate fact must not make a second alert with the same source key.
            MissedVisits = data.MissedVisits
                .OrderBy(m => VisitIndex(m.VisitCode)).ThenBy(m => m.VisitCode, StringComparer.Ordinal).ThenBy(m => m.WindowEnd)
                .DistinctBy(m => m.VisitCode)
                .ToList();
        }

        public ProtocolDefinition Protocol { get; }

        public DateTime NowUtc { get; }

        public TimeZoneInfo SiteTimeZone { get; }

        public IReadOnlyList<VitalsFact> Vitals { get; }

        public IReadOnlyList<AdverseEventFact> AdverseEvents { get; }

        public IReadOnlyList<MissedVisitFact> MissedVisits { get; }

        /// <summary>The concomitant medications by start date.</summary>
        public IReadOnlyList<ConcomitantMedicationFact> ConcomitantMedications { get; }

        /// <summary>The infusions given, in the order they started.</summary>
        public IReadOnlyList<InfusionFact> Infusions { get; }

        public AllocationFact? Allocation { get; }

        public IReadOnlyList<AssessmentFact> Ordered(string instrument) =>
            byInstrument.TryGetValue(instrument, out var list) ? list : [];

        /// <summary>
        /// The data of <paramref name="original"/>'s instrument alone, with <paramref name="replacement"/> in its place: every rule
        /// on an assessment compares it only with assessments of its own instrument (and STRATUM_CHANGED with the allocation).
        /// </summary>
        public Context WithAssessmentReplaced(AssessmentFact original, AssessmentFact replacement) =>
            new(Protocol, data with
            {
                Assessments = [.. Ordered(original.Instrument).Select(a => ReferenceEquals(a, original) ? replacement : a)],
                Vitals = [],
                AdverseEvents = [],
                MissedVisits = [],
                ConcomitantMedications = [],
                Infusions = [],
            }, NowUtc);

        /// <summary>
        /// The rating before the infusion of <paramref name="a"/>'s visit that has the score <paramref name="scoreKey"/> (the
        /// latest of several), from <paramref name="ofInstrument"/>, the ordered assessments of <paramref name="a"/>'s instrument.
        /// </summary>
        public AssessmentFact? SameVisitPre(IReadOnlyList<AssessmentFact> ofInstrument, AssessmentFact a, string scoreKey) =>
            ofInstrument.LastOrDefault(p => p.VisitCode == a.VisitCode && p.Timepoint == PreInfusionTimepoint && p.Scores.ContainsKey(scoreKey));

        /// <summary>The vital signs taken before the infusion of a visit (one per visit and timepoint).</summary>
        public VitalsFact? PreInfusionVitals(string visitCode) =>
            Vitals.FirstOrDefault(v => v.VisitCode == visitCode && v.Timepoint == PreInfusionTimepoint);

        /// <summary>
        /// Whether a visit comes after the first infusion visit in protocol order. A visit code the protocol does not
        /// know (an unscheduled visit) counts as after: missing a worsening is worse than an extra alert.
        /// </summary>
        public bool IsAfterFirstInfusion(string visitCode) => VisitIndex(visitCode) > firstInfusionIndex;

        /// <summary>
        /// The reference assessment for "compared with baseline": the baseline visit's, else the first infusion's pre
        /// (the protocol's efficacy baseline). Only an assessment that has the score counts, and of several the latest,
        /// being closest to the start of treatment. Null when there is none, and then no comparison is made.
        /// <see cref="IncrementalReads.MayBeBaseline"/> must name the same candidates.
        /// </summary>
        public AssessmentFact? Baseline(string instrument, string scoreKey)
        {
            var scored = Ordered(instrument).Where(a => a.Scores.ContainsKey(scoreKey)).ToList();
            return scored.LastOrDefault(a => baselineVisits.Contains(a.VisitCode))
                ?? scored.LastOrDefault(a => a.VisitCode == firstInfusionCode && a.Timepoint == PreInfusionTimepoint);
        }


        private int VisitIndex(string visitCode) => visitIndex.TryGetValue(visitCode, out var i) ? i : int.MaxValue;

        // Visits without timepoints sort before any timepoint; an unknown timepoint sorts last.
        private int TimepointIndex(string? timepoint) =>
            timepoint is null ? -1 : timepointIndex.TryGetValue(timepoint, out var i) ? i : int.MaxValue;
    }
}
