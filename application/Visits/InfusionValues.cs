namespace Trial.Application.Visits;

/// <summary>
/// An infusion as the investigator enters it. Open-label protocols: <c>DoseMgPerKg</c> (the total dose is computed).
/// Blinded protocols: <c>PreparationId</c> (the pharmacy's label on the syringe given) and <c>VolumeMl</c> infused, never
/// the dose, which the blinded investigator does not know. Instants must state their time zone.
/// </summary>
public sealed record InfusionValues(
    decimal? WeightKg, decimal? DoseMgPerKg, string? Route, DateTime? StartUtc, DateTime? EndUtc, string? Reason, string? PreparationId = null, decimal? VolumeMl = null);

/// <summary>A checked infusion: a dose (open-label) or a preparation and volume (blinded).</summary>
public sealed record CheckedInfusion(decimal WeightKg, decimal? DoseMgPerKg, string? PreparationId, decimal? VolumeMl, string Route, DateTime StartUtc,
    DateTime EndUtc, string? Reason);
