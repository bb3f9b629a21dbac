namespace Trial.Application.Access;

/// <summary>Bound from the <c>Access</c> section.</summary>
public sealed class AccessOptions
{
    /// <summary>How long a newly issued token is valid.</summary>
    public int TokenLifetimeDays { get; set; } = 365;

    /// <summary>How long a one-time activation code (given to an admin for a new user, or to reset a user's access) can be exchanged for a token.</summary>
    public int ActivationCodeLifetimeHours { get; set; } = 72;

    /// <summary>How long a resolved token is trusted without asking the database again (0 turns the cache off).
    /// A token revoked through another API process stops working here within this many seconds.</summary>
    public int TokenCacheSeconds { get; set; } = 5;

    /// <summary>Refused requests recorded in the audit trail per caller (token, or address when unauthenticated) per minute.</summary>
    public int DeniedAuditsPerCallerPerMinute { get; set; } = 10;

    /// <summary>Refused requests recorded in the audit trail per minute in all.</summary>
    public int DeniedAuditsPerMinute { get; set; } = 120;

    /// <summary>
    /// The id of a user (any role) who may approve a request for a role that sees arms instead of a second admin: for a study
    /// with a single admin. Never their own request, nor a request made for themselves. None by default.
    /// </summary>
    public Guid? UnblindedAccessApprover { get; set; }
}
