using Trial.Core.Protocol;
using Trial.Db.Randomisation;
using Trial.Extracts.Reading;

namespace Trial.Extracts;

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
