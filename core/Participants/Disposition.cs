using Trial.Core.Schedule;
namespace Trial.Core.Participants;

/// <summary>What a participant's end of treatment and end of study are derived from, all as the site recorded them.</summary>
/// <param name="FirstInfusionDate">The date of the plan's first infusion visit (INF1), when recorded.</param>
/// <param name="LastInfusionVisitDate">The date of the plan's last infusion visit (INF4), when recorded.</param>
/// <param name="InfusionsDiscontinuedDate">The date infusions were stopped early, if they were.</param>
/// <param name="DiscontinuationReasonCode">Its coded reason (null when recorded before coded reasons were kept).</param>
/// <param name="WithdrawnDate">The date the participant left the study (lost to follow-up included), if they did.</param>
/// <param name="WithdrawalReasonCode">Its coded reason (null when recorded before coded reasons were kept).</param>
/// <param name="Status">One of <see cref="ParticipantStatuses"/>.</param>
/// <param name="LastFollowUpDate">The date of the plan's last follow-up visit (FU-M6), when recorded.</param>
public sealed record DispositionFacts(
    DateOnly? FirstInfusionDate,
    DateOnly? LastInfusionVisitDate,
    DateOnly? InfusionsDiscontinuedDate,
    string? DiscontinuationReasonCode,
    DateOnly? WithdrawnDate,
    string? WithdrawalReasonCode,
    string Status,
    DateOnly? LastFollowUpDate);

/// <summary>Where a disposition event comes from: which of the site's records, or the plan completed.</summary>
public enum DispositionSource
{
    Completion,
    Discontinuation,
    Withdrawal,
}

/// <summary>
/// The end of the infusions or of the study: when, from which record, the coded reason (an NCOMPLT term; null for a
/// completion, or for an early end recorded before coded reasons were kept) and the epoch it falls in.
/// </summary>
public sealed record DispositionEvent(DateOnly Date, DispositionSource Source, string? ReasonCode, string Epoch)
{
    public bool Completed => Source == DispositionSource.Completion;
}

/// <summary>The participant's end of treatment and end of study; null for one not reached (yet).</summary>
public sealed record DispositionOutcome(DispositionEvent? EndOfTreatment, DispositionEvent? EndOfStudy);

/// <summary>
/// The one derivation of a participant's disposition, which disposition.csv (SDTM DS) and subjects.csv (ADSL's EOTSTT and
/// EOSSTT) both show, so the two files cannot disagree. The rules, with their reasons, are in docs/extracts.md.
/// </summary>
public static class Disposition
{
    public static DispositionOutcome Of(DispositionFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var first = facts.FirstInfusionDate;
        // The epoch of each event as every extract derives it (StudyEpochs): the end of the infusions is the end of treatment below.
        var treatmentEnded = StudyEpochs.TreatmentEnded(first, facts.InfusionsDiscontinuedDate, facts.LastInfusionVisitDate, facts.WithdrawnDate);
        string EpochOf(DateOnly date) => StudyEpochs.Of(date, first, treatmentEnded);

        // End of treatment: infusions stopped early (the site's record wins), or every infusion of the plan given, or the
        // participant left while infusions were still planned (started, not finished, no discontinuation recorded).
        DispositionEvent? endOfTreatment = null;
        if (facts.InfusionsDiscontinuedDate is { } stopped)
            endOfTreatment = new(stopped, DispositionSource.Discontinuation, facts.DiscontinuationReasonCode, EpochOf(stopped));
        else if (facts.LastInfusionVisitDate is { } last)
            endOfTreatment = new(last, DispositionSource.Completion, null, EpochOf(last));
        else if (facts.WithdrawnDate is { } leftDuringInfusions && first is not null)
            endOfTreatment = new(leftDuringInfusions, DispositionSource.Withdrawal, facts.WithdrawalReasonCode, EpochOf(leftDuringInfusions));

        // End of study: withdrawn (lost to follow-up included) with the coded reason, or completed (last follow-up recorded).
        DispositionEvent? endOfStudy = null;
        if (facts.WithdrawnDate is { } left)
            endOfStudy = new(left, DispositionSource.Withdrawal, facts.WithdrawalReasonCode, EpochOf(left));
        else if (facts.Status == ParticipantStatuses.Completed && facts.LastFollowUpDate is { } completed)
            endOfStudy = new(completed, DispositionSource.Completion, null, EpochOf(completed));
        return new DispositionOutcome(endOfTreatment, endOfStudy);
    }
}
