namespace Trial.Core.Participants;

/// <summary>The parts of the study a disposition falls in, as SDTM's EPOCH names them.</summary>
public static class StudyEpochs
{
    public const string Screening = "SCREENING", Treatment = "TREATMENT", FollowUp = "FOLLOW-UP";
}

/// <summary>
/// What a participant's disposition is derived from: the dates of the first and of the last infusion visit of the plan
/// (null until recorded), the early stop of the infusions and the withdrawal from the study with their coded reasons
/// (<see cref="DispositionReasons"/>; null when not recorded, or recorded before reasons were coded), the participant's
/// status and the date of the last follow-up visit of the plan.
/// </summary>
public sealed record DispositionFacts(
    DateOnly? FirstInfusionDate,
    DateOnly? LastInfusionDate,
    DateOnly? InfusionsDiscontinuedDate,
    string? DiscontinuationReasonCode,
    DateOnly? WithdrawnDate,
    string? WithdrawalReasonCode,
    string Status,
    DateOnly? LastFollowUpDate);

/// <summary>Which record an end of treatment or of study comes from: so a reader can show that record's own words.</summary>
public enum DispositionSource
{
    /// <summary>The plan was followed to its end (last infusion visit, or last follow-up visit, recorded).</summary>
    Completion,

    /// <summary>The site stopped the infusions early.</summary>
    Discontinuation,

    /// <summary>The participant left the study.</summary>
    Withdrawal,
}

/// <summary>
/// The end of the treatment or of the study: when, completed or not, and why not (<paramref name="ReasonCode"/>, null when
/// completed or when the early end was recorded without a coded reason), in which epoch.
/// </summary>
public sealed record DispositionEnd(DateOnly Date, DispositionSource Source, string? ReasonCode, string Epoch)
{
    public bool Completed => Source == DispositionSource.Completion;

    /// <summary>As SDTM DS's DSDECOD gives it: COMPLETED, or the coded reason (null when none was recorded).</summary>
    public string? Decoded => Completed ? Disposition.Completed : ReasonCode;
}

/// <summary>
/// A participant's end of treatment and end of study, derived once for every reader: the disposition extract (SDTM DS), the
/// subject-level data and the CONSORT flow count the same participants the same way.
/// </summary>
public static class Disposition
{
    /// <summary>The NCOMPLT term for a treatment or a study followed to its end.</summary>
    public const string Completed = "COMPLETED";

    /// <summary>How the extracts and the CONSORT flow name an early end recorded before coded reasons were kept.</summary>
    public const string NotRecorded = "NOT RECORDED";

    /// <summary>
    /// The end of the infusions: stopped early (the site's record wins), or every infusion visit of the plan reached (the last
    /// one recorded), or the participant left while infusions were still planned (started, not finished, no discontinuation
    /// recorded: the withdrawal ends the treatment too, with its reason). Null while infusions go on, and for a participant who
    /// left before the first infusion (they never started treatment).
    /// </summary>
    public static DispositionEnd? EndOfTreatment(DispositionFacts f)
    {
        if (f.InfusionsDiscontinuedDate is { } stopped)
        {
            return new DispositionEnd(stopped, DispositionSource.Discontinuation, f.DiscontinuationReasonCode,
                f.FirstInfusionDate is null ? StudyEpochs.Screening : StudyEpochs.Treatment);
        }
        if (f.LastInfusionDate is { } last) return new DispositionEnd(last, DispositionSource.Completion, null, StudyEpochs.Treatment);
        if (f.WithdrawnDate is { } left && f.FirstInfusionDate is not null)
            return new DispositionEnd(left, DispositionSource.Withdrawal, f.WithdrawalReasonCode, StudyEpochs.Treatment);
        return null;
    }

    /// <summary>
    /// The end of the study: withdrawn (lost to follow-up is a withdrawal coded LOST TO FOLLOW-UP) with the coded reason, or
    /// completed (status completed, the last follow-up visit recorded). Null while the participant is still in the study.
    /// </summary>
    public static DispositionEnd? EndOfStudy(DispositionFacts f)
    {
        if (f.WithdrawnDate is { } left)
        {
            var treatmentEnded = EndOfTreatment(f)?.Date;
            var epoch = f.FirstInfusionDate is not { } first || left < first ? StudyEpochs.Screening
                : treatmentEnded is { } ended && left > ended ? StudyEpochs.FollowUp
                : StudyEpochs.Treatment;
            return new DispositionEnd(left, DispositionSource.Withdrawal, f.WithdrawalReasonCode, epoch);
        }
        if (f.Status == ParticipantStatuses.Completed && f.LastFollowUpDate is { } completed)
            return new DispositionEnd(completed, DispositionSource.Completion, null, StudyEpochs.FollowUp);
        return null;
    }

    /// <summary>True when the participant left the study lost to follow-up (a withdrawal so coded).</summary>
    public static bool LostToFollowUp(DispositionEnd? endOfStudy) =>
        endOfStudy is { Source: DispositionSource.Withdrawal, ReasonCode: DispositionReasons.LostToFollowUp };
}
