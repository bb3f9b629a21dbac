namespace Trial.Application.Access;

/// <summary>A user as the audit trail records their creation: never their token.</summary>
internal sealed record AuditedUser(Guid Id, string Name, string Role, IReadOnlyList<string> Sites, DateTime CreatedUtc);
