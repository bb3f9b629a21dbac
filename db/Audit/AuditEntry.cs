namespace Trial.Db.Audit;

/// <summary>What an audit row says happened; who, when and from which request come from the write scope.</summary>
/// <param name="EntityType">The kind of record (see <see cref="AuditEntities"/>).</param>
/// <param name="EntityId">The record's id (or its natural key, e.g. a participant code and visit).</param>
/// <param name="Action">One of <see cref="AuditActions"/>.</param>
/// <param name="SiteCode">The site the record belongs to, when it belongs to one.</param>
/// <param name="ParticipantCode">The participant the record belongs to, when it belongs to one.</param>
/// <param name="OldValue">Canonical JSON of the changed fields before the change (plus the key), null for a creation.</param>
/// <param name="NewValue">Canonical JSON of the changed fields after the change (plus the key).</param>
/// <param name="Reason">Why: required for every change after first entry.</param>
/// <param name="Flag">A marker a monitor filters on, e.g. data entered after the participant's withdrawal.</param>
public sealed record AuditEntry(
    string EntityType, string EntityId, string Action, string? SiteCode = null, string? ParticipantCode = null,
    string? OldValue = null, string? NewValue = null, string? Reason = null, string? Flag = null)
{
    /// <summary>A new record: its whole content as the new value.</summary>
    public static AuditEntry Created(string entityType, string entityId, object value, string? siteCode, string? participantCode, string? reason = null, string? flag = null) =>
        new(entityType, entityId, AuditActions.Create, siteCode, participantCode, null, CanonicalJson.Serialize(value), reason, flag);

    /// <summary>
    /// A change from <paramref name="before"/> to <paramref name="after"/>: only the fields that changed, plus the
    /// fields named in <paramref name="keys"/> (the record's key), on each side.
    /// </summary>
    public static AuditEntry Changed(string entityType, string entityId, string action, object before, object after, string? siteCode,
        string? participantCode, string? reason, string[]? keys = null, string? flag = null)
    {
        var (oldValue, newValue) = CanonicalJson.Diff(CanonicalJson.Of(before), CanonicalJson.Of(after), keys ?? ["id"]);
        return new(entityType, entityId, action, siteCode, participantCode, oldValue, newValue, reason, flag);
    }
}

public static class AuditActions
{
    public const string Create = "create", Update = "update", StateChange = "state-change", DeleteBySupersede = "delete-by-supersede",
        TokenIssued = "token-issued", TokenRevoked = "token-revoked", AccessDenied = "access-denied", Export = "export";

    /// <summary>A one-time activation code exchanged for a token by its user (the token's own row says it was issued).</summary>
    public const string ActivationCodeUsed = "activation-code-used";

    /// <summary>A read of arm data (an allocation, the allocations of a site, a preparation): who read whose, never the arm.</summary>
    public const string ArmRead = "arm-read";

    /// <summary>A role that sees arms asked for a user by one admin (<see cref="AccessRequested"/>), and approved by a second person (<see cref="AccessApproved"/>).</summary>
    public const string AccessRequested = "access-requested", AccessApproved = "access-approved";

    public static readonly IReadOnlyList<string> All = [Create, Update, StateChange, DeleteBySupersede, TokenIssued, TokenRevoked, AccessDenied, Export, ActivationCodeUsed, ArmRead, AccessRequested, AccessApproved];
}

public static class AuditEntities
{
    public const string Site = "site", User = "user", Token = "token", Participant = "participant", Visit = "visit", Infusion = "infusion",
        Vitals = "vitals", Assessment = "assessment", AdverseEvent = "adverse-event", SafetyAlert = "safety-alert", Access = "access",
        Extract = "extract", ActivationCode = "activation-code", CodingDictionary = "coding-dictionary", ConcomitantMedication = "concomitant-medication", Screening = "screening";

    /// <summary>
    /// Records of a blinded study's allocation. Their audit rows are read by admins and monitors, who are blinded, so they
    /// never carry the arm or anything that tells it (dose, drug, a guess); the records themselves are append-only.
    /// </summary>
    public const string Allocation = "allocation", AllocationList = "allocation-list", Preparation = "preparation", Unblinding = "unblinding",
        BlindingGuess = "blinding-guess";

    public static readonly IReadOnlyList<string> All =
        [Site, User, Token, Participant, Visit, Infusion, Vitals, Assessment, AdverseEvent, SafetyAlert, Access, Extract, CodingDictionary,
         ConcomitantMedication, Screening, ActivationCode, Allocation, AllocationList, Preparation, Unblinding, BlindingGuess];
}
