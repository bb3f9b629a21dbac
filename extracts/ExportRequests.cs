using System.Globalization;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Instruments;
using Trial.Db.Access;
using Trial.Db.Infrastructure;
using Trial.Extracts.Reading;

namespace Trial.Extracts;

/// <summary>The filters as asked for, kept for the manifest and the record of the extract.</summary>
public sealed record ExportFilters(string? Site, IReadOnlyList<string>? Sites, string? Instrument, DateTime? Since, bool IncludeFreeText);

/// <summary>A checked extract request: what to read, for whom, and the filters as asked.</summary>
public sealed record ExportRequest(Actor Actor, ExportFilter Filter, ExtractAudience Audience, ExportFilters Filters);

public static class ExportRequests
{
    public const string SiteParameter = "site", InstrumentParameter = "instrument", SinceParameter = "since", FreeTextParameter = "includeFreeText";
    private static readonly string[] Known = [SiteParameter, InstrumentParameter, SinceParameter, FreeTextParameter];

    /// <summary>
    /// Roles that see treatment arms in extracts: the unblinded statistician, whose extracts carry the unblinded-only
    /// columns (ARMCD, ARM, STRATUM, RANDNO) and the randomisation list. Every other extract reader (statistician, admin) is blinded.
    /// </summary>
    public static readonly IReadOnlySet<string> UnblindedRoles = new HashSet<string>([Roles.UnblindedStatistician], StringComparer.Ordinal);

    /// <summary>
    /// Checks the query (<paramref name="parameters"/>: each parameter as sent, with every value given for it): no unknown
    /// parameter (a misspelt filter would silently return everything), a known instrument, an instant with its time zone,
    /// a site that exists and is the caller's, and free text only for an admin. Returns the request or the refusal naming
    /// the parameter.
    /// </summary>
    public static async Task<Outcome<ExportRequest>> CheckAsync(Database db, Actor actor, IReadOnlyDictionary<string, string?[]> parameters)
    {
        var unknown = parameters.Keys.Where(k => !Known.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            return new Invalid(unknown.ToDictionary(k => k, k => new[] { $"Unknown parameter '{k}'; the filters are {string.Join(", ", Known)}." }),
                $"Unknown parameter{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(k => $"'{k}'"))}; the filters are {string.Join(", ", Known)}.");
        }

        var repeated = Known.Where(k => Values(parameters, k).Length > 1).ToList();
        if (repeated.Count > 0)
        {
            return new Invalid(repeated.ToDictionary(k => k, k => new[] { $"{k} may be given once." }),
                $"{string.Join(", ", repeated)} may be given once; pull one site at a time, or leave site out for all of yours.");
        }

        var errors = new FieldErrors();

        var freeText = false;
        var freeTextText = Value(parameters, FreeTextParameter);
        if (freeTextText.Length > 0 && !bool.TryParse(freeTextText, out freeText))
            errors.Add(FreeTextParameter, $"includeFreeText must be true or false; got '{freeTextText}'.");

        var instrument = Blank(Value(parameters, InstrumentParameter));
        if (instrument is not null && !InstrumentCatalog.TryGet(instrument, out _))
            errors.Add(InstrumentParameter, $"Unknown instrument '{instrument}'; expected one of {string.Join(", ", InstrumentCatalog.All.Select(i => i.Code))}.");

        var since = ParseSince(Blank(Value(parameters, SinceParameter)), errors);

        var site = Blank(Value(parameters, SiteParameter));
        if (site is not null && await db.ReadAsync(c => AccessQueries.FindSiteAsync(c, site)) is null)
            errors.Add(SiteParameter, $"Unknown site '{site}'.");
        if (errors.Any) return errors.ToRefusal();

        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError;
        if (freeText && !actor.IsAdmin)
            return new Forbidden("Free text (adverse-event terms, comments, reasons) may identify a person: only an admin may ask for it (includeFreeText=true).");

        var audience = AudienceOf(actor, freeText);
        return new ExportRequest(actor, new ExportFilter(sites, instrument, since), audience, new ExportFilters(site, sites, instrument, since, freeText));
    }

    /// <summary>The audience of the actor's extracts: unblinded for the roles of <see cref="UnblindedRoles"/>, free text only when asked for.</summary>
    public static ExtractAudience AudienceOf(Actor actor, bool includeFreeText) => new(includeFreeText, UnblindedRoles.Contains(actor.Role));

    private static string?[] Values(IReadOnlyDictionary<string, string?[]> parameters, string name) =>
        parameters.TryGetValue(name, out var values) ? values : [];

    // As the query string reads it: the values given, joined (one at most by the time it is read), or empty when not given.
    private static string Value(IReadOnlyDictionary<string, string?[]> parameters, string name) => string.Join(",", Values(parameters, name));

    private static string? Blank(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTime? ParseSince(string? text, FieldErrors errors)
    {
        if (text is null) return null;
        const string example = "an ISO-8601 instant with its time zone, such as 2026-03-01T09:30:00Z or 2026-03-01T10:30:00%2B01:00 (a + in a URL must be written %2B)";
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value))
        {
            errors.Add(SinceParameter, $"since must be {example}; got '{text}'.");
            return null;
        }
        if (value.Kind == DateTimeKind.Unspecified)
        {
            errors.Add(SinceParameter, $"since must state its time zone, or it would be read in the server's zone and silently shift the pull: give {example}; got '{text}'.");
            return null;
        }
        var utc = value.ToUniversalTime();
        if (!AcceptedDates.Contains(utc))
        {
            errors.Add(SinceParameter, $"since must be {AcceptedDates.Range}; got '{text}'.");
            return null;
        }
        return utc;
    }
}
