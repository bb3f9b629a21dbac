using System.Text.RegularExpressions;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <param name="Code">2 to 10 capital letters, e.g. WAW.</param>
/// <param name="Name">The site's name.</param>
/// <param name="TimeZone">Its IANA time zone; the configured default when left out.</param>
public sealed record SiteInput(string? Code, string? Name, string? TimeZone);

/// <summary>A site as the audit trail records its creation.</summary>
internal sealed record AuditedSite(string Code, string Name, string TimeZone, DateTime CreatedUtc);

/// <summary>
/// Creates a study site (admin). Its time zone is the site's IANA time zone (e.g. Europe/Warsaw): the site's local calendar
/// decides "today", "in the future" and when a visit window closes.
/// </summary>
public sealed partial class CreateSite(SiteOptions options)
{
    /// <summary>The longest site name accepted.</summary>
    public const int MaxNameLength = 200;

    [GeneratedRegex("^[A-Z]{2,10}$")]
    private static partial Regex SiteCodePattern();

    /// <summary>A checked site, ready to be written.</summary>
    public sealed record Checked(string Code, string Name, string TimeZone);

    /// <summary>What can be decided before the write: the fields.</summary>
    public Outcome<Checked> Check(SiteInput input)
    {
        var errors = new FieldErrors();
        var code = errors.Required(input.Code?.Trim(), "code", "Site code");
        var name = errors.Required(input.Name?.Trim(), "name", "Site name");
        if (code is not null && !SiteCodePattern().IsMatch(code))
            errors.Add("code", $"Site code must be 2 to 10 capital letters (e.g. WAW); got '{code}'.");
        if (name?.Length > MaxNameLength) errors.Add("name", $"Site name must be at most {MaxNameLength} characters.");
        var timeZone = string.IsNullOrWhiteSpace(input.TimeZone) ? options.DefaultTimeZone : input.TimeZone.Trim();
        if (!SiteTimeZones.IsKnown(timeZone))
            errors.Add("timeZone", $"'{timeZone}' is not an IANA time zone known here; use a name such as Europe/Warsaw, America/New_York or UTC.");
        if (errors.Any) return errors.ToRefusal();
        return new Checked(code!, name!, timeZone);
    }

    /// <summary>Stores the site, with its audit row, unless a site with its code exists.</summary>
    public async Task<Outcome<Site>> WriteAsync(WriteScope w, Checked input)
    {
        var site = new SiteRow { Code = input.Code, Name = input.Name, TimeZone = input.TimeZone, CreatedUtc = w.NowUtc };
        if (await AccessQueries.FindSiteAsync(w.Session, site.Code) is not null)
            return new Conflict($"Site {site.Code} already exists.");
        await AccessQueries.InsertSiteAsync(w.Session, site);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Site, site.Code, new AuditedSite(site.Code, site.Name, site.TimeZone, site.CreatedUtc), site.Code, null));
        return new Site(site.Code, site.Name, site.TimeZone, site.CreatedUtc);
    }
}
