namespace Trial.Application.Access;

public static class SiteTimeZones
{
    /// <summary>Whether <paramref name="id"/> names an IANA time zone this machine knows.</summary>
    public static bool IsKnown(string id) =>
        id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId;
}
