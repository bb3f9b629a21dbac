using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Sites;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.Participants;

/// <summary>The answers to the eligibility criteria as entered; each is required.</summary>
public sealed record EligibilityInput(
    int? FailedAntidepressantTrials, bool? PsychotherapyWithoutResponse, bool? BpdDiagnosis, bool? PsychoticPersonalityOrganisation, bool? HighSuicideRisk);

/// <summary>
/// An enrolment as entered: the site (one of the actor's, the participant's code is made from it), sex, birth year, weight,
/// the eligibility answers, and the date of enrolment in the site's calendar (today there when null; never in the future).
/// </summary>
public sealed record EnrolmentInput(string? SiteCode, string? Sex, int? BirthYear, decimal? WeightKg, EligibilityInput? Eligibility, DateOnly? EnrolledDate);

/// <summary>
/// Enrols a participant at one of the actor's sites when the eligibility criteria are met; the code (e.g. WAW-0001) is the
/// site's next number. Enrolment starts the participant's visit plan and safety evaluation.
/// </summary>
public sealed class EnrolParticipant(ProtocolDefinition protocol)
{
    public static readonly IReadOnlyList<string> Sexes = ["F", "M", "X"];

    /// <summary>A checked enrolment, ready to be written.</summary>
    public sealed record Checked(string SiteCode, string Sex, int BirthYear, decimal WeightKg, EligibilityAnswers Answers, DateOnly? EnrolledDate);

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
        var e = errors.Required(input.Eligibility, "eligibility", "Eligibility");
        if (e is not null)
        {
            errors.Required(e.FailedAntidepressantTrials, "eligibility.failedAntidepressantTrials", "The number of failed antidepressant trials");
            if (e.FailedAntidepressantTrials is < 0 or > 50) errors.Add("eligibility.failedAntidepressantTrials", "The number of failed antidepressant trials must be between 0 and 50.");
            errors.Required(e.PsychotherapyWithoutResponse, "eligibility.psychotherapyWithoutResponse");
            errors.Required(e.BpdDiagnosis, "eligibility.bpdDiagnosis");
            errors.Required(e.PsychoticPersonalityOrganisation, "eligibility.psychoticPersonalityOrganisation");
            errors.Required(e.HighSuicideRisk, "eligibility.highSuicideRisk");
        }
        if (errors.Any) return errors.ToRefusal();

        if (!actor.CanAccessSite(siteCode!))
            return new Forbidden($"Site {siteCode} is not one of your sites.");

        var answers = new EligibilityAnswers(e!.FailedAntidepressantTrials!.Value, e.PsychotherapyWithoutResponse!.Value, e.BpdDiagnosis!.Value,
            e.PsychoticPersonalityOrganisation!.Value, e.HighSuicideRisk!.Value);
        var failures = Eligibility.Failures(protocol.Eligibility, answers);
        if (failures.Count > 0)
        {
            return new Invalid(
                failures.ToDictionary(f => "eligibility." + f.Criterion, f => new[] { f.Message }),
                "The participant does not meet the eligibility criteria: " + string.Join(" ", failures.Select(f => f.Message)));
        }

        return new Checked(siteCode!, sex!, birthYear!.Value, weight!.Value, answers, input.EnrolledDate);
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
        var number = await ParticipantQueries.TakeNextNumberAsync(w.Session, site.Code);
        var answers = input.Answers;
        var participant = new ParticipantRow
        {
            Id = SequentialGuid.New(now),
            Code = ParticipantCodes.Of(site.Code, number!.Value),
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
        };
        await ParticipantQueries.InsertAsync(w.Session, participant);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Participant, participant.Code, AuditedParticipant.From(participant), participant.SiteCode, participant.Code));
        await w.ScheduleDataChangedAsync(participant.Id);
        // A new participant starts unevaluated (its row's safety markers differ), and the enrolment date is what the rules'
        // missed visits hang on: evaluate now, rather than leave it waiting for the next run of the sweep.
        await w.SafetyDataChangedAsync(participant.Id);
        return participant;
    }
}
