using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Core.Schedule;

namespace Trial.Core.Populations;

/// <summary>Everything about one participant that membership of the per-protocol population depends on.</summary>
/// <param name="EnrolledDate">The enrolment date (the schedule's start).</param>
/// <param name="Visits">The visits recorded (their dates place the windows, as the schedule shows them).</param>
/// <param name="InfusionsDiscontinuedDate">The date infusions were stopped early, if they were.</param>
/// <param name="DiscontinuationReasonCode">Its coded reason.</param>
/// <param name="WithdrawnDate">The date the participant left the study, if they did.</param>
/// <param name="WithdrawalReasonCode">Its coded reason.</param>
/// <param name="SiteTimeZone">The site's time zone (medication dates are the site's days).</param>
/// <param name="Infusions">The infusions given, by visit.</param>
/// <param name="Medications">The participant's concomitant medications, as the site entered them.</param>
public sealed record PerProtocolFacts(
    DateOnly EnrolledDate,
    IReadOnlyList<RecordedVisit> Visits,
    DateOnly? InfusionsDiscontinuedDate,
    string? DiscontinuationReasonCode,
    DateOnly? WithdrawnDate,
    string? WithdrawalReasonCode,
    TimeZoneInfo SiteTimeZone,
    IReadOnlyList<InfusionFact> Infusions,
    IReadOnlyList<ConcomitantMedicationFact> Medications);

/// <summary>Whether the participant is in the per-protocol population, and the criteria (codes, in the protocol's order) they fail.</summary>
public sealed record PerProtocolVerdict(bool Included, IReadOnlyList<string> FailedCriteria);

/// <summary>
/// The per-protocol population ([P] docs/protocol.md: all infusions given in window, no major deviation, no prohibited
/// concomitant medication), judged by the criteria the protocol file names (<see cref="PerProtocolRules"/>) with the rules
/// the rest of the system applies: the visit windows of the schedule maths, and the safety rule CONMED_PROHIBITED itself.
/// </summary>
public static class PerProtocolPopulation
{
    /// <summary>The verdict; null when the protocol defines no per-protocol population.</summary>
    /// <param name="protocol">The protocol whose perProtocol section, visit plan and CONMED_PROHIBITED rule apply.</param>
    /// <param name="facts">The participant's data.</param>
    /// <param name="today">The site's date, which the schedule is computed as of (it decides only what is missed, not what is in window).</param>
    /// <param name="nowUtc">The current instant, which the safety engine asks for (CONMED_PROHIBITED does not use it).</param>
    public static PerProtocolVerdict? Judge(ProtocolDefinition protocol, PerProtocolFacts facts, DateOnly today, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(facts);
        if (protocol.PerProtocol is not { } rules) return null;

        var failed = rules.Criteria.Where(criterion => !Meets(protocol, rules, criterion, facts, today, nowUtc)).ToList();
        return new PerProtocolVerdict(failed.Count == 0, failed);
    }

    private static bool Meets(ProtocolDefinition protocol, PerProtocolRules rules, string criterion, PerProtocolFacts facts, DateOnly today, DateTime nowUtc) =>
        criterion switch
        {
            PerProtocolCriteria.AllInfusionsInWindow => AllInfusionsInWindow(protocol, facts, today),
            PerProtocolCriteria.NoMajorDeviation => !IsMajorDeviation(rules, facts.DiscontinuationReasonCode) && !IsMajorDeviation(rules, facts.WithdrawalReasonCode),
            PerProtocolCriteria.NoProhibitedMedication => !TookProhibitedMedication(protocol, facts, nowUtc),
            _ => throw new InvalidOperationException($"Unknown per-protocol criterion '{criterion}'; load protocols through ProtocolLoader so they are validated."),
        };

    // Every infusion visit of the plan: done within its window (as the schedule maths judge it) and its infusion given. An infusion
    // still to come, or one left out because infusions were discontinued, is not given in window.
    private static bool AllInfusionsInWindow(ProtocolDefinition protocol, PerProtocolFacts facts, DateOnly today)
    {
        var schedule = ScheduleCalculator.Build(protocol,
            new ScheduleInput(facts.EnrolledDate, facts.Visits, facts.InfusionsDiscontinuedDate, facts.WithdrawnDate), today);
        var given = facts.Infusions.Select(i => i.VisitCode).ToHashSet(StringComparer.Ordinal);
        return protocol.InfusionVisits.All(planned =>
            given.Contains(planned.Code) && schedule.Any(v => v.VisitCode == planned.Code && v.Status == VisitStatuses.Done && v.InWindow == true));
    }

    private static bool IsMajorDeviation(PerProtocolRules rules, string? reasonCode) =>
        reasonCode is not null && rules.MajorDeviationReasonCodes.Contains(reasonCode, StringComparer.Ordinal);

    // The safety rule itself, on the participant's medications and infusions: what it would raise an alert for is prohibited.
    private static bool TookProhibitedMedication(ProtocolDefinition protocol, PerProtocolFacts facts, DateTime nowUtc)
    {
        if (protocol.FindRule(SafetyEngine.ConmedProhibited) is not { Enabled: true } rule || facts.Medications.Count == 0) return false;
        var data = new ParticipantSafetyData("", facts.SiteTimeZone, [], [], [], [])
        {
            ConcomitantMedications = facts.Medications,
            Infusions = facts.Infusions,
        };
        return SafetyEngine.Evaluate(protocol with { SafetyRules = [rule] }, data, nowUtc).Count > 0;
    }

    /// <summary>Problems with the protocol's per-protocol section, in words for whoever edits the protocol file.</summary>
    public static IEnumerable<string> Problems(ProtocolDefinition protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        if (protocol.PerProtocol is not { } rules) yield break;
        if (rules.Criteria.Count == 0)
            yield return $"perProtocol.criteria is empty (name at least one of {string.Join(", ", PerProtocolCriteria.All)}, or leave the section out)";
        foreach (var criterion in rules.Criteria.Where(c => !PerProtocolCriteria.All.Contains(c, StringComparer.Ordinal)))
            yield return $"perProtocol.criteria names unknown criterion '{criterion}' (expected one of {string.Join(", ", PerProtocolCriteria.All)})";
        foreach (var duplicate in rules.Criteria.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1))
            yield return $"perProtocol.criteria names '{duplicate.Key}' twice";
        foreach (var code in rules.MajorDeviationReasonCodes.Where(c => !DispositionReasons.IsKnown(c)))
            yield return $"perProtocol.majorDeviationReasonCodes names unknown reason '{code}' (expected one of {string.Join(", ", DispositionReasons.All)})";
        var needsReasons = rules.Criteria.Contains(PerProtocolCriteria.NoMajorDeviation, StringComparer.Ordinal);
        if (needsReasons && rules.MajorDeviationReasonCodes.Count == 0)
            yield return $"perProtocol criterion {PerProtocolCriteria.NoMajorDeviation} needs perProtocol.majorDeviationReasonCodes (e.g. {DispositionReasons.ProtocolDeviation})";
        if (!needsReasons && rules.MajorDeviationReasonCodes.Count > 0)
            yield return $"perProtocol.majorDeviationReasonCodes is set but criterion {PerProtocolCriteria.NoMajorDeviation} is not named, so they would count for nothing";
        if (rules.Criteria.Contains(PerProtocolCriteria.NoProhibitedMedication, StringComparer.Ordinal) && protocol.FindRule(SafetyEngine.ConmedProhibited) is not { Enabled: true })
            yield return $"perProtocol criterion {PerProtocolCriteria.NoProhibitedMedication} needs the safety rule {SafetyEngine.ConmedProhibited}, enabled, which says what is prohibited";
    }
}
