using Trial.Api.Randomisation;
using Trial.Core.Protocol;
using Trial.Extracts;
using Trial.Extracts.Datasets;

namespace Trial.Api.Exports;

public static class ExportServices
{
    public static IServiceCollection AddExports(this IServiceCollection services) =>
        services.AddSingleton<AllocatedPlaces>(AllocatedPlacesOf).AddSingleton<ExtractCatalog>().AddSingleton<ExportRecording>().AddSingleton<PullExtract>();

    /// <summary>
    /// The randomisation list of the unblinded extracts, read through the code GET /api/v1/randomisation/list reads
    /// (<see cref="AllocationList"/>), so both list the same places.
    /// </summary>
    private static AllocatedPlaces AllocatedPlacesOf(IServiceProvider services)
    {
        var protocol = services.GetRequiredService<ProtocolDefinition>();
        var secret = services.GetRequiredService<RandomisationSecret>();
        return async (session, stratum) =>
            [.. (await AllocationList.PlacesAsync(session, protocol, secret, stratum, null))
                .Select(p => new RandomisationListPlace(p.SequenceNumber, p.BlockIndex, p.BlockSize, p.PositionInBlock, p.Arm, p.TakenBy))];
    }
}
