using System.Runtime.CompilerServices;
using Trial.Application.Randomisation;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;

namespace Trial.Extracts.Datasets;

public sealed class RandomisationListRow
{
    public string Stratum { get; set; } = "";
    public string Method { get; set; } = "";
    public SequencePlace Place { get; set; } = null!;
    public string? ArmName { get; set; }
}

/// <summary>
/// The randomisation list, for the unblinded statistician only: each stratum's allocation sequence as allocated so far
/// (its places up to the last one taken), regenerated from the secret or as imported, with the participant who took each
/// place; read where GET /api/v1/randomisation/list reads them (<see cref="AllocationPlaces"/>). Strata of the
/// extract's sites, in the protocol's order of strata.
/// </summary>
public sealed class RandomisationListDataset(ProtocolDefinition protocol, ConcealedSequence sequence) : ExtractDataset<RandomisationListRow>
{
    public override string Name => "randomisation-list";
    public override string Description => "Each stratum's allocation sequence as allocated so far, with the participant who took each place (unblinded only).";
    public override bool UnblindedOnly => true;

    public override IReadOnlyList<ExtractColumn<RandomisationListRow>> Columns { get; } =
    [
        Column<RandomisationListRow>.Text(ArmColumns.Stratum, "Randomisation stratum", r => r.Stratum,
            "The stratum: the site and the band of the baseline MADRS total (as STRATUM in the other datasets).", "Allocation.Stratum",
            allowed: "the protocol's strata (SITE/MADRS<35, SITE/MADRS>=35 in the default protocol)", unblindedOnly: true),
        Column<RandomisationListRow>.Integer("sequence_number", "Place in the stratum's sequence", r => r.Place.SequenceNumber,
            "1 for the stratum's first allocation, 2 for the next, and so on; every place up to the last one taken is listed.", "Allocation.SequenceNumber",
            unblindedOnly: true),
        Column<RandomisationListRow>.Text("method", "Randomisation method", r => r.Method,
            "permuted-blocks: the sequence regenerated from the study's secret; imported-list: the list the unblinded statistician imported.",
            "protocol file: design.randomisation.method", allowed: string.Join(", ", RandomisationMethods.All), unblindedOnly: true),
        Column<RandomisationListRow>.Integer("block_index", "Block", r => r.Place.BlockIndex,
            "The block of the place, 0 for the stratum's first (as GET /api/v1/randomisation/list). Empty for an imported list.", "derived: the allocation sequence",
            unblindedOnly: true),
        Column<RandomisationListRow>.Integer("block_size", "Block size", r => r.Place.BlockSize,
            "The size drawn for that block. Empty for an imported list.", "derived: the allocation sequence",
            allowed: "the protocol's block sizes (4, 6 in the default protocol)", unblindedOnly: true),
        Column<RandomisationListRow>.Integer("position_in_block", "Position in the block", r => r.Place.PositionInBlock,
            "1 for the first place of its block. Empty for an imported list.", "derived: the allocation sequence", unblindedOnly: true),
        Column<RandomisationListRow>.Text(ArmColumns.ArmCode, "Arm code", r => r.Place.Arm, "The arm the sequence gives this place.", "derived: the allocation sequence",
            allowed: "the protocol's arm codes (KET, MDZ in the default protocol)", unblindedOnly: true),
        Column<RandomisationListRow>.Text(ArmColumns.ArmName, "Arm", r => r.ArmName, "The name of that arm in the protocol.", "protocol file: design.arms[].name",
            unblindedOnly: true),
        Column<RandomisationListRow>.Text("participant_code", "Participant code", r => r.Place.TakenBy?.ParticipantCode,
            "The participant who took the place (see participants); places are taken in order, so every place listed was taken.",
            "Allocation.ParticipantId", unblindedOnly: true),
        Column<RandomisationListRow>.Text("site", "Site code", r => r.Place.TakenBy?.SiteCode, "That participant's site.", "Participant.SiteCode", unblindedOnly: true),
        Column<RandomisationListRow>.Integer(ArmColumns.RandomisationNumber, "Randomisation number", r => r.Place.TakenBy?.RandomisationNumber,
            "That participant's study-wide randomisation number.", "Allocation.RandomisationNumber", unblindedOnly: true),
        Column<RandomisationListRow>.Instant("randomised_utc", "Randomised", r => r.Place.TakenBy?.RandomisedUtc, "When that participant was randomised, UTC.",
            "Allocation.RandomisedUtc", unblindedOnly: true),
    ];

    protected override async IAsyncEnumerable<RandomisationListRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        var randomisation = protocol.Design.Randomisation;
        if (randomisation is null || !context.Audience.Unblinded) yield break;

        var sites = context.Filter.Sites ?? [.. context.Snapshot.SiteZones.Keys];
        var since = context.Filter.SinceUtc;
        var row = new RandomisationListRow { Method = randomisation.Method };
        foreach (var stratum in Strata.All(randomisation.Strata, sites))
        {
            ct.ThrowIfCancellationRequested();
            var places = await AllocationPlaces.PlacesAsync(context.Snapshot.Session, protocol, sequence, stratum, null);
            row.Stratum = stratum;
            foreach (var place in places)
            {
                // Incremental: the places taken since (nothing else in the list changes: it is append-only).
                if (since is { } from && !(place.TakenBy?.RandomisedUtc >= from)) continue;
                row.Place = place;
                row.ArmName = protocol.Design.FindArm(place.Arm)?.Name ?? place.Arm;
                yield return row;
            }
        }
    }
}
