using Trial.Core.Protocol;

namespace Trial.Core.Safety;

/// <summary>
/// What a safety rule compares a record with, besides the record itself: what must be read with a new record for the rule
/// to judge it as the evaluation of the whole participant would. Every rule declares it beside its evaluator
/// (<see cref="SafetyEngine.Declarations"/>); the evaluation of new records (<see cref="SafetyEngine.IncrementalReadsFor"/>),
/// the stored records it evaluates again with them and the job's reads all follow from these declarations.
/// </summary>
public abstract record RuleReads
{
    /// <summary>The record alone (and, for the SAE clock, the clock).</summary>
    public static readonly RuleReads OwnRecord = new Own();

    /// <summary>The participant's baseline of <paramref name="Instrument"/>: the baseline visits' assessment, else the first infusion's pre.</summary>
    public sealed record Baseline(string Instrument) : RuleReads;

    /// <summary>The rating of <paramref name="Instrument"/> before the infusion of the same visit.</summary>
    public sealed record PreInfusionRating(string Instrument) : RuleReads;

    /// <summary>
    /// Earlier assessments of <paramref name="Instrument"/> that answered item <paramref name="ItemNumber"/>, as many as
    /// <paramref name="Count"/> says for the rule's settings.
    /// </summary>
    public sealed record EarlierAnswering(string Instrument, int ItemNumber, Func<SafetyRuleSettings, int> Count) : RuleReads;

    /// <summary>The vital signs taken before the infusion of the same visit.</summary>
    public sealed record PreInfusionVitals : RuleReads;

    /// <summary>The participant's allocation (never its arm), for an assessment of <paramref name="Instrument"/> at the stratification visit.</summary>
    public sealed record Allocation(string Instrument) : RuleReads;

    /// <summary>
    /// The participant's concomitant medications and infusions, compared with each other: records the evaluation of new
    /// records is never given. Their writes ask for the whole participant's evaluation (a changed, not an added, record), and
    /// no new assessment, vital signs or adverse event changes such a rule's findings, so the evaluation of new records reads
    /// nothing more for it and leaves its alerts as they are.
    /// </summary>
    public sealed record MedicationsAndInfusions : RuleReads;

    private sealed record Own : RuleReads;
}
