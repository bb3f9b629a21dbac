namespace Trial.Application.Access;

/// <summary>
/// A user: their role and the sites they work at (none for an admin, who spans all); for a role that sees arms, whether a
/// second person approved it (<see cref="UnblindedAccess"/>); and a change of access awaiting approval, if any.
/// </summary>
public sealed record User(Guid Id, string Name, string Role, IReadOnlyList<string> Sites, DateTime CreatedUtc,
    string ArmAccess = UnblindedAccess.None, PendingAccess? PendingAccess = null);
