namespace Trial.Application.Access;

/// <summary>A study site: its code, name and IANA time zone, whose calendar decides its dates.</summary>
public sealed record Site(string Code, string Name, string TimeZone, DateTime CreatedUtc);
