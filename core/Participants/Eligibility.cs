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
            failures.Add(new("failedAntidepressantTrials",
                $"Treatment-resistant depression needs at least {rules.MinFailedAntidepressantTrials} adequate antidepressant trials without response; {a.FailedAntidepressantTrials} recorded."));
        }

        if (rules.RequirePsychotherapyWithoutResponse && !a.PsychotherapyWithoutResponse)
        {
            failures.Add(new("psychotherapyWithoutResponse",
                "Treatment-resistant depression needs at least one course of psychotherapy without response."));
        }

        if (rules.RequireBpdDiagnosis && !a.BpdDiagnosis)
            failures.Add(new("bpdDiagnosis", "A diagnosis of borderline personality disorder is required."));
        if (rules.ExcludePsychoticPersonalityOrganisation && a.PsychoticPersonalityOrganisation)
            failures.Add(new("psychoticPersonalityOrganisation", "A psychotic-level personality organisation excludes the participant."));
        return failures;
    }
}
