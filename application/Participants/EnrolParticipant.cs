using Trial.Application.Screening;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Sites;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Screening;

namespace Trial.Application.Participants;

/// <summary>
/// An enrolment as entered: the site (one of the actor's, the participant's code is made from it), sex, birth year, weight,
/// the date of enrolment in the site's calendar (today there when null; never in the future), and either the number of an
/// eligible screening of the site not used yet (its answers are the participant's) or the eligibility answers themselves
/// (then the enrolment records its eligible screening with them).
/// </summary>
public sealed record EnrolmentInput(string? SiteCode, string? Sex, int? BirthYear, decimal? WeightKg, EligibilityInput? Eligibility, DateOnly? EnrolledDate,
    string? ScreeningNumber = null);

/// <summary>
/// Enrols a participant at one of the actor's sites when the eligibility criteria are met; the code (e.g. WAW-0001) is the
/// site's next number. Every participant has its screening: the one named, or one recorded with the enrolment from the
/// answers given (an ineligible candidate is refused and nothing is stored; screen failures are recorded by
/// <see cref="Screening.RecordScreening"/>). Enrolment starts the participant's visit plan and safety evaluation.
/// </summary>
public sealed class EnrolParticipant(ProtocolDefinition protocol)
{
    public static readonly IReadOnlyList<string> Sexes = ["F", "M", "X"];

    /// <summary>
    /// A checked enrolment, ready to be written: <paramref name="Answers"/> when the eligibility was given (and met),
    /// <paramref name="ScreeningNumber"/> when a screening was named instead; exactly one of the two.
    /// </summary>
    public sealed record Checked(string SiteCode, string Sex, int BirthYear, decimal WeightKg, EligibilityAnswers? Answers, DateOnly? EnrolledDate,
        string? ScreeningNumber = null);

    /// <summary>What can be decided before the write: the fields, the actor's access to the site, eligibility.</summary>
    public Outcome<Checked> Check(Actor actor, EnrolmentInput input, DateTime nowUtc)
    {
        var errors = new FieldErrors();
        var siteCode = errors.Required(input.SiteCode?.Trim(), "siteCode", "Site code");
        var sex = errors.Required(input.Sex?.Trim(), "sex", "Sex");
        if (sex is not null && !Sexes.Contains(sex)) errors.Add("sex", $"Sex must be one of {string.Join(", ", Sexes)}; got '{sex}'.");
        var birthYear = errors.Required(input.BirthYear, "birthYear", "Birth year");
        var thisYear = nowUtc.Year;
        if (birthYear is not null && (birthYear < 1900 || birthYear > thisYear))
            errors.Add("birthYear", $"Birth year must be between 1900 and {thisYear}; got {birthYear}.");
        var weight = errors.Required(input.WeightKg, "weightKg", "Weight (kg)");
        if (weight is not null && (weight < protocol.Infusion.MinWeightKg || weight > protocol.Infusion.MaxWeightKg))
            errors.Add("weightKg", $"Weight must be between {protocol.Infusion.MinWeightKg} and {protocol.Infusion.MaxWeightKg} kg; got {weight}.");
        errors.Decimals(weight, RecordedDecimals.WeightKg, "weightKg", "Weight (kg)");
        var screeningNumber = string.IsNullOrWhiteSpace(input.ScreeningNumber) ? null : input.ScreeningNumber.Trim();
        EligibilityAnswers? answers = null;
        if (screeningNumber is null)
        {
            answers = EligibilityEntry.Check(errors, input.Eligibility);
        }
        else if (input.Eligibility is not null)
        {
            errors.Add("eligibility",
                $"The eligibility was recorded at screening {screeningNumber}; leave it out when enrolling from a screening, or leave out screeningNumber to enrol with these answers.");
        }
        if (errors.Any) return errors.ToRefusal();

        if (!actor.CanAccessSite(siteCode!))
            return new Forbidden($"Site {siteCode} is not one of your sites.");

        if (answers is not null && Eligibility.Failures(protocol.Eligibility, answers) is { Count: > 0 } failures)
        {
            return new Invalid(
                failures.ToDictionary(f => "eligibility." + f.Criterion, f => new[] { f.Message }),
                "The participant does not meet the eligibility criteria: " + string.Join(" ", failures.Select(f => f.Message)));
        }

        return new Checked(siteCode!, sex!, birthYear!.Value, weight!.Value, answers, input.EnrolledDate, screeningNumber);
    }

    /// <summary>Enrols the participant under the site's next code, with its audit row; refused for a site that does not exist or a date in the future.</summary>
    public async Task<Outcome<ParticipantRow>> WriteAsync(WriteScope w, Checked input)
    {
        var (siteCode, now) = (input.SiteCode, w.NowUtc);
        var site = await AccessQueries.FindSiteAsync(w.Session, siteCode);
        if (site is null) return Invalid.Field("siteCode", $"Unknown site '{siteCode}'.");
        // The site's own calendar decides what "today" is: at 00:30 in Warsaw it is already tomorrow there.
        var today = SiteCalendar.Today(now, TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone));
        var enrolledDate = input.EnrolledDate ?? today;
        if (enrolledDate > today)
            return Invalid.Field("enrolledDate", $"Enrolment date {enrolledDate:yyyy-MM-dd} is in the future (today is {today:yyyy-MM-dd} at site {site.Code}).");
        // Taking the number holds the site's row to the end of the transaction: a screening of the site is checked unused and
        // used by one enrolment at a time.
        var number = await ParticipantQueries.TakeNextNumberAsync(w.Session, site.Code);
        var code = ParticipantCodes.Of(site.Code, number!.Value);
        ScreeningRow screening;
        if (input.ScreeningNumber is { } screeningNumber)
        {
            var (found, refusal) = await CheckScreeningAsync(w, screeningNumber, site.Code, enrolledDate);
            if (refusal is not null) return refusal;
            screening = found!;
        }
        else
        {
            // Audited as a screening of the site, like one recorded on its own; the participant's audit row names its number.
            var recorded = await RecordScreening.WriteRowAsync(w, site.Code, enrolledDate, input.Answers!, [], null, protocol.Version, code);
            if (recorded.IsRefused) return recorded.Refusal!;
            screening = recorded.Value!;
        }

        var answers = new EligibilityAnswers(screening.FailedAntidepressantTrials, screening.PsychotherapyWithoutResponse, screening.BpdDiagnosis,
            screening.PsychoticPersonalityOrganisation, screening.HighSuicideRisk);
        var participant = new ParticipantRow
        {
            Id = SequentialGuid.New(now),
            Code = code,
            SiteCode = site.Code,
            SiteTimeZone = site.TimeZone,
            Number = number!.Value,
            Sex = input.Sex,
            BirthYear = input.BirthYear,
            WeightKg = input.WeightKg,
            FailedAntidepressantTrials = answers.FailedAntidepressantTrials,
            PsychotherapyWithoutResponse = answers.PsychotherapyWithoutResponse,
            BpdDiagnosis = answers.BpdDiagnosis,
            PsychoticPersonalityOrganisation = answers.PsychoticPersonalityOrganisation,
            HighSuicideRisk = answers.HighSuicideRisk,
            Status = ParticipantStatuses.Enrolled,
            EnrolledDate = enrolledDate,
            EnrolledUtc = now,
            ProtocolVersion = protocol.Version,
            CreatedBy = w.Actor.UserId,
            ScreeningNumber = screening.ScreeningNumber,
        };
        await ParticipantQueries.InsertAsync(w.Session, participant);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Participant, participant.Code, AuditedParticipant.From(participant), participant.SiteCode, participant.Code));
        await w.ScheduleDataChangedAsync(participant.Id);
        // A new participant starts unevaluated (its row's safety markers differ), and the enrolment date is what the rules'
        // missed visits hang on: evaluate now, rather than leave it waiting for the next run of the sweep.
        await w.SafetyDataChangedAsync(participant.Id);
        return participant;
    }

    /// <summary>The named screening when it can be enrolled from: of this site, eligible under the protocol, on or before the enrolment date, not used yet.</summary>
    private async Task<(ScreeningRow? Screening, Refusal? Refusal)> CheckScreeningAsync(WriteScope w, string screeningNumber, string siteCode, DateOnly enrolledDate)
    {
        var screening = await ScreeningQueries.FindByNumberAsync(w.Session, screeningNumber);
        if (screening is null)
            return (null, Invalid.Field("screeningNumber", $"No screening with number '{screeningNumber}'."));
        // The other site is not named: the actor may not be one of its people.
        if (screening.SiteCode != siteCode)
            return (null, Invalid.Field("screeningNumber", $"Screening {screeningNumber} is not a screening of site {siteCode}; enrol at the site that screened."));
        var answers = new EligibilityAnswers(screening.FailedAntidepressantTrials, screening.PsychotherapyWithoutResponse, screening.BpdDiagnosis,
            screening.PsychoticPersonalityOrganisation, screening.HighSuicideRisk);
        // Judged again under the protocol in force, so an amendment that tightened a criterion also holds for earlier screenings.
        var failed = screening.FailedCriteriaCodes.Union(Eligibility.Failures(protocol.Eligibility, answers).Select(f => f.Criterion)).ToList();
        if (screening.Outcome != ScreeningOutcomes.Eligible || failed.Count > 0)
        {
            return (null, Invalid.Field("screeningNumber",
                $"Screening {screeningNumber} was a screen failure (criteria not met: {string.Join(", ", failed)}); only an eligible screening can be enrolled."));
        }
        if (screening.ParticipantCode is { } used)
        {
            return (null, new Conflict($"Screening {screeningNumber} was already used to enrol {used}; each screening enrols one participant.",
                new Dictionary<string, object?> { ["field"] = "screeningNumber", ["participantCode"] = used }));
        }
        if (enrolledDate < screening.ScreeningDate)
        {
            return (null, Invalid.Field("enrolledDate",
                $"Enrolment date {enrolledDate:yyyy-MM-dd} is before the screening {screeningNumber} ({screening.ScreeningDate:yyyy-MM-dd})."));
        }
        return (screening, null);
    }
}
