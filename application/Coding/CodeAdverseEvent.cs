using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.AdverseEvents;
using Trial.Db.Audit;
using Trial.Db.Coding;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.Coding;

/// <param name="DictionaryTermCode">A term of the current dictionary: a preferred term's code (two levels) or a current lowest level term's (MedDRA).</param>
/// <param name="Reason">Why: required to recode an event already coded.</param>
public sealed record CodingInput(string? DictionaryTermCode, string? Reason);

/// <summary>An adverse event's coding: the term it was coded to, with its preferred term and system organ class, and the dictionary load.</summary>
public sealed record AdverseEventCoding(
    Guid AdverseEventId, string ParticipantCode, string SiteCode, string VerbatimTerm, Guid DictionaryId, string DictionaryName, string DictionaryVersion,
    string DictionarySource, string TermCode, string Term, string PreferredTermCode, string PreferredTerm, string SocCode, string Soc, DateTime CodedUtc,
    int Version);

/// <summary>An event's coding as the audit trail records it (all empty before its first coding).</summary>
internal sealed record AuditedCoding(
    Guid Id, string? Dictionary, string? DictionaryVersion, string? TermCode, string? Term, string? PreferredTermCode, string? PreferredTerm,
    string? SocCode, string? Soc, string? CodedVerbatim, int Version);

/// <summary>
/// A coder (or an admin) codes an adverse event to a term of the current dictionary, naming the event's version they read
/// (If-Match) so a change made meanwhile is not coded unseen. The first coding and every recoding are audited; recoding
/// needs a reason. The site's verbatim term is not changed.
/// </summary>
public sealed class CodeAdverseEvent(Database db)
{
    public sealed record Checked(ParticipantRow Participant, AdverseEventRow Event, AdverseEventCodingRow Coding, CodingDictionaryRow Dictionary,
        CodingTermRow Term, CodingDictionaryRow? PreviousDictionary, CodingTermRow? PreviousTerm, string? Reason);

    public async Task<Outcome<Checked>> CheckAsync(Actor actor, Guid id, string? ifMatch, CodingInput input)
    {
        if (actor.Role is not (Roles.Coder or Roles.Admin)) return new Forbidden("Only a coder or an admin codes adverse events.");
        var current = await db.ReadAsync(c => AdverseEventQueries.GetAsync(c, id));
        if (current is null) return new NotFound($"No adverse event with id {id}.");
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, current.ParticipantCode, actor);
        if (refusal is not null) return refusal;
        if (RecordVersions.Check(ifMatch, current.RowVersion, "adverse event") is { } precondition) return precondition;
        var coding = (await db.ReadAsync(c => CodingQueries.GetCodingAsync(c, id)))!;
        var recoding = coding.CodingDictionaryId is not null;

        var errors = new FieldErrors();
        var code = errors.Required(input.DictionaryTermCode?.Trim(), "dictionaryTermCode", "The dictionary term's code (dictionaryTermCode)");
        var reason = DataEntry.CheckReason(errors, input.Reason, required: recoding, "A reason for recoding");
        if (errors.Any) return errors.ToRefusal();

        var dictionary = await db.ReadAsync(CodingQueries.CurrentDictionaryAsync);
        if (dictionary is null) return new Conflict("No coding dictionary is loaded yet; an admin loads one first (POST /api/v1/coding/dictionaries).");
        var term = await db.ReadAsync(c => CodingQueries.FindTermAsync(c, dictionary.Id, code!));
        if (term is null) return Invalid.Field("dictionaryTermCode", $"{dictionary.Name} {dictionary.Version} has no term with code '{code}'.");
        if (!term.IsCurrent) return Invalid.Field("dictionaryTermCode", $"'{term.Term}' ({code}) is not current in {dictionary.Name} {dictionary.Version}; code to a current term.");
        if (coding.CodingDictionaryId == dictionary.Id && coding.CodingTermCode == term.TermCode && coding.CodedVerbatim == current.Term)
            return new Conflict($"The adverse event is already coded to '{term.Term}' ({term.TermCode}) in {dictionary.Name} {dictionary.Version}.");

        CodingDictionaryRow? previousDictionary = null;
        CodingTermRow? previousTerm = null;
        if (recoding)
        {
            previousDictionary = (await db.ReadAsync(CodingQueries.ListDictionariesAsync)).Single(d => d.Id == coding.CodingDictionaryId);
            previousTerm = await db.ReadAsync(c => CodingQueries.FindTermAsync(c, coding.CodingDictionaryId!.Value, coding.CodingTermCode!));
        }
        return new Checked(participant!, current, coding, dictionary, term, previousDictionary, previousTerm, reason);
    }

    /// <summary>Codes the event with its audit row (the coding before and after), unless the event changed since it was read.</summary>
    public async Task<Outcome<AdverseEventCoding>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, current, dictionary, term) = (input.Participant, input.Event, input.Dictionary, input.Term);
        if (await CodingQueries.CodeAsync(w.Session, current.Id, current.RowVersion, dictionary.Id, term.TermCode, w.NowUtc, w.Actor.UserId) == 0)
            return RecordVersions.Stale(current.RowVersion + 1, "adverse event");
        var before = input.PreviousTerm is { } p
            ? new AuditedCoding(current.Id, input.PreviousDictionary!.Name, input.PreviousDictionary.Version, p.TermCode, p.Term, p.PreferredTermCode, p.PreferredTerm,
                p.SocCode, p.Soc, input.Coding.CodedVerbatim, current.RowVersion)
            : new AuditedCoding(current.Id, null, null, null, null, null, null, null, null, null, current.RowVersion);
        var after = new AuditedCoding(current.Id, dictionary.Name, dictionary.Version, term.TermCode, term.Term, term.PreferredTermCode, term.PreferredTerm,
            term.SocCode, term.Soc, current.Term, current.RowVersion + 1);
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.AdverseEvent, current.Id.ToString(), AuditActions.Update, before, after,
            participant.SiteCode, participant.Code, input.Reason, flag: DataEntry.Flag(participant)));
        return new AdverseEventCoding(current.Id, participant.Code, participant.SiteCode, current.Term, dictionary.Id, dictionary.Name, dictionary.Version,
            dictionary.Source, term.TermCode, term.Term, term.PreferredTermCode, term.PreferredTerm, term.SocCode, term.Soc, w.NowUtc, current.RowVersion + 1);
    }
}
