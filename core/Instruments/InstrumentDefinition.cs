namespace Trial.Core.Instruments;

/// <summary>
/// One rating scale as data: what its items are, which values they accept and how they are scored.
/// Scoring and validation read only this record, so correcting a definition never touches code.
/// </summary>
/// <param name="Code">Stable identifier used in the API and the database (e.g. "MADRS", "BSL23").</param>
/// <param name="Abbreviation">The name clinicians use in messages (e.g. "BSL-23", "5D-ASC").</param>
/// <param name="Name">Full name of the scale.</param>
/// <param name="Version">Version of this definition, stored with every assessment scored under it.</param>
/// <param name="Source">Citation of the published source(s).</param>
/// <param name="ItemCount">Number of items; an assessment always carries exactly this many slots.</param>
/// <param name="MinValue">Lowest allowed item value.</param>
/// <param name="MaxValue">Highest allowed item value.</param>
/// <param name="MaxDecimals">0 for whole-number items; 1 for items with at most one decimal place.</param>
/// <param name="ItemLabels">Label of item N at index N-1.</param>
/// <param name="Scores">The scores reported, in reporting order.</param>
/// <param name="MinimumAnswered">Answered items needed for the assessment to count as complete. Completeness is reported
/// with the scores but does not gate them: each score stands on its own items (see <see cref="ScoreRule.MinimumAnswered"/>).</param>
/// <param name="SeverityScoreKey">Score whose unrounded value picks the severity band; null when the scale has no bands.</param>
/// <param name="SeverityBands">Bands in ascending order of lower bound.</param>
/// <param name="ScoringDescription">Plain-language scoring rules for the API's instrument description.</param>
/// <param name="ProvisionalNotes">One entry per rule not checked against the primary source.</param>
/// <param name="Rater">Who rates: the clinician or the participant (<see cref="Raters"/>, as SDTM's QSEVAL names them).</param>
public sealed record InstrumentDefinition(
    string Code,
    string Abbreviation,
    string Name,
    string Version,
    string Source,
    int ItemCount,
    decimal MinValue,
    decimal MaxValue,
    int MaxDecimals,
    IReadOnlyList<string> ItemLabels,
    IReadOnlyList<ScoreRule> Scores,
    int MinimumAnswered,
    string? SeverityScoreKey,
    IReadOnlyList<SeverityBand> SeverityBands,
    string ScoringDescription,
    IReadOnlyList<string> ProvisionalNotes,
    string Rater);

/// <summary>Who fills in a scale, in CDISC's evaluator terms (QSEVAL): a clinician-rated scale's investigator, or the participant for a self-rated one.</summary>
public static class Raters
{
    public const string Investigator = "INVESTIGATOR", StudySubject = "STUDY SUBJECT";

    public static readonly IReadOnlyList<string> All = [Investigator, StudySubject];
}

/// <summary>How a score combines its items.</summary>
public enum ScoreMethod
{
    Sum,
    Mean,

    /// <summary>
    /// The mean of the answered items scaled to all of the score's items (mean × item count), so an assessment with a
    /// few items missing reports a sum on the same scale as a fully answered one; with every item answered it is the
    /// plain sum. Rounded like a mean.
    /// </summary>
    ProratedSum,
}

/// <summary>
/// One reported score: the items it combines (1-based) and how many of its own items must be answered for it to be
/// reported at all. Items outside <paramref name="Items"/> never matter, so a gap elsewhere in the scale (e.g. BPRS
/// item 2) cannot hide a subscale (BPRS+) from the safety rules; a total lists every item and so needs every item.
/// </summary>
public sealed record ScoreRule(string Key, string Name, ScoreMethod Method, IReadOnlyList<int> Items, int MinimumAnswered);

/// <summary>A severity band; it starts at <paramref name="LowerBound"/> (inclusive) and ends where the next band starts.</summary>
public sealed record SeverityBand(decimal LowerBound, string Name);
