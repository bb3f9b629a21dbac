using System.Globalization;
using Trial.Core.Instruments;
using Trial.Core.Protocol;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>
/// The values each decimal column is given, taken from the code that decides them: the instrument catalogue (item ranges
/// and decimals, how scores are computed and rounded), the limits of the protocols shipped, and the decimals measures are
/// recorded with (RecordedDecimals, which the use cases enforce).
/// </summary>
public static class DecimalDomains
{
    private static readonly ProtocolDefinition[] Protocols = [ProtocolLoader.LoadDefault(), ProtocolLoader.Load(ProtocolLoader.OpenLabelName)];

    public static Dictionary<string, DecimalDomain> All()
    {
        var weight = new DecimalDomain(Digits(Protocols.Max(p => p.Infusion.MaxWeightKg)), RecordedDecimals.WeightKg);
        var maxDose = Protocols.Max(p => Math.Max(p.Infusion.MaxDoseMgPerKg, p.Design.Arms.Select(a => a.DoseMgPerKg).DefaultIfEmpty(0).Max()));
        var dose = new DecimalDomain(Digits(maxDose), RecordedDecimals.DoseMgPerKg);
        // A preparation's total dose may be off the calculated one by the protocol's tolerance.
        var tolerance = Protocols.Max(p => p.Design.Preparation?.TotalDoseTolerancePercent ?? 0);
        var totalDose = new DecimalDomain(Digits(maxDose * Protocols.Max(p => p.Infusion.MaxWeightKg) * (100 + tolerance) / 100), RecordedDecimals.TotalDoseMg);
        var volume = new DecimalDomain(Digits(Protocols.Max(p => p.Design.Preparation?.VolumeMl ?? 0)), RecordedDecimals.VolumeMl);

        var instruments = InstrumentCatalog.All;
        var item = new DecimalDomain(instruments.Max(d => Digits(Largest(d))), instruments.Max(d => d.MaxDecimals));
        // A sum of every item at its largest; means and prorated sums are rounded to MeanDecimals.
        var score = new DecimalDomain(instruments.Max(d => Digits(d.ItemCount * Largest(d))), instruments.Max(d => Math.Max(d.MaxDecimals, InstrumentCatalog.MeanDecimals)));
        var madrs = InstrumentCatalog.MadrsDefinition;
        var madrsTotal = new DecimalDomain(Digits(madrs.ItemCount * Largest(madrs)), madrs.MaxDecimals);

        return new Dictionary<string, DecimalDomain>(StringComparer.Ordinal)
        {
            ["Participant.WeightKg"] = weight,
            ["Infusion.WeightKg"] = weight,
            ["Preparation.WeightKg"] = weight,
            ["Infusion.DoseMgPerKg"] = dose,
            ["Preparation.DoseMgPerKg"] = dose,
            ["Infusion.TotalDoseMg"] = totalDose,
            ["Preparation.TotalDoseMg"] = totalDose,
            ["Infusion.VolumeMl"] = volume,
            ["Preparation.VolumeMl"] = volume,
            ["AssessmentItem.Value"] = item,
            ["AssessmentScore.Value"] = score,
            ["Allocation.BaselineMadrsTotal"] = madrsTotal,
        };
    }

    private static decimal Largest(InstrumentDefinition d) => Math.Max(Math.Abs(d.MinValue), Math.Abs(d.MaxValue));

    /// <summary>The digits before the point.</summary>
    private static int Digits(decimal value) => Math.Truncate(Math.Abs(value)).ToString(CultureInfo.InvariantCulture).Length;
}
