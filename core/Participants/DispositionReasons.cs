namespace Trial.Core.Participants;

/// <summary>
/// Why a participant stopped infusions early or left the study, coded with the CDISC controlled terms of the NCOMPLT
/// codelist (completion/reason for non-completion), written exactly as CDISC spells them: the coded reason is what the
/// analysis (CONSORT flow, SDTM DS's DSDECOD) counts; the free-text reason beside it only explains. The one list of
/// the codes: the API checks against it, the extracts describe their columns with it.
/// </summary>
public static class DispositionReasons
{
    public const string AdverseEvent = "ADVERSE EVENT";
    public const string LackOfEfficacy = "LACK OF EFFICACY";
    public const string WithdrawalBySubject = "WITHDRAWAL BY SUBJECT";
    public const string LostToFollowUp = "LOST TO FOLLOW-UP";
    public const string PhysicianDecision = "PHYSICIAN DECISION";
    public const string ProtocolDeviation = "PROTOCOL DEVIATION";
    public const string Death = "DEATH";
    public const string Other = "OTHER";

    /// <summary>The codes, in the order the API and the dictionary list them.</summary>
    public static IReadOnlyList<string> All { get; } =
        Array.AsReadOnly([AdverseEvent, LackOfEfficacy, WithdrawalBySubject, LostToFollowUp, PhysicianDecision, ProtocolDeviation, Death, Other]);

    /// <summary>True for one of <see cref="All"/>, spelt exactly (case and spaces included).</summary>
    public static bool IsKnown(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);
}
