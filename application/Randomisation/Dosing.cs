using Trial.Core.Protocol;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Visits;

namespace Trial.Application.Randomisation;

/// <summary>What a dose is calculated for and from.</summary>
public static class Dosing
{
    /// <summary>The weight at the latest infusion recorded, else at enrolment: what the next dose is calculated for.</summary>
    public static async Task<decimal> LatestWeightAsync(Database db, ParticipantRow participant)
    {
        var infusions = await db.ReadAsync(c => InfusionAndVitalsQueries.InfusionsAsync(c, participant.Id));
        return infusions.Count == 0 ? participant.WeightKg : infusions.MaxBy(i => i.StartUtc)!.WeightKg;
    }

    /// <summary>The total dose of <paramref name="doseMgPerKg"/> for <paramref name="weightKg"/>, in mg to the decimals it is recorded with.</summary>
    public static decimal TotalDoseMg(decimal doseMgPerKg, decimal weightKg) =>
        Math.Round(doseMgPerKg * weightKg, RecordedDecimals.TotalDoseMg, MidpointRounding.AwayFromZero);
}
