using Trial.Db.Infrastructure;
using Trial.Db.Randomisation;

namespace Trial.Extracts.Datasets;

/// <summary>
/// One place of a stratum's allocation sequence as the randomisation list shows it: its number, its block (permuted
/// blocks; empty for an imported list), the arm the sequence gives it, and the participant who took it (null while it is free).
/// </summary>
public sealed record RandomisationListPlace(int SequenceNumber, int? BlockIndex, int? BlockSize, int? PositionInBlock, string Arm, ParticipantAllocation? TakenBy);

/// <summary>
/// The places of a stratum's allocation sequence as allocated so far (up to the last one taken), read through
/// <paramref name="session"/>, the extract's snapshot. The host gives the code GET /api/v1/randomisation/list reads
/// (regenerated from the secret, or as imported), so the extract and the endpoint list the same places.
/// </summary>
public delegate Task<IReadOnlyList<RandomisationListPlace>> AllocatedPlaces(DbSession session, string stratum);
