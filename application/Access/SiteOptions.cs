namespace Trial.Application.Access;

/// <summary>Bound from the <c>Sites</c> section.</summary>
public sealed class SiteOptions
{
    /// <summary>The time zone of a site created without one.</summary>
    public string DefaultTimeZone { get; set; } = "UTC";
}
