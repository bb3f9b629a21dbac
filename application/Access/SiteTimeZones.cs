namespace Trial.Application.Access;

public static class SiteTimeZones
{
    /// <summary>The longest time zone id accepted (Site.TimeZone holds it).</summary>
    public const int MaxIdLength = 64;

    /// <summary>Whether <paramref name="id"/> names an IANA time zone this machine knows.</summary>
    public static bool IsKnown(string id) =>
        id.Length <= MaxIdLength && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId;
}
