using Trial.Core.Medications;
using Trial.Core.Protocol;
using Trial.Core.Sites;

namespace Trial.Core.Safety;

/// <summary>
/// CONMED_PROHIBITED: a concomitant medication of a class the protocol restricts ([P], the rule's medication classes in the
/// protocol file), taken when the protocol forbids it.
/// <list type="bullet">
/// <item><c>before-infusion</c> (benzodiazepines): the medication's dates overlap the <c>hoursBeforeInfusion</c> before an
/// infusion's start. A medication has dates (whole days at the site), an infusion an instant, so a medication counts when
/// it was taken on any site-local date that the window touches: from the date of (start − hours) to the date of the start.
/// With 24 hours that is the day before the infusion and the infusion day itself, even when it was taken after the
/// infusion that day (the dates cannot tell). An ongoing medication has no end.</item>
/// <item><c>new-during-infusion-phase</c> (antidepressants, ECT): the medication started during the infusion phase, from the
/// site-local date of the first infusion given to that of the last one given, both included. The phase grows as infusions
/// are given: one started after the latest infusion so far counts once the next infusion is recorded. One started before
/// the first infusion and continued is not new.</item>
/// </list>
/// A medication belongs to a class when its ATC code starts with one of the class's prefixes, or its name contains one of
/// the class's names as whole words, ignoring case. One alert per medication, naming the medication and the infusions.
/// </summary>
public static partial class SafetyEngine
{
    private static IEnumerable<AlertCandidate> EvaluateConmedProhibited(Context c, SafetyRuleSettings rule)
    {
        if (c.Infusions.Count == 0)
        {
            yield break;
        }

        var hours = rule.Parameter("hoursBeforeInfusion");
        var localDates = c.Infusions.Select(i => (Infusion: i, Date: SiteCalendar.LocalDate(i.StartUtc, c.SiteTimeZone),
            WindowFrom: SiteCalendar.LocalDate(i.StartUtc.AddHours((double)-hours), c.SiteTimeZone))).ToList();
        var (phaseFrom, phaseTo) = (localDates[0], localDates[^1]);

        foreach (var m in c.ConcomitantMedications)
        {
            var findings = new List<string>();
            var classes = new List<string>();
            var infusions = new List<InfusionFact>();
            foreach (var medicationClass in rule.MedicationClasses.Where(mc => InClass(m, mc)))
            {
                switch (medicationClass.Restriction)
                {
                    case MedicationRestrictions.BeforeInfusion:
                        var within = localDates.Where(d => m.StartDate <= d.Date && (m.EndDate is not { } end || end >= d.WindowFrom)).ToList();
                        if (within.Count == 0) continue;
                        findings.Add($"{medicationClass.Name} within {N(hours)} h before {string.Join(", ", within.Select(d => $"{d.Infusion.VisitCode} (started {H(d.Infusion.StartUtc)})"))}");
                        infusions.AddRange(within.Select(d => d.Infusion));
                        break;
                    case MedicationRestrictions.NewDuringInfusionPhase:
                        if (m.StartDate < phaseFrom.Date || m.StartDate > phaseTo.Date) continue;
                        // The infusion given on or next after the start: the first one the new medication may have confounded.
                        var next = localDates.First(d => d.Date >= m.StartDate);
                        findings.Add($"new {medicationClass.Name} started during the infusion phase ({phaseFrom.Infusion.VisitCode} on {D(phaseFrom.Date)} to "
                            + $"{phaseTo.Infusion.VisitCode} on {D(phaseTo.Date)}), before or on the day of {next.Infusion.VisitCode} (started {H(next.Infusion.StartUtc)})");
                        infusions.Add(next.Infusion);
                        break;
                    default:
                        continue;
                }

                classes.Add(medicationClass.Name);
            }

            if (findings.Count == 0)
            {
                continue;
            }

            var named = infusions.DistinctBy(i => i.Id).OrderBy(i => i.StartUtc).ToList();
            var dates = m.EndDate is { } e ? $"{D(m.StartDate)} to {D(e)}" : $"from {D(m.StartDate)}, ongoing";
            yield return new AlertCandidate(rule.Code, rule.Severity, SourceTypes.ConcomitantMedication, m.Id.ToString("N"), named[0].VisitCode,
                $"{m.Name}{(m.AtcCode is null ? "" : $" ({m.AtcCode})")}, {dates}: {string.Join("; ", findings)}",
                ValuesOf(
                    ("medication", m.Name), ("atcCode", m.AtcCode ?? ""), ("startDate", D(m.StartDate)), ("endDate", m.EndDate is { } end ? D(end) : ""),
                    ("classes", string.Join(",", classes.Distinct(StringComparer.Ordinal))), ("infusions", string.Join(",", named.Select(i => i.VisitCode))),
                    ("hoursBeforeInfusion", N(hours))));
        }
    }

    /// <summary>
    /// The names of the protocol's restricted medication classes (CONMED_PROHIBITED's settings) the medication belongs to, in
    /// the protocol's order; empty when none or when the protocol does not have the rule.
    /// </summary>
    public static IReadOnlyList<string> RestrictedClasses(ProtocolDefinition protocol, ConcomitantMedicationFact medication) =>
        protocol.FindRule(ConmedProhibited) is { } rule
            ? rule.MedicationClasses.Where(mc => InClass(medication, mc)).Select(mc => mc.Name).Distinct(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Whether the medication belongs to the class: its ATC code starts with a prefix, or its name has a listed name as whole words.</summary>
    internal static bool InClass(ConcomitantMedicationFact m, MedicationClassSettings medicationClass) =>
        (m.AtcCode is { } atc && medicationClass.AtcPrefixes.Any(p => atc.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        || medicationClass.Names.Any(n => HasWords(m.Name, n));

    private static bool HasWords(string text, string words)
    {
        var textWords = Words(text);
        var wanted = Words(words);
        if (wanted.Length == 0) return false;
        for (var i = 0; i + wanted.Length <= textWords.Length; i++)
        {
            if (wanted.Select((w, k) => string.Equals(w, textWords[i + k], StringComparison.OrdinalIgnoreCase)).All(same => same)) return true;
        }

        return false;
    }

    private static string[] Words(string text) =>
        text.Split(text.Where(ch => !char.IsLetterOrDigit(ch)).Distinct().ToArray(), StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Problems with a rule's medication classes, in words for whoever edits the protocol file.</summary>
    private static IEnumerable<string> MedicationClassProblems(string code, SafetyRuleSettings rule)
    {
        if (rule.MedicationClasses.Count == 0)
        {
            yield return $"safety rule {code} lists no medication classes";
        }

        foreach (var mc in rule.MedicationClasses)
        {
            var name = string.IsNullOrWhiteSpace(mc.Name) ? "(unnamed)" : mc.Name;
            if (string.IsNullOrWhiteSpace(mc.Name)) yield return $"safety rule {code} has a medication class without a name";
            if (!MedicationRestrictions.All.Contains(mc.Restriction))
                yield return $"safety rule {code} medication class {name} has restriction '{mc.Restriction}' (expected one of {string.Join(", ", MedicationRestrictions.All)})";
            if (mc.AtcPrefixes.Count == 0 && mc.Names.Count == 0)
                yield return $"safety rule {code} medication class {name} lists neither ATC prefixes nor names";
            foreach (var prefix in mc.AtcPrefixes.Where(p => p != AtcCodes.Normalise(p) || !AtcCodes.IsValid(p)))
                yield return $"safety rule {code} medication class {name} has ATC prefix '{prefix}', which is not an ATC code of any level in capitals (e.g. N05BA)";
            foreach (var n in mc.Names.Where(n => Words(n).Length == 0))
                yield return $"safety rule {code} medication class {name} has a name without a letter or digit ('{n}')";
        }

        foreach (var duplicate in rule.MedicationClasses.GroupBy(mc => mc.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            yield return $"safety rule {code} lists medication class {duplicate.Key} twice";
    }
}
