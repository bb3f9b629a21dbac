using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.Coding;
using Trial.Db.Infrastructure;

namespace Trial.Application.Coding;

/// <summary>
/// An adverse event a coder has to code, with what coding needs and nothing more of the clinical record: its site,
/// participant code, id, verbatim term, onset date and version (the ETag to send when coding it). <paramref name="PreviousTermCode"/>
/// is the code it had when its verbatim term was changed after coding; null when it was never coded.
/// </summary>
public sealed record UncodedAdverseEvent(string SiteCode, string ParticipantCode, Guid AdverseEventId, string VerbatimTerm, DateOnly OnsetDate, int Version,
    string? PreviousTermCode);

/// <summary>At most <c>limit</c> events to code, oldest onset first; <paramref name="More"/> when there are more than these.</summary>
public sealed record UncodedPage(IReadOnlyList<UncodedAdverseEvent> Items, bool More);

/// <summary>What coders and admins read of coding: the events to code at their sites, and the dictionary loads.</summary>
public sealed class ReadCoding(Database db)
{
    public const int DefaultLimit = 100, MaxLimit = 1000;

    /// <summary>The events not coded yet (or whose verbatim term changed since), of the actor's sites or one of them.</summary>
    public async Task<Outcome<UncodedPage>> UncodedAsync(Actor actor, string? site, int? limit)
    {
        if (actor.Role is not (Roles.Coder or Roles.Admin)) return new Forbidden("Only a coder or an admin reads the events to code.");
        if (limit is < 1 or > MaxLimit) return Invalid.Field("limit", $"limit must be between 1 and {MaxLimit}.");
        var (sites, refusal) = ParticipantAccess.SiteScope(actor, site);
        if (refusal is not null) return refusal;
        var take = limit ?? DefaultLimit;
        var rows = await db.ReadAsync(c => CodingQueries.UncodedAsync(c, sites, take + 1));
        return new UncodedPage([.. rows.Take(take).Select(r => new UncodedAdverseEvent(r.SiteCode, r.ParticipantCode, r.Id, r.Term, r.OnsetDate, r.RowVersion, r.CodingTermCode))],
            rows.Count > take);
    }

    /// <summary>Every dictionary load, oldest first: the last is the current one.</summary>
    public async Task<IReadOnlyList<LoadedDictionary>> DictionariesAsync() =>
        [.. (await db.ReadAsync(CodingQueries.ListDictionariesAsync)).Select(LoadedDictionary.Of)];
}
