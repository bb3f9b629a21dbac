using Trial.Core.Protocol;
using Trial.Db.Exports;
using Trial.Db.Randomisation;

namespace Trial.Api.Exports;

/// <summary>A participant's allocation as the unblinded extracts show it.</summary>
public sealed record ExtractAllocation(string ArmCode, string ArmName, string Stratum, int RandomisationNumber);

/// <summary>
/// Who is in which arm, as of the extract's snapshot, looked up by participant code as a dataset's rows go by. Read only
/// for an unblinded audience (see <see cref="ExportContext.AllocationsAsync"/>): a blinded extract never reads an arm.
/// </summary>
public sealed class ExtractAllocations
{
    public static readonly ExtractAllocations None = new(new Dictionary<string, ExtractAllocation>(StringComparer.Ordinal));

    private readonly IReadOnlyDictionary<string, ExtractAllocation> _byParticipant;
    // Rows come participant by participant, and every arm column of a row asks for the same participant: the last answer is kept.
    private Last? _last;

    private sealed record Last(string Code, ExtractAllocation? Allocation);

    private ExtractAllocations(IReadOnlyDictionary<string, ExtractAllocation> byParticipant) => _byParticipant = byParticipant;

    public int Count => _byParticipant.Count;

    /// <summary>The participant's allocation; null for a participant not (yet) randomised.</summary>
    public ExtractAllocation? Of(string? participantCode)
    {
        if (participantCode is null) return null;
        var last = _last;
        if (last is not null && string.Equals(last.Code, participantCode, StringComparison.Ordinal)) return last.Allocation;
        var found = _byParticipant.GetValueOrDefault(participantCode);
        _last = new Last(participantCode, found);
        return found;
    }

    /// <summary>The allocations of the filter's sites, through the snapshot's transaction.</summary>
    public static async Task<ExtractAllocations> ReadAsync(ExportSnapshot snapshot, ExportFilter filter, StudyDesign design)
    {
        var rows = await RandomisationQueries.AllocationsAsync(snapshot.Session, filter.Sites);
        return new ExtractAllocations(rows.ToDictionary(a => a.ParticipantCode,
            a => new ExtractAllocation(a.Arm, design.FindArm(a.Arm)?.Name ?? a.Arm, a.Stratum, a.RandomisationNumber), StringComparer.Ordinal));
    }
}

/// <summary>
/// The columns of a participant's allocation, declared once and added after its own columns to every dataset whose rows
/// belong to a participant, for an unblinded audience only (they are <c>unblindedOnly</c>): the arm's code and name, the
/// stratum and the randomisation number, empty for a participant not (yet) randomised.
/// </summary>
public static class ArmColumns
{
    public const string ArmCode = "ARMCD", ArmName = "ARM", Stratum = "STRATUM", RandomisationNumber = "RANDNO";

    public static IReadOnlyList<ExtractColumn<ExtractAllocation?>> Definitions { get; } =
    [
        Column<ExtractAllocation?>.Text(ArmCode, "Arm code", a => a?.ArmCode,
            "The arm the participant was randomised to (as SDTM's ARMCD). Empty when not randomised (yet). Unblinded extracts only.",
            "Allocation.Arm", allowed: "the protocol's arm codes (KET, MDZ in the default protocol)", unblindedOnly: true),
        Column<ExtractAllocation?>.Text(ArmName, "Arm", a => a?.ArmName,
            "The name of that arm in the protocol (as SDTM's ARM). Empty when not randomised (yet). Unblinded extracts only.",
            "protocol file: design.arms[].name", allowed: "the protocol's arm names (Ketamine, Midazolam (active placebo) in the default protocol)", unblindedOnly: true),
        Column<ExtractAllocation?>.Text(Stratum, "Randomisation stratum", a => a?.Stratum,
            "The stratum the participant was randomised in: the site and the band of the baseline MADRS total, as in the allocation list "
            + "(e.g. WAW/MADRS<35). Empty when not randomised (yet). Unblinded extracts only.",
            "Allocation.Stratum", allowed: "SITE/MADRS<35, SITE/MADRS>=35 in the default protocol (the protocol's strata)", unblindedOnly: true),
        Column<ExtractAllocation?>.Integer(RandomisationNumber, "Randomisation number", a => a?.RandomisationNumber,
            "The study-wide randomisation number, 1 for the first participant randomised. Empty when not randomised (yet). Unblinded extracts only.",
            "Allocation.RandomisationNumber", unblindedOnly: true),
    ];

    /// <summary>The arm columns of a dataset's rows: each row's participant looked up in the snapshot's allocations.</summary>
    public static IEnumerable<ExtractColumn<TRow>> For<TRow>(Func<TRow, string?> participant, ExtractAllocations allocations) =>
        Definitions.Select(c => c.Through<TRow>(r => allocations.Of(participant(r))));
}
