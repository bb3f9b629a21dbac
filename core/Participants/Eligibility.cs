using Trial.Core.Protocol;

namespace Trial.Core.Participants;

/// <summary>The eligibility criteria as recorded at screening.</summary>
public sealed record EligibilityAnswers(
    int FailedAntidepressantTrials,
    bool PsychotherapyWithoutResponse,
    bool BpdDiagnosis,
    bool PsychoticPersonalityOrganisation,
    bool HighSuicideRisk);

public sealed record EligibilityFailure(string Criterion, string Message);

/// <summary>
/// The codes of the criteria a screening can fail, as the API's field names give them (eligibility.&lt;code&gt;) and the
/// screening's failedCriteria lists them; in the order they are checked. High suicide risk is recorded but is not a criterion.
/// </summary>
public static class EligibilityCriteria
{
    public const string FailedAntidepressantTrials = "failedAntidepressantTrials";
    public const string PsychotherapyWithoutResponse = "psychotherapyWithoutResponse";
    public const string BpdDiagnosis = "bpdDiagnosis";
    public const string PsychoticPersonalityOrganisation = "psychoticPersonalityOrganisation";

    public static readonly IReadOnlyList<string> All = [FailedAntidepressantTrials, PsychotherapyWithoutResponse, BpdDiagnosis, PsychoticPersonalityOrganisation];
}

/// <summary>What a screening concluded: eligible when no criterion failed, else a screen failure.</summary>
public static class ScreeningOutcomes
{
    public const string Eligible = "eligible";
    public const string ScreenFailure = "screen-failure";

    public static readonly IReadOnlyList<string> All = [Eligible, ScreenFailure];

    public static string Of(IReadOnlyCollection<EligibilityFailure> failures) => failures.Count == 0 ? Eligible : ScreenFailure;
}

public static class Eligibility
{
    /// <summary>
    /// The criteria a participant fails under the protocol (empty when eligible). High suicide
    /// risk does not exclude: the protocol says it moves care to an inpatient setting.
    /// </summary>
    public static IReadOnlyList<EligibilityFailure> Failures(EligibilityRules rules, EligibilityAnswers a)
    {
        var failures = new List<EligibilityFailure>();
        if (a.FailedAntidepressantTrials < rules.MinFailedAntidepressantTrials)
        {
            failures.Add(new(EligibilityCriteria.FailedAntidepressantTrials,
                $"Treatment-resistant depression needs at least {rules.MinFailedAntidepressantTrials} adequate antidepressant trials without response; {a.FailedAntidepressantTrials} recorded."));
        }

        if (rules.RequirePsychotherapyWithoutResponse && !a.PsychotherapyWithoutResponse)
        {
            failures.Add(new(EligibilityCriteria.PsychotherapyWithoutResponse,
                "Treatment-resistant depression needs at least one course of psychotherapy without response."));
        }

        if (rules.RequireBpdDiagnosis && !a.BpdDiagnosis)
            failures.Add(new(EligibilityCriteria.BpdDiagnosis, "A diagnosis of borderline personality disorder is required."));
        if (rules.ExcludePsychoticPersonalityOrganisation && a.PsychoticPersonalityOrganisation)
            failures.Add(new(EligibilityCriteria.PsychoticPersonalityOrganisation, "A psychotic-level personality organisation excludes the participant."));
        return failures;
    }
}
