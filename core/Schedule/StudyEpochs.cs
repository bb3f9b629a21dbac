using Trial.Core.Protocol;

namespace Trial.Core.Schedule;

/// <summary>
/// The parts of the study a record falls in, as SDTM's EPOCH names them: SCREENING before the first dose, TREATMENT from the
/// first infusion to the end of the infusions, FOLLOW-UP after it. One derivation for every extract that shows an epoch.
/// </summary>
public static class StudyEpochs
{
    public const string Screening = "SCREENING", Treatment = "TREATMENT", FollowUp = "FOLLOW-UP";

    public static readonly IReadOnlyList<string> All = [Screening, Treatment, FollowUp];

    /// <summary>
    /// The epoch of a record dated <paramref name="date"/>: SCREENING when it came before the first dose (<paramref name="beforeFirstDose"/>:
    /// a pre-dose rating on the first infusion's own date is still screening), when there is no first infusion yet or it is dated
    /// before it; FOLLOW-UP when dated after the end of the infusions; TREATMENT otherwise.
    /// </summary>
    public static string Of(DateOnly date, DateOnly? firstInfusion, DateOnly? treatmentEnded, bool beforeFirstDose = false) =>
        beforeFirstDose || firstInfusion is not { } first || date < first ? Screening
        : treatmentEnded is { } ended && date > ended ? FollowUp
        : Treatment;

    /// <summary>
    /// When the infusions ended: the date they were stopped (the site's record wins), else the last infusion of the plan's date
    /// when it was given, else the withdrawal date of a participant who left after the first infusion; null while infusions go on.
    /// </summary>
    public static DateOnly? TreatmentEnded(DateOnly? firstInfusion, DateOnly? discontinued, DateOnly? lastPlannedInfusion, DateOnly? withdrawn) =>
        discontinued ?? lastPlannedInfusion ?? (firstInfusion is null ? null : withdrawn);
}

/// <summary>
/// Where the first dose falls in the visit plan: every visit before the first infusion visit, and that visit's first timepoint
/// (pre), come before any drug was given. Decided on the plan, not on clock times, so a pre-dose rating is one whatever time
/// it was entered with.
/// </summary>
public sealed class FirstDose
{
    private readonly Dictionary<string, int> _order;
    private readonly int _firstInfusion;

    public FirstDose(ProtocolDefinition protocol)
    {
        _order = protocol.Visits.Select((v, i) => (v.Code, i)).ToDictionary(v => v.Code, v => v.i, StringComparer.Ordinal);
        var visit = protocol.InfusionVisits.FirstOrDefault(v => v.Anchor is null) ?? protocol.InfusionVisits.FirstOrDefault();
        Visit = visit?.Code;
        _firstInfusion = visit is null ? int.MaxValue : _order[visit.Code];
        PreDoseTimepoint = protocol.Timepoints.FirstOrDefault();
    }

    /// <summary>The first infusion visit (INF1).</summary>
    public string? Visit { get; }

    /// <summary>The infusion visits' timepoint before the drug (pre).</summary>
    public string? PreDoseTimepoint { get; }

    /// <summary>Whether a record of <paramref name="visitCode"/> at <paramref name="timepoint"/> was made before the first dose; a visit the plan does not know is not.</summary>
    public bool IsBefore(string visitCode, string? timepoint) =>
        _order.TryGetValue(visitCode, out var index)
        && (index < _firstInfusion || index == _firstInfusion && (timepoint is null || timepoint == PreDoseTimepoint));
}
