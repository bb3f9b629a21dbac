using System.Diagnostics.CodeAnalysis;

namespace Trial.Core.Instruments;

/// <summary>
/// The five instruments of the study, kept as data in this one file (facts from docs/scales.md).
/// A correction to an item list, range or band is a one-line change here; bump that definition's Version
/// with it, because every stored assessment records the version that scored it.
/// </summary>
public static class InstrumentCatalog
{
    public const string Madrs = "MADRS", Bsl23 = "BSL23", Cadss = "CADSS", Bprs = "BPRS", Asc5D = "ASC5D";

    /// <summary>Decimal places of every reported mean (midpoint away from zero); bands use the unrounded mean.</summary>
    public const int MeanDecimals = 4;

    // BSL-23 [P]: 90 % of 23 items. Shared by the completeness rule and the mean so a change stays one line.
    private const int Bsl23MinimumAnswered = 21;

    private static readonly string MeanRounding =
        $"Means are reported rounded to {MeanDecimals} decimal places (midpoint away from zero); severity is decided from the unrounded mean.";

    public static InstrumentDefinition MadrsDefinition { get; } = new(
        Code: Madrs,
        Rater: Raters.Investigator,
        Abbreviation: "MADRS",
        Name: "Montgomery–Åsberg Depression Rating Scale",
        Version: "MADRS-1.0",
        Source: "Montgomery SA, Åsberg M. A new depression scale designed to be sensitive to change. Br J Psychiatry 1979;134:382–389.",
        ItemCount: 10,
        MinValue: 0,
        MaxValue: 6,
        MaxDecimals: 0,
        ItemLabels:
        [
            "apparent sadness", "reported sadness", "inner tension", "reduced sleep", "reduced appetite",
            "concentration difficulties", "lassitude", "inability to feel", "pessimistic thoughts", "suicidal thoughts",
        ],
        Scores: [Sum("total", "total", AllItems(10))],
        MinimumAnswered: 10,
        SeverityScoreKey: "total",
        SeverityBands: [new(0, "normal"), new(7, "mild"), new(20, "moderate"), new(35, "severe")],
        ScoringDescription: "Total = sum of the 10 items (0–60), computed only when all 10 are present; severity band from the total.",
        ProvisionalNotes:
        [
            "Missing items: the scale defines no prorating, so the total is computed only when all 10 items are present; otherwise the assessment is incomplete with no total (project rule).",
        ]);

    public static InstrumentDefinition Bsl23Definition { get; } = new(
        Code: Bsl23,
        Rater: Raters.StudySubject,
        Abbreviation: "BSL-23",
        Name: "Borderline Symptom List, short form",
        Version: "BSL23-1.1",
        Source: "Bohus M et al. The short version of the Borderline Symptom List (BSL-23). Psychopathology 2009;42:32–39. Severity bands: Kleindienst N et al. 2020.",
        ItemCount: 23,
        MinValue: 0,
        MaxValue: 4,
        MaxDecimals: 0,
        ItemLabels: Labels(23,
            (5, "thought of hurting myself"),
            (7, "didn't believe in my right to live"),
            (15, "voices"),
            (18, "the idea of death had a certain fascination"),
            (22, "felt far away from myself")),
        Scores:
        [
            Mean("mean", "mean of answered items", AllItems(23), minimumAnswered: Bsl23MinimumAnswered),
            ProratedSum("sum", "sum (prorated to 23 items)", AllItems(23), minimumAnswered: Bsl23MinimumAnswered),
        ],
        MinimumAnswered: Bsl23MinimumAnswered,
        SeverityScoreKey: "mean",
        SeverityBands:
        [
            new(0m, "none/low"), new(0.28m, "mild"), new(1.07m, "moderate"),
            new(1.87m, "high"), new(2.67m, "very high"), new(3.47m, "extremely high"),
        ],
        ScoringDescription: $"Score = mean of the answered items (0–4), reported when at least {Bsl23MinimumAnswered} of 23 items are answered; "
            + $"the sum (0–92) is reported under the same rule, as the sum of the answered items prorated to 23 items (mean × 23), "
            + "so with all 23 answered it is the plain sum. Severity band from the mean, each band's lower bound inclusive. "
            + $"Means and the prorated sum are reported rounded to {MeanDecimals} decimal places (midpoint away from zero); severity is decided from the unrounded mean.",
        ProvisionalNotes:
        [
            $"The mean is reported when at least {Bsl23MinimumAnswered} of 23 items are answered; with fewer the assessment is incomplete (project rule).",
            $"The sum is reported whenever the mean is (at least {Bsl23MinimumAnswered} of 23 answered), prorated to 23 items as mean × 23, so it equals the plain sum only when all 23 are answered (project rule).",
            "Severity band lower bounds are taken as inclusive (project reading of Kleindienst et al. 2020).",
        ]);

    public static InstrumentDefinition CadssDefinition { get; } = new(
        Code: Cadss,
        Rater: Raters.Investigator,
        Abbreviation: "CADSS",
        Name: "Clinician-Administered Dissociative States Scale (23-item version)",
        Version: "CADSS-1.1",
        Source: "Bremner JD et al. Measurement of dissociative states with the Clinician-Administered Dissociative States Scale (CADSS). J Trauma Stress 1998;11:125–136.",
        ItemCount: 23,
        MinValue: 0,
        MaxValue: 4,
        MaxDecimals: 0,
        ItemLabels: Labels(23),
        Scores:
        [
            Sum("total", "total", AllItems(23)),
            Sum("depersonalization", "depersonalization", [3, 4, 5, 6, 7, 20, 21]),
            Sum("derealization", "derealization", [1, 2, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19]),
            Sum("amnesia", "amnesia", [14, 15, 22, 23]),
        ],
        MinimumAnswered: 23,
        SeverityScoreKey: null,
        SeverityBands: [],
        ScoringDescription: "Total = sum of the 23 items (0–92), computed only when all 23 items are present. Each subscale = sum of its own items, "
            + "computed when all of its own items are present, whatever is missing elsewhere. Time frame: right now.",
        ProvisionalNotes:
        [
            "The item lists of the depersonalization, derealization and amnesia subscales are not confirmed against the primary source.",
            "A subscale is computed when all of its own items are present, even if items of other subscales are missing (project rule).",
        ]);

    public static InstrumentDefinition BprsDefinition { get; } = new(
        Code: Bprs,
        Rater: Raters.Investigator,
        Abbreviation: "BPRS",
        Name: "Brief Psychiatric Rating Scale (18 items)",
        Version: "BPRS-1.1",
        Source: "Overall JE, Gorham DR. The Brief Psychiatric Rating Scale. Psychol Rep 1962;10:799–812.",
        ItemCount: 18,
        MinValue: 1,
        MaxValue: 7,
        MaxDecimals: 0,
        ItemLabels:
        [
            "somatic concern", "anxiety", "emotional withdrawal", "conceptual disorganisation", "guilt feelings",
            "tension", "mannerisms/posturing", "grandiosity", "depressive mood", "hostility",
            "suspiciousness", "hallucinatory behaviour", "motor retardation", "uncooperativeness", "unusual thought content",
            "blunted affect", "excitement", "disorientation",
        ],
        Scores:
        [
            Sum("total", "total", AllItems(18)),
            Sum("positive", "positive symptoms (BPRS+)", [4, 11, 12, 15]),
        ],
        MinimumAnswered: 18,
        SeverityScoreKey: null,
        SeverityBands: [],
        ScoringDescription: "Items are stored on the 1–7 scale (1 not present … 7 extremely severe), not rescaled to 0–6 as some trials do. "
            + "Total = sum (18–126), computed only when all 18 items are present; positive-symptom subscale BPRS+ = sum of items 4, 11, 12 and 15 (4–28), "
            + "computed when those 4 items are present, whatever is missing elsewhere.",
        ProvisionalNotes:
        [
            "BPRS+ is computed when its 4 items are present, even if other items are missing (project rule).",
        ]);

    public static InstrumentDefinition Asc5DDefinition { get; } = new(
        Code: Asc5D,
        Rater: Raters.StudySubject,
        Abbreviation: "5D-ASC",
        Name: "Altered States of Consciousness rating scale (5D-ASC)",
        Version: "ASC5D-1.0",
        Source: "Dittrich A. The standardized psychometric assessment of altered states of consciousness (ASCs) in humans. Pharmacopsychiatry 1998;31 Suppl 2:80–84. 11-ASC scales: Studerus E, Gamma A, Vollenweider FX. PLoS One 2010;5:e12412.",
        ItemCount: 94,
        MinValue: 0,
        MaxValue: 100,
        MaxDecimals: 1,
        ItemLabels: Labels(94),
        Scores:
        [
            Mean("OB", "oceanic boundlessness", [1, 3, 9, 12, 16, 18, 26, 34, 35, 36, 40, 41, 42, 45, 50, 52, 57, 62, 63, 69, 71, 73, 81, 86, 87, 91, 94]),
            Mean("DED", "dread of ego dissolution", [6, 8, 21, 27, 32, 38, 43, 44, 46, 47, 53, 56, 60, 64, 67, 78, 79, 80, 85, 88, 89]),
            Mean("VR", "visionary restructuralization", [7, 14, 20, 22, 23, 28, 31, 33, 39, 54, 58, 70, 72, 75, 77, 82, 83, 90]),
            Mean("AA", "auditory alterations", [4, 5, 11, 13, 19, 25, 30, 48, 49, 55, 65, 66, 74, 76, 92, 93]),
            Mean("VIR", "vigilance reduction", [2, 10, 15, 17, 24, 29, 37, 51, 59, 61, 68, 84]),
            Mean("unity", "experience of unity", [18, 34, 41, 42, 52]),
            Mean("spiritualExperience", "spiritual experience", [9, 81, 94]),
            Mean("blissfulState", "blissful state", [12, 86, 91]),
            Mean("insightfulness", "insightfulness", [50, 69, 77]),
            Mean("disembodiment", "disembodiment", [26, 62, 63]),
            Mean("impairedControlCognition", "impaired control and cognition", [8, 27, 38, 47, 64, 67, 78]),
            Mean("anxiety", "anxiety", [32, 43, 44, 46, 56, 89]),
            Mean("complexImagery", "complex imagery", [39, 72, 82]),
            Mean("elementaryImagery", "elementary imagery", [14, 22, 33]),
            Mean("audioVisualSynesthesia", "audio-visual synesthesia", [20, 23, 75]),
            Mean("changedMeaningOfPercepts", "changed meaning of percepts", [28, 31, 54]),
        ],
        MinimumAnswered: 94,
        SeverityScoreKey: null,
        SeverityBands: [],
        ScoringDescription: "Items are visual-analogue ratings 0–100 with at most one decimal. Each of the 5 dimensions and 11 lower-order scales = mean of its items (% of scale maximum), "
            + "reported only when all its items are present; the assessment is complete when all 94 items are present. " + MeanRounding,
        ProvisionalNotes:
        [
            "A dimension or scale is reported only when all its items are present (project rule).",
            "Complex imagery uses items 39, 72, 82; one source lists item 79 instead of 72.",
        ]);

    public static IReadOnlyList<InstrumentDefinition> All { get; } =
        [MadrsDefinition, Bsl23Definition, CadssDefinition, BprsDefinition, Asc5DDefinition];

    /// <summary>Finds a definition by its code; codes are case-sensitive so stored data has one spelling.</summary>
    public static bool TryGet(string code, [MaybeNullWhen(false)] out InstrumentDefinition definition)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Code, code, StringComparison.Ordinal))
            {
                definition = candidate;
                return true;
            }
        }

        definition = null;
        return false;
    }

    public static InstrumentDefinition Get(string code) =>
        TryGet(code, out var definition)
            ? definition
            : throw new ArgumentException($"Unknown instrument '{code}'. Known instruments: {string.Join(", ", All.Select(d => d.Code))}.", nameof(code));

    private static ScoreRule Sum(string key, string name, int[] items) =>
        new(key, name, ScoreMethod.Sum, items, items.Length);

    private static ScoreRule ProratedSum(string key, string name, int[] items, int minimumAnswered) =>
        new(key, name, ScoreMethod.ProratedSum, items, minimumAnswered);

    private static ScoreRule Mean(string key, string name, int[] items, int? minimumAnswered = null) =>
        new(key, name, ScoreMethod.Mean, items, minimumAnswered ?? items.Length);

    private static int[] AllItems(int count) => Enumerable.Range(1, count).ToArray();

    // Items the domain notes do not name are labelled "Item N" so every item still has a label to show.
    private static string[] Labels(int count, params (int Item, string Label)[] named)
    {
        var labels = Enumerable.Range(1, count).Select(n => $"Item {n}").ToArray();
        foreach (var (item, label) in named)
        {
            labels[item - 1] = label;
        }

        return labels;
    }
}
