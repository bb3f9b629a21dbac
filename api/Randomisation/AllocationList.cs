global using SequencePlace = Trial.Application.Randomisation.SequencePlace;
using Trial.Application.Randomisation;
using Trial.Core.Protocol;
using Trial.Db.Infrastructure;

namespace Trial.Api.Randomisation;

/// <summary>
/// The allocation list of a stratum as the randomisation list of the unblinded extracts reads it, from the secret the API
/// resolved: <see cref="AllocationPlaces"/>, where the places are read for GET /api/v1/randomisation/list too. (The place
/// type moved there with it; the alias above keeps its name for the extracts.)
/// </summary>
public static class AllocationList
{
    /// <inheritdoc cref="AllocationPlaces.PlacesAsync"/>
    public static Task<IReadOnlyList<SequencePlace>> PlacesAsync(DbSession c, ProtocolDefinition protocol, RandomisationSecret? secret, string stratum, int? places) =>
        AllocationPlaces.PlacesAsync(c, protocol, secret?.Sequences ?? ConcealedSequence.None, stratum, places);
}
