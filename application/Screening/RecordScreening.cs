using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Sites;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Screening;

namespace Trial.Application.Screening;

/// <summary>
/// A screening as entered: the site (one of the actor's), the date in the site's calendar, the eligibility answers (the
/// same as enrolment takes) and an optional free-text comment, which only admins read back. No name, no date of birth.
/// </summary>
public sealed record ScreeningInput(string? SiteCode, DateOnly? Date, EligibilityInput? Eligibility, string? Reason);

/// <summary>
/// Records a screening at one of the actor's sites, eligible or not: the outcome and the criteria failed are computed from
/// the answers by the protocol's rule (<see cref="Eligibility.Failures"/>, the one enrolment applies). The number (e.g.
/// WAW-S0001) is the site's next screening number. An eligible screening is what a participant is enrolled from.
/// </summary>
public sealed class RecordScreening(ProtocolDefinition protocol)
{
    /// <summary>A checked screening, ready to be written, with the criteria its answers fail (none when eligible).</summary>
    public sealed record Checked(string SiteCode, DateOnly Date, EligibilityAnswers Answers, IReadOnlyList<string> FailedCriteria, string? Reason);

    /// <summary>What can be decided before the write: the fields, the actor's access to the site, the outcome.</summary>
    public Outcome<Checked> Check(Actor actor, ScreeningInput input)
    {
        var errors = new FieldErrors();
        var siteCode = errors.Required(input.SiteCode?.Trim(), "siteCode", "Site code");
        var date = errors.Required(input.Date, "date", "The date of the screening (yyyy-MM-dd)");
        var answers = EligibilityEntry.Check(errors, input.Eligibility);
        var reason = DataEntry.CheckReason(errors, input.Reason, required: false);
        if (errors.Any) return errors.ToRefusal();

        if (!actor.CanAccessSite(siteCode!))
            return new Forbidden($"Site {siteCode} is not one of your sites.");
        var failed = Eligibility.Failures(protocol.Eligibility, answers!).Select(f => f.Criterion).ToList();
        return new Checked(siteCode!, date!.Value, answers!, failed, reason);
    }

    /// <summary>
    /// Records the screening under the site's next number, with its audit row; refused for a site that does not exist, or a
    /// date in the future or further back than the protocol's plausibility limit, in the site's calendar.
    /// </summary>
    public async Task<Outcome<ScreeningRow>> WriteAsync(WriteScope w, Checked input)
    {
        var site = await AccessQueries.FindSiteAsync(w.Session, input.SiteCode);
        if (site is null) return Invalid.Field("siteCode", $"Unknown site '{input.SiteCode}'.");
        var today = SiteCalendar.Today(w.NowUtc, TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone));
        if (input.Date > today)
            return Invalid.Field("date", $"Screening date {input.Date:yyyy-MM-dd} is in the future (today is {today:yyyy-MM-dd} at site {site.Code}).");
        var maxDaysAgo = protocol.Eligibility.ScreeningDateMaxDaysAgo;
        if (input.Date < today.AddDays(-maxDaysAgo))
        {
            return Invalid.Field("date",
                $"Screening date {input.Date:yyyy-MM-dd} is more than {maxDaysAgo} days before today ({today:yyyy-MM-dd} at site {site.Code}); check the year.");
        }
        return await WriteRowAsync(w, site.Code, input.Date, input.Answers, input.FailedCriteria, input.Reason, protocol.Version, participantCode: null);
    }

    /// <summary>
    /// Stores a screening under the site's next number with its audit row: a screening recorded on its own, or the eligible
    /// screening an enrolment without a screening number records (then <paramref name="participantCode"/> is the participant's, returned with the
    /// row; the audit row, like that of any screening, belongs to the site, and the participant's own names the screening).
    /// </summary>
    internal static async Task<Outcome<ScreeningRow>> WriteRowAsync(WriteScope w, string siteCode, DateOnly date, EligibilityAnswers answers,
        IReadOnlyList<string> failedCriteria, string? reason, string protocolVersion, string? participantCode)
    {
        var number = await ScreeningQueries.TakeNextNumberAsync(w.Session, siteCode);
        if (number is null) return Invalid.Field("siteCode", $"Unknown site '{siteCode}'.");
        var row = new ScreeningRow
        {
            Id = SequentialGuid.New(w.NowUtc),
            ScreeningNumber = ScreeningNumberOf(siteCode, number.Value),
            SiteCode = siteCode,
            Number = number.Value,
            ScreeningDate = date,
            Outcome = failedCriteria.Count == 0 ? ScreeningOutcomes.Eligible : ScreeningOutcomes.ScreenFailure,
            FailedCriteria = string.Join(';', failedCriteria),
            FailedAntidepressantTrials = answers.FailedAntidepressantTrials,
            PsychotherapyWithoutResponse = answers.PsychotherapyWithoutResponse,
            BpdDiagnosis = answers.BpdDiagnosis,
            PsychoticPersonalityOrganisation = answers.PsychoticPersonalityOrganisation,
            HighSuicideRisk = answers.HighSuicideRisk,
            Reason = reason,
            ProtocolVersion = protocolVersion,
            RecordedUtc = w.NowUtc,
            RecordedBy = w.Actor.UserId,
            ParticipantCode = participantCode,
        };
        await ScreeningQueries.InsertAsync(w.Session, row);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Screening, row.ScreeningNumber, AuditedScreening.From(row), siteCode, participantCode: null));
        return row;
    }

    /// <summary>Screening numbers are per site: the site's code, S, and the site's number (WAW-S0001), apart from participant codes (WAW-0001).</summary>
    public static string ScreeningNumberOf(string siteCode, int number) => $"{siteCode}-S{number:0000}";
}
