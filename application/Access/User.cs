namespace Trial.Application.Access;

/// <summary>A user: their role and the sites they work at (none for an admin, who spans all).</summary>
public sealed record User(Guid Id, string Name, string Role, IReadOnlyList<string> Sites, DateTime CreatedUtc);
