using Trial.Api.Infrastructure;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Sites;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Api.Participants;

public static class ParticipantAccess
{
    /// <summary>The participant with this code if it exists and the actor may see its site; else the 404 or 403 to return.</summary>
    public static async Task<(ParticipantRow? Participant, IResult? Error)> FindAsync(Database db, string code, Actor actor)
    {
        var participant = await db.ReadAsync(c => ParticipantQueries.FindByCodeAsync(c, code));
        return (participant, Check(participant, code, actor));
    }

    /// <summary>The 404 or 403 for a participant looked up by <paramref name="code"/>, or null when the actor may see it.</summary>
    public static IResult? Check(ParticipantRow? participant, string code, Actor actor)
    {
        if (participant is null) return Problems.NotFound($"No participant with code '{code}'.");
        if (!actor.CanAccessSite(participant.SiteCode))
            return Problems.Forbidden($"Participant {code} belongs to site {participant.SiteCode}, which is not one of your sites.");
        return null;
    }

    /// <summary>
    /// The sites a list should cover: the one asked for when the actor may see it, else all of the
    /// actor's sites (null for an admin: every site); a 403 when the asked-for site is not theirs.
    /// </summary>
    public static (IReadOnlyList<string>? Sites, IResult? Error) SiteScope(Actor actor, string? site)
    {
        if (string.IsNullOrWhiteSpace(site)) return (actor.SiteFilter, null);
        return actor.CanAccessSite(site)
            ? ([site], null)
            : (null, Problems.Forbidden($"Site {site} is not one of your sites."));
    }
}

/// <summary>
/// Rules every entry of a participant's data follows, whatever its kind: after withdrawal, data can still be entered
/// (e.g. a safety follow-up) but only with a reason, and the audit trail flags it.
/// </summary>
public static class DataEntry
{
    public const string AfterWithdrawalFlag = "after-withdrawal";

    /// <summary>A 409 when the participant is withdrawn and no reason was given; else null.</summary>
    public static IResult? CheckWithdrawal(ParticipantRow participant, string? reason) =>
        participant.Status == ParticipantStatuses.Withdrawn && string.IsNullOrWhiteSpace(reason)
            ? Problems.Conflict($"{participant.Code} was withdrawn from the study on {participant.WithdrawnDate:yyyy-MM-dd}; data entered after withdrawal needs a \"reason\" (e.g. safety follow-up), which the audit trail records.",
                new Dictionary<string, object?> { ["field"] = "reason" })
            : null;

    /// <summary>The audit flag of an entry for this participant.</summary>
    public static string? Flag(ParticipantRow participant) =>
        participant.Status == ParticipantStatuses.Withdrawn ? AfterWithdrawalFlag : null;

    public static string? Reason(string? reason) => string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();

    /// <summary>Checks the length of an optional reason (and requires it when <paramref name="required"/>).</summary>
    public static string? CheckReason(FieldErrors errors, string? reason, bool required, string what = "A reason for the change")
    {
        var text = required ? errors.Required(reason?.Trim(), "reason", what) : Reason(reason);
        if (text is { Length: > 2000 }) errors.Add("reason", "The reason must be at most 2000 characters.");
        return text;
    }

    /// <summary>Today in the participant's site's calendar.</summary>
    public static DateOnly Today(ParticipantRow participant, DateTime nowUtc) => SiteCalendar.Today(nowUtc, participant.TimeZone);
}
