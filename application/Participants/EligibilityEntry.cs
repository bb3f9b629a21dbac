using Trial.Core.Participants;

namespace Trial.Application.Participants;

/// <summary>The answers to the eligibility criteria as entered; each is required.</summary>
public sealed record EligibilityInput(
    int? FailedAntidepressantTrials, bool? PsychotherapyWithoutResponse, bool? BpdDiagnosis, bool? PsychoticPersonalityOrganisation, bool? HighSuicideRisk);

/// <summary>
/// The eligibility answers as a screening and an enrolment take them, checked the same way for both (every answer present,
/// the number of trials plausible); whether they make the candidate eligible is the protocol's rule, <see cref="Eligibility.Failures"/>.
/// </summary>
public static class EligibilityEntry
{
    /// <summary>The answers, or null with the errors added (under eligibility and eligibility.&lt;criterion&gt;).</summary>
    public static EligibilityAnswers? Check(FieldErrors errors, EligibilityInput? input)
    {
        var e = errors.Required(input, "eligibility", "Eligibility");
        if (e is null) return null;
        var before = errors.Count;
        errors.Required(e.FailedAntidepressantTrials, "eligibility.failedAntidepressantTrials", "The number of failed antidepressant trials");
        if (e.FailedAntidepressantTrials is < 0 or > 50) errors.Add("eligibility.failedAntidepressantTrials", "The number of failed antidepressant trials must be between 0 and 50.");
        errors.Required(e.PsychotherapyWithoutResponse, "eligibility.psychotherapyWithoutResponse");
        errors.Required(e.BpdDiagnosis, "eligibility.bpdDiagnosis");
        errors.Required(e.PsychoticPersonalityOrganisation, "eligibility.psychoticPersonalityOrganisation");
        errors.Required(e.HighSuicideRisk, "eligibility.highSuicideRisk");
        if (errors.Count > before) return null;
        return new EligibilityAnswers(e.FailedAntidepressantTrials!.Value, e.PsychotherapyWithoutResponse!.Value, e.BpdDiagnosis!.Value,
            e.PsychoticPersonalityOrganisation!.Value, e.HighSuicideRisk!.Value);
    }
}
