using Trial.Application.Participants;
using Trial.Core.Safety;
using Trial.Db.AdverseEvents;
using Trial.Db.Participants;

namespace Trial.Application.AdverseEvents;

/// <summary>An adverse event as entered: the whole event (an update sends it whole too), and the reason for a change.</summary>
public sealed record AdverseEventInput(
    string? Term, string? CodedTerm, DateOnly? OnsetDate, DateOnly? EndDate, string? Severity, bool? Serious,
    IReadOnlyList<string>? SeriousCriteria, string? Relatedness, bool? Expected, string? ActionTaken, string? Outcome,
    DateOnly? AwareDate, DateTime? SponsorReportedUtc, string? SpecialInterest, string? Reason, DateTime? AwareUtc = null);

/// <summary>The fields of an adverse event, and the row they make: what recording and updating one check alike.</summary>
internal static class AdverseEventForm
{
    /// <summary>The event's fields, checked: the event as the rules read it, and what is stored beside it.</summary>
    public sealed record Checked(AdverseEventFact Fact, string? CodedTerm, DateTime? AwareUtc, string? Reason);

    /// <summary>The event checked as the rules see it (ICH E2A seriousness, dates in the site's calendar); refused field by field.</summary>
    public static Outcome<Checked> Check(AdverseEventInput body, Guid id, DateTime now, ParticipantRow participant, bool requireReason)
    {
        var errors = new FieldErrors();
        var term = errors.Required(body.Term?.Trim(), "term", "The adverse event term");
        if (term?.Length > RecordAdverseEvent.MaxTermLength) errors.Add("term", $"The term must be at most {RecordAdverseEvent.MaxTermLength} characters.");
        if (body.CodedTerm?.Length > RecordAdverseEvent.MaxCodedTermLength) errors.Add("codedTerm", $"The coded term must be at most {RecordAdverseEvent.MaxCodedTermLength} characters.");
        var onset = errors.Required(body.OnsetDate, "onsetDate", "The onset date");
        var severity = errors.Required(body.Severity?.Trim(), "severity", "Severity (mild, moderate or severe)");
        var serious = errors.Required(body.Serious, "serious", "Whether the event is serious");
        var relatedness = errors.Required(body.Relatedness?.Trim(), "relatedness", "Relatedness to the study drug");
        var expected = errors.Required(body.Expected, "expected", "Whether the event is expected");
        var action = errors.Required(body.ActionTaken?.Trim(), "actionTaken", "The action taken with the study drug");
        var outcome = errors.Required(body.Outcome?.Trim(), "outcome", "The outcome");
        var aware = errors.Required(body.AwareDate, "awareDate", "The date the site became aware");
        var reason = DataEntry.CheckReason(errors, body.Reason, requireReason);
        var awareUtc = errors.Instant(body.AwareUtc, "awareUtc", "The time the site became aware (awareUtc)", required: false);
        var sponsorReported = errors.Instant(body.SponsorReportedUtc, "sponsorReportedUtc", "The time of the sponsor report (sponsorReportedUtc)", required: false);
        if (errors.Any) return errors.ToRefusal();

        var criteria = (body.SeriousCriteria ?? []).Select(c => c?.Trim() ?? "").Distinct()
            .OrderBy(c => AdverseEventRules.SeriousCriteria.ToList().IndexOf(c) is var i && i < 0 ? int.MaxValue : i).ToList();
        var fact = new AdverseEventFact(id, term!, onset!.Value, body.EndDate, severity!, serious!.Value, criteria, relatedness!, expected!.Value,
            action!, outcome!, aware!.Value, awareUtc, sponsorReported, string.IsNullOrWhiteSpace(body.SpecialInterest) ? null : body.SpecialInterest.Trim());
        foreach (var problem in AdverseEventRules.Validate(fact, now, participant.TimeZone))
            errors.Add(problem.Field, problem.Message);
        if (sponsorReported > now) errors.Add("sponsorReportedUtc", "The time of the sponsor report is in the future.");
        if (errors.Any) return errors.ToRefusal();
        return new Checked(fact, body.CodedTerm, awareUtc, reason);
    }

    public static AdverseEventRow ToRow(Checked input, Guid id, ParticipantRow participant, int version, DateTime now, Guid by, DateTime recordedUtc, Guid recordedBy)
    {
        var f = input.Fact;
        return new()
        {
            Id = id, ParticipantId = participant.Id, ParticipantCode = participant.Code, SiteCode = participant.SiteCode, SiteTimeZone = participant.SiteTimeZone, Term = f.Term,
            CodedTerm = string.IsNullOrWhiteSpace(input.CodedTerm) ? null : input.CodedTerm.Trim(), AwareUtc = input.AwareUtc,
            OnsetDate = f.OnsetDate, EndDate = f.EndDate, Severity = f.Severity, Serious = f.Serious, SeriousCriteria = string.Join(',', f.SeriousCriteria),
            Relatedness = f.Relatedness, Expected = f.Expected, ActionTaken = f.ActionTaken, Outcome = f.Outcome, AwareDate = f.AwareDate,
            SponsorReportedUtc = f.SponsorReportedUtc, SpecialInterest = f.SpecialInterest, RowVersion = version,
            RecordedUtc = recordedUtc, RecordedBy = recordedBy, UpdatedUtc = now, UpdatedBy = by,
        };
    }
}
