using System.Text.RegularExpressions;
using Trial.Core.Randomisation;

namespace Trial.Core.Protocol;

/// <summary>
/// Problems with the design section of a protocol file. A blinded study that could leak its arms, or a randomisation
/// that could not balance its blocks, must stop the system at start, not be discovered at the first participant.
/// </summary>
internal static partial class DesignValidation
{
    /// <summary>The MADRS total runs from 0 to 60.</summary>
    private const int MadrsMaxTotal = 60;

    [GeneratedRegex("^[A-Z][A-Z0-9]{1,9}$")]
    private static partial Regex ArmCodePattern();

    public static IEnumerable<string> Problems(ProtocolDefinition p)
    {
        var d = p.Design;
        if (!BlindingLevels.All.Contains(d.Blinding))
            yield return $"design.blinding '{d.Blinding}' is unknown (expected one of {string.Join(", ", BlindingLevels.All)})";

        var codes = new HashSet<string>();
        foreach (var arm in d.Arms)
        {
            // A file may leave out a required field; the deserializer then still hands over the record.
            if (arm.Code is null || !ArmCodePattern().IsMatch(arm.Code))
                yield return $"design arm code '{arm.Code}' must be 2 to 10 capital letters or digits, starting with a letter (e.g. KET)";
            else if (!codes.Add(arm.Code)) yield return $"design arm {arm.Code} is defined twice";
            if (string.IsNullOrWhiteSpace(arm.Name)) yield return $"design arm {arm.Code} has no name";
            if (string.IsNullOrWhiteSpace(arm.Drug)) yield return $"design arm {arm.Code} has no drug";
            if (arm.AllocationRatio < 1) yield return $"design arm {arm.Code} must have an allocationRatio of 1 or more";
            if (arm.DoseMgPerKg < p.Infusion.MinDoseMgPerKg || arm.DoseMgPerKg > p.Infusion.MaxDoseMgPerKg)
                yield return $"design arm {arm.Code} dose {arm.DoseMgPerKg} mg/kg is outside the infusion dose limits ({p.Infusion.MinDoseMgPerKg}–{p.Infusion.MaxDoseMgPerKg} mg/kg)";
        }
        if (codes.Contains(BlindingGuesses.DontKnow.ToUpperInvariant()))
            yield return $"design arm code {BlindingGuesses.DontKnow.ToUpperInvariant()} would be confused with the guess \"{BlindingGuesses.DontKnow}\"";

        var unblindedRule = p.FindRule(EmergencyUnblinding.AlertRule);
        if (d.IsBlinded)
        {
            if (d.Arms.Count < 2) yield return "a blinded design needs at least two arms";
            if (d.Randomisation is null) yield return "a blinded design needs a randomisation section";
            if (d.Preparation is null) yield return "a blinded design needs a preparation section (the pharmacy prepares every infusion)";
            if (unblindedRule is null || !unblindedRule.Enabled)
                yield return $"a blinded design must list the safety rule {EmergencyUnblinding.AlertRule}, enabled: every emergency unblinding is reported to the monitors";
        }
        else
        {
            if (d.Randomisation is not null) yield return "an open-label design does not randomise (remove design.randomisation or make the design blinded)";
            if (d.Arms.Count > 1) yield return "an open-label design has at most one arm";
            if (d.Preparation is not null) yield return "an open-label design has no pharmacy preparation (the investigator records the dose)";
            if (d.BlindingGuessVisits.Count > 0) yield return "an open-label design has nothing to guess (remove design.blindingGuessVisits)";
            if (unblindedRule is not null) yield return $"safety rule {EmergencyUnblinding.AlertRule} applies only to blinded designs";
        }

        if (d.Randomisation is { } r)
        {
            if (!RandomisationMethods.All.Contains(r.Method))
                yield return $"design.randomisation.method '{r.Method}' is unknown (expected one of {string.Join(", ", RandomisationMethods.All)})";
            var ratioSum = d.Arms.Sum(a => Math.Max(1, a.AllocationRatio));
            if (r.Method == RandomisationMethods.PermutedBlocks)
            {
                if (r.BlockSizes.Count == 0) yield return "design.randomisation.blockSizes is empty";
                foreach (var size in r.BlockSizes.Where(s => s <= 0 || s % ratioSum != 0))
                    yield return $"design.randomisation block size {size} is not a positive multiple of the sum of the allocation ratios ({ratioSum}), so its arms could not balance";
                if (r.BlockSizes.Count != r.BlockSizes.Distinct().Count()) yield return "design.randomisation.blockSizes lists a size twice";
            }
            var cutoffs = r.Strata.BaselineMadrsTotalCutoffs;
            if (cutoffs.Any(c => c <= 0 || c > MadrsMaxTotal))
                yield return $"design.randomisation.strata.baselineMadrsTotalCutoffs must lie between 1 and {MadrsMaxTotal} (the MADRS total runs from 0 to {MadrsMaxTotal})";
            if (cutoffs.Zip(cutoffs.Skip(1)).Any(pair => pair.Second <= pair.First))
                yield return "design.randomisation.strata.baselineMadrsTotalCutoffs must be in increasing order";
            if (cutoffs.Count > 0 && p.Visits.All(v => v.Kind != VisitKinds.Baseline))
                yield return "strata by the baseline MADRS total need a baseline visit";
        }

        if (d.Preparation is { } prep)
        {
            if (prep.VolumeMl <= 0) yield return "design.preparation.volumeMl must be positive";
            if (prep.TotalDoseTolerancePercent is < 0 or > 50) yield return "design.preparation.totalDoseTolerancePercent must be between 0 and 50";
            if (prep.WeightTolerancePercent is < 0 or > 50) yield return "design.preparation.weightTolerancePercent must be between 0 and 50";
        }

        foreach (var problem in GuessVisitProblems(p)) yield return problem;
    }

    // A guess follows an infusion and is counted with the guesses made after as many infusions; a visit before any
    // infusion has nothing to guess from, and a visit listed twice would ask for the same guess twice.
    private static IEnumerable<string> GuessVisitProblems(ProtocolDefinition p)
    {
        var visits = p.Design.BlindingGuessVisits;
        var firstInfusion = p.Visits.ToList().FindIndex(v => v.Kind == VisitKinds.Infusion);
        foreach (var visit in visits)
        {
            if (string.IsNullOrWhiteSpace(visit))
            {
                yield return "design.blindingGuessVisits lists an empty visit code";
                continue;
            }
            if (visit == ProtocolDefinition.LastInfusionAnchor)
            {
                if (firstInfusion < 0) yield return $"design.blindingGuessVisits lists {ProtocolDefinition.LastInfusionAnchor}, but the protocol has no infusion visit";
                continue;
            }
            var position = p.Visits.ToList().FindIndex(v => v.Code == visit);
            if (position < 0)
                yield return $"design.blindingGuessVisits names unknown visit '{visit}' (expected a visit code of the protocol or {ProtocolDefinition.LastInfusionAnchor})";
            else if (firstInfusion < 0 || position < firstInfusion)
                yield return $"design.blindingGuessVisits names visit '{visit}', which comes before any infusion: a guess follows an infusion";
        }
        foreach (var twice in visits.Where(v => !string.IsNullOrWhiteSpace(v)).GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1))
            yield return $"design.blindingGuessVisits lists '{twice.Key}' twice";
    }
}
