using System.Globalization;
using Trial.Core.Sites;

namespace Trial.Core.Safety;

/// <summary>A problem with an adverse event; <paramref name="Field"/> is the API field name (e.g. "seriousCriteria").</summary>
public sealed record AdverseEventError(string Field, string Message);

/// <summary>
/// Whether an adverse event is a suspected unexpected serious adverse reaction and, if so, how many days the sponsor
/// has to report it to the authorities and by which date (counted from the date the site became aware).
/// </summary>
public sealed record SusarStatus(bool IsSusar, int? ReportingClockDays, DateOnly? DueDate);

/// <summary>The coded values of an adverse event (exact API spellings), their consistency rules and SUSAR classification.</summary>
public static class AdverseEventRules
{
    private const string Fatal = "fatal";
    private const string Recovered = "recovered";
    private const string RecoveredWithSequelae = "recovered-with-sequelae";
    private const string Death = "death";
    private const string LifeThreatening = "life-threatening";

    // ICH E2A expedited reporting: 7 calendar days for fatal or life-threatening SUSARs, 15 for the others. These are
    // regulatory periods, not protocol settings, so they do not live in the protocol file.
    private const int FatalOrLifeThreateningDays = 7;
    private const int OtherSusarDays = 15;

    public static IReadOnlyList<string> Severities { get; } = Array.AsReadOnly(["mild", "moderate", "severe"]);

    public static IReadOnlyList<string> SeriousCriteria { get; } =
        Array.AsReadOnly([Death, LifeThreatening, "hospitalisation", "disability", "congenital-anomaly", "important-medical-event"]);

    public static IReadOnlyList<string> Relatedness { get; } = Array.AsReadOnly(["not-related", "unlikely", "possible", "probable", "definite"]);

    public static IReadOnlyList<string> ActionsTaken { get; } = Array.AsReadOnly(["none", "interrupted", "dose-reduced", "withdrawn"]);

    public static IReadOnlyList<string> Outcomes { get; } =
        Array.AsReadOnly([Recovered, "recovering", "not-recovered", RecoveredWithSequelae, Fatal, "unknown"]);

    public static IReadOnlyList<string> SpecialInterests { get; } =
        Array.AsReadOnly(["suicidal-behaviour", "self-injury", "severe-dissociation", "psychotic-symptoms", "misuse"]);

    /// <summary>Whether the event is a death: the criterion death, or the outcome fatal (which requires that criterion).</summary>
    public static bool IsDeath(IReadOnlyList<string> seriousCriteria, string outcome) => outcome == Fatal || seriousCriteria.Contains(Death);

    // "Suspected" adverse reaction: a reasonable possibility that the drug caused it. "Unlikely" is not that.
    private static readonly string[] RelatedValues = ["possible", "probable", "definite"];

    /// <summary>
    /// Every problem with the event, or an empty list. <paramref name="nowUtc"/> is the current instant, passed in so the
    /// rule has no clock of its own; dates are judged in the site's calendar (<paramref name="siteTimeZone"/>).
    /// </summary>
    public static IReadOnlyList<AdverseEventError> Validate(AdverseEventFact ae, DateTime nowUtc, TimeZoneInfo siteTimeZone)
    {
        ArgumentNullException.ThrowIfNull(ae);
        ArgumentNullException.ThrowIfNull(siteTimeZone);
        var today = SiteCalendar.Today(nowUtc, siteTimeZone);
        var errors = new List<AdverseEventError>();

        if (string.IsNullOrWhiteSpace(ae.Term))
            errors.Add(new("term", "Describe the adverse event in the term."));

        CheckKnown(errors, "severity", "Severity", ae.Severity, Severities);
        CheckKnown(errors, "relatedness", "Relatedness to the study drug", ae.Relatedness, Relatedness);
        CheckKnown(errors, "actionTaken", "Action taken with the study drug", ae.ActionTaken, ActionsTaken);
        CheckKnown(errors, "outcome", "Outcome", ae.Outcome, Outcomes);
        if (ae.SpecialInterest is not null)
            CheckKnown(errors, "specialInterest", "Special-interest category", ae.SpecialInterest, SpecialInterests);
        foreach (var criterion in ae.SeriousCriteria.Where(c => !SeriousCriteria.Contains(c)))
            errors.Add(new("seriousCriteria", $"'{criterion}' is not a seriousness criterion; use {OneOf(SeriousCriteria)}."));

        // ICH E2A: any one criterion makes an event serious, and "serious" means one of the criteria was met.
        if (ae.SeriousCriteria.Count > 0 && !ae.Serious)
            errors.Add(new("serious", $"Seriousness criteria are recorded ({string.Join(", ", ae.SeriousCriteria)}), so the event must be marked serious; any one criterion makes it serious."));
        if (ae.Serious && ae.SeriousCriteria.Count == 0)
            errors.Add(new("seriousCriteria", $"A serious event needs at least one seriousness criterion ({OneOf(SeriousCriteria)})."));
        if (ae.Outcome == Fatal && !ae.SeriousCriteria.Contains(Death))
            errors.Add(new("seriousCriteria", $"The outcome is fatal, so '{Death}' must be among the seriousness criteria."));

        // An outcome that says the event is over needs the day it ended; for a fatal outcome that day is the date of death.
        if (ae.EndDate is null && ae.Outcome == Fatal)
            errors.Add(new("endDate", "The outcome is fatal, so the end date is needed: it is the date of death."));
        if (ae.EndDate is null && ae.Outcome is Recovered or RecoveredWithSequelae)
            errors.Add(new("endDate", $"The outcome is {ae.Outcome.Replace('-', ' ')}, so the end date is needed: the date the event resolved."));
        if (ae.EndDate is { } end && end < ae.OnsetDate)
            errors.Add(new("endDate", $"The end date {D(end)} is before the onset date {D(ae.OnsetDate)}."));
        if (ae.AwareDate < ae.OnsetDate)
            errors.Add(new("awareDate", $"The site cannot have become aware of the event ({D(ae.AwareDate)}) before its onset ({D(ae.OnsetDate)})."));
        if (ae.SponsorReportedUtc is { } reported && SiteCalendar.LocalDate(reported, siteTimeZone) < ae.AwareDate)
            errors.Add(new("sponsorReportedUtc", $"The event cannot have been reported to the sponsor ({D(SiteCalendar.LocalDate(reported, siteTimeZone))}) before the site became aware of it ({D(ae.AwareDate)})."));

        // The instant of awareness and the aware date describe one moment, so they must agree on the day as the site
        // counts days; a time typed against the wrong date would move the SAE clock by a day.
        if (ae.AwareUtc is { } awareUtc)
        {
            var awareLocalDate = SiteCalendar.LocalDate(awareUtc, siteTimeZone);
            if (awareLocalDate != ae.AwareDate)
                errors.Add(new("awareUtc", $"The time the site became aware ({H(awareUtc)}) is on {D(awareLocalDate)} at the site ({siteTimeZone.Id}), but the date the site became aware is {D(ae.AwareDate)}; the two must be the same day, site time."));
            if (awareUtc > nowUtc)
                errors.Add(new("awareUtc", $"The time the site became aware ({H(awareUtc)}) is in the future (now is {H(nowUtc)})."));
        }

        CheckNotFuture(errors, "onsetDate", "onset date", ae.OnsetDate, today);
        if (ae.EndDate is { } endDate) CheckNotFuture(errors, "endDate", "end date", endDate, today);
        CheckNotFuture(errors, "awareDate", "date the site became aware", ae.AwareDate, today);
        if (ae.SponsorReportedUtc is { } sponsorReported)
            CheckNotFuture(errors, "sponsorReportedUtc", "date reported to the sponsor", SiteCalendar.LocalDate(sponsorReported, siteTimeZone), today);

        return errors.AsReadOnly();
    }

    /// <summary>
    /// SUSAR = serious, related to the study drug (possible, probable or definite) and not expected. A fatal outcome or a
    /// death or life-threatening criterion gives the 7-day clock, anything else 15 days, counted from the date the site
    /// became aware (day 0).
    /// </summary>
    public static SusarStatus Susar(AdverseEventFact ae)
    {
        ArgumentNullException.ThrowIfNull(ae);
        if (!ae.Serious || !RelatedValues.Contains(ae.Relatedness) || ae.Expected)
        {
            return new SusarStatus(false, null, null);
        }

        var days = ae.Outcome == Fatal || ae.SeriousCriteria.Contains(Death) || ae.SeriousCriteria.Contains(LifeThreatening)
            ? FatalOrLifeThreateningDays
            : OtherSusarDays;
        return new SusarStatus(true, days, ae.AwareDate.AddDays(days));
    }

    private static void CheckKnown(List<AdverseEventError> errors, string field, string label, string? value, IReadOnlyList<string> allowed)
    {
        if (value is null || !allowed.Contains(value))
            errors.Add(new(field, $"{label} '{value}' is not one of {OneOf(allowed)}."));
    }

    private static void CheckNotFuture(List<AdverseEventError> errors, string field, string label, DateOnly date, DateOnly today)
    {
        if (date > today)
            errors.Add(new(field, $"The {label} {D(date)} is in the future (today is {D(today)})."));
    }

    private static string OneOf(IReadOnlyList<string> values) => string.Join(", ", values);

    private static string D(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // Seconds only when there are any, so an instant one second in the future does not read as "now".
    private static string H(DateTime utc) =>
        utc.ToString(utc.Second == 0 && utc.Millisecond == 0 ? "yyyy-MM-dd HH:mm 'UTC'" : "yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
