using Trial.Core.Protocol;
using Trial.Db.Infrastructure;
using Trial.Db.Randomisation;

namespace Trial.Application.Randomisation;

/// <summary>
/// One place of a stratum's allocation sequence: its number, its block (permuted blocks; empty for an imported list), the
/// arm the sequence gives it, and the participant who took it (null while it is free).
/// </summary>
public sealed record SequencePlace(int SequenceNumber, int? BlockIndex, int? BlockSize, int? PositionInBlock, string Arm, ParticipantAllocation? TakenBy);

/// <summary>
/// The allocation list of a stratum as the unblinded statistician audits it: the sequence regenerated from the secret
/// (permuted blocks) or as imported, with the participant who took each place. GET /api/v1/randomisation/list
/// (<see cref="ReadAllocationSequence"/>) and the randomisation list of the unblinded extracts both read it here.
/// </summary>
public static class AllocationPlaces
{
    /// <summary>
    /// The stratum's first <paramref name="places"/> places, or, when null, its places as allocated so far (up to the
    /// last one taken), read in <paramref name="c"/>'s transaction.
    /// </summary>
    public static async Task<IReadOnlyList<SequencePlace>> PlacesAsync(
        DbSession c, ProtocolDefinition protocol, ConcealedSequence sequence, string stratum, int? places)
    {
        var randomisation = protocol.Design.Randomisation ?? throw new InvalidOperationException($"Protocol {protocol.ProtocolId} does not randomise.");
        var taken = (await RandomisationQueries.AllocationsOfStratumAsync(c, stratum)).ToDictionary(a => a.SequenceNumber);
        var count = places ?? (taken.Count == 0 ? 0 : taken.Keys.Max());
        if (count == 0) return [];
        return randomisation.Method == RandomisationMethods.PermutedBlocks
            ? [.. sequence.Of(protocol).Of(stratum).Take(count)
                .Select(s => new SequencePlace(s.SequenceNumber, s.BlockIndex, s.BlockSize, s.PositionInBlock, s.Arm, taken.GetValueOrDefault(s.SequenceNumber)))]
            : [.. (await RandomisationQueries.ListOfStratumAsync(c, stratum)).Take(count)
                .Select(e => new SequencePlace(e.SequenceNumber, null, null, null, e.Arm, taken.GetValueOrDefault(e.SequenceNumber)))];
    }
}
