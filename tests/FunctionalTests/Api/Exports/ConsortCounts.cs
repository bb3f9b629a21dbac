using System.Text.Json;
using System.Text.Json.Nodes;

namespace Trial.Tests.Api.Exports;

/// <summary>
/// The CONSORT counts as flat keys (<c>flow.withdrawn.byReason.PHYSICIAN DECISION</c>), from the report's JSON or from the
/// extracts, so that the two compare key by key (ConsortReportTests). Counting from another extract (subjects.csv's ITTFL and
/// SAFFL, exposure.csv) is one more function here giving the same keys, compared the same way.
/// </summary>
internal static class ConsortCounts
{
    /// <summary>Every whole number of the report under its path; a list of reason counts by its reasons. Arms are left out.</summary>
    public static SortedDictionary<string, int> Of(JsonObject report, string? prefix = null)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o) if (key != "arms") Walk(value, path.Length == 0 ? key : $"{path}.{key}");
                    break;
                case JsonArray a when a.Count > 0 && a.All(e => e is JsonObject r && r.ContainsKey("count")):
                    foreach (var e in a) Walk(e!["count"], $"{path}.{(e!["reason"] ?? e["criterion"])!.GetValue<string>()}");
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                    counts[path] = v.GetValue<int>();
                    break;
            }
        }
        Walk(report, prefix ?? "");
        return counts;
    }

    /// <summary>Every key of the JSON, at any depth.</summary>
    public static IEnumerable<string> Keys(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Keys(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(Keys),
        _ => [],
    };

    private static readonly Dictionary<string, string> CriterionColumns = new()
    {
        ["failedAntidepressantTrials"] = "fails_antidepressant_trials",
        ["psychotherapyWithoutResponse"] = "fails_psychotherapy_without_response",
        ["bpdDiagnosis"] = "fails_bpd_diagnosis",
        ["psychoticPersonalityOrganisation"] = "fails_psychotic_personality_organisation",
    };

    /// <summary>The counts as a statistician derives them from screening.csv, participants.csv and disposition.csv.</summary>
    public static SortedDictionary<string, int> FromExtracts(Csv screening, Csv participants, Csv disposition)
    {
        var counts = FlowFromDisposition(disposition);
        var failures = screening.Where("outcome", "screen-failure").ToList();
        var eligible = screening.Where("outcome", "eligible").ToList();
        counts["screening.assessedForEligibility"] = screening.Rows.Count;
        counts["screening.excluded.total"] = failures.Count;
        foreach (var (criterion, column) in CriterionColumns) counts[$"screening.excluded.byCriterion.{criterion}"] = failures.Count(r => r[column] == "TRUE");
        counts["screening.eligible"] = eligible.Count;
        counts["screening.eligibleNotEnrolled"] = eligible.Count(r => r["participant_code"].Length == 0);
        counts["enrolled"] = participants.Rows.Count;
        counts["enrolledNotRandomised"] = participants.Rows.Count - counts["flow.randomised"];
        return counts;
    }

    /// <summary>
    /// The flow from disposition.csv: randomised and first infusion from the milestones, the ends of treatment (STUDY TREATMENT)
    /// and of study (STUDY PARTICIPATION) by DSDECOD. Treatment completed stands for all infusions received, and the first
    /// infusion for the safety population, until the subject-level data give them directly.
    /// </summary>
    public static SortedDictionary<string, int> FlowFromDisposition(Csv disposition)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        void Add(string key, int n = 1) => counts[key] = counts.GetValueOrDefault(key) + n;
        var randomised = disposition.Where("DSDECOD", "RANDOMIZED").Count();
        var first = disposition.Where("DSDECOD", "FIRST INFUSION").Count();
        counts["flow.randomised"] = randomised;
        counts["flow.receivedFirstInfusion"] = first;
        counts["flow.analysed.intentionToTreat"] = randomised;
        counts["flow.analysed.safety"] = first;
        counts["flow.receivedAllInfusions"] = 0;
        counts["flow.completed"] = 0;
        counts["flow.lostToFollowUp"] = 0;
        counts["flow.discontinuedInfusions.total"] = 0;
        counts["flow.withdrawn.total"] = 0;
        var ended = 0;
        foreach (var row in disposition.Where("DSSCAT", "STUDY TREATMENT"))
        {
            var reason = row["DSDECOD"].Length == 0 ? "NOT RECORDED" : row["DSDECOD"];
            if (reason == "COMPLETED")
            {
                Add("flow.receivedAllInfusions");
            }
            else
            {
                Add("flow.discontinuedInfusions.total");
                Add($"flow.discontinuedInfusions.byReason.{reason}");
            }
        }
        foreach (var row in disposition.Where("DSSCAT", "STUDY PARTICIPATION"))
        {
            ended++;
            var reason = row["DSDECOD"].Length == 0 ? "NOT RECORDED" : row["DSDECOD"];
            if (reason == "COMPLETED")
            {
                Add("flow.completed");
            }
            else if (reason == "LOST TO FOLLOW-UP")
            {
                Add("flow.lostToFollowUp");
            }
            else
            {
                Add("flow.withdrawn.total");
                Add($"flow.withdrawn.byReason.{reason}");
            }
        }
        counts["flow.ongoing"] = randomised - ended;
        return counts;
    }

    /// <summary>
    /// The infusion boxes from exposure.csv (one row per infusion given, VISIT its visit code), for the randomised participants
    /// of disposition.csv: an infusion at <paramref name="firstInfusionVisit"/>, one at every infusion visit of the plan, at
    /// least one (the safety population).
    /// </summary>
    public static SortedDictionary<string, int> InfusionsFromExposure(Csv exposure, Csv disposition, string firstInfusionVisit, int plannedInfusions)
    {
        var randomised = disposition.Where("DSDECOD", "RANDOMIZED").Select(r => r["USUBJID"]).ToHashSet();
        var visitsOf = exposure.Rows.Where(r => randomised.Contains(r["USUBJID"]))
            .GroupBy(r => r["USUBJID"]).ToDictionary(g => g.Key, g => g.Select(r => r["VISIT"]).Distinct().ToList());
        return new(StringComparer.Ordinal)
        {
            ["flow.receivedFirstInfusion"] = visitsOf.Values.Count(v => v.Contains(firstInfusionVisit)),
            ["flow.receivedAllInfusions"] = visitsOf.Values.Count(v => v.Count >= plannedInfusions),
            ["flow.analysed.safety"] = visitsOf.Count,
        };
    }

    /// <summary>
    /// The boxes subjects.csv gives directly (one row per enrolled participant): enrolled, randomised (RANDFL), the populations
    /// (ITTFL, SAFFL; a study infuses only the randomised, so SAFFL counts randomised participants) and every infusion received
    /// (NUMINF).
    /// </summary>
    public static SortedDictionary<string, int> FromSubjects(Csv subjects, int plannedInfusions) => new(StringComparer.Ordinal)
    {
        ["enrolled"] = subjects.Rows.Count,
        ["flow.randomised"] = subjects.Where("RANDFL", "Y").Count(),
        ["flow.analysed.intentionToTreat"] = subjects.Where("ITTFL", "Y").Count(),
        ["flow.analysed.safety"] = subjects.Where("SAFFL", "Y").Count(),
        ["flow.receivedAllInfusions"] = subjects.Rows.Count(r => r["NUMINF"].Length > 0 && int.Parse(r["NUMINF"], System.Globalization.CultureInfo.InvariantCulture) >= plannedInfusions),
    };
}
