using Trial.Core.Protocol;
using Trial.Core.Sites;
using Trial.Extracts.Reading;

namespace Trial.Extracts;

/// <summary>Everything a dataset reads from: the snapshot, the filters, who it is for and the protocol.</summary>
public sealed record ExportContext(ExportSnapshot Snapshot, ExportFilter Filter, ExtractAudience Audience, ProtocolDefinition Protocol, ExportAnchors Anchors)
{
    private Task<ExtractAllocations>? _allocations;

    /// <summary>
    /// Who is in which arm, read from the snapshot once, the first time a dataset needs it, and only for an unblinded
    /// audience: for anyone else there are none, so no blinded extract ever reads an arm.
    /// </summary>
    public Task<ExtractAllocations> AllocationsAsync() =>
        Audience.Unblinded ? _allocations ??= ExtractAllocations.ReadAsync(Snapshot, Filter, Protocol.Design) : Task.FromResult(ExtractAllocations.None);

    /// <summary>Each visit code's position in the protocol's visit plan, from 1 (visit_num, VISITNUM).</summary>
    public IReadOnlyDictionary<string, int> VisitNumbers { get; } =
        Protocol.Visits.Select((v, i) => (v.Code, Number: i + 1)).ToDictionary(v => v.Code, v => v.Number, StringComparer.Ordinal);

    /// <summary>The date visits of the site are judged against (missed or not): the site's own date at the snapshot, as the API's schedules use.</summary>
    public DateOnly Today(string siteCode) => LocalDate(siteCode, Snapshot.TakenUtc);

    /// <summary>The site's calendar date of an instant (the study day of an assessment counts in the site's days).</summary>
    public DateOnly LocalDate(string siteCode, DateTime utc) => SiteCalendar.LocalDate(utc, Zone(siteCode));

    /// <summary>
    /// The site's local date-time of an instant, with its offset (SDTM's --DTC); its date part is <see cref="LocalDate"/>'s. UTC for a
    /// site missing from the snapshot (created after it).
    /// </summary>
    public DateTimeOffset LocalDateTime(string siteCode, DateTime utc) => ExtractText.LocalDateTime(utc, Zone(siteCode));

    /// <summary>The site's time zone (UTC for a site the snapshot does not know).</summary>
    public TimeZoneInfo Zone(string siteCode) => Snapshot.SiteZones.TryGetValue(siteCode, out var zone) ? zone : TimeZoneInfo.Utc;
}
