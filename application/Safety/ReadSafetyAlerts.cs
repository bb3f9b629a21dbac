using Trial.Application.Paging;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Db.Infrastructure;
using Trial.Db.Safety;

namespace Trial.Application.Safety;

/// <summary>The filters of the monitors' alert list; null means any. Superseded alerts are left out unless asked for.</summary>
public sealed record SafetyAlertQuery(
    string? Status, string? Severity, string? Site, string? Participant, string? Rule, DateTime? Since, bool? IncludeSuperseded,
    int? Limit = null, string? Cursor = null);

/// <summary>An alert with its history: raised, acknowledged, escalated, resolved, superseded, each with who, when and why.</summary>
public sealed record SafetyAlertWithHistory(SafetyAlertRow Alert, IReadOnlyList<SafetyAlertEventRow> History);

/// <summary>The safety alerts as monitors and investigators read them: of their sites only.</summary>
public sealed class ReadSafetyAlerts(Database db, ProtocolDefinition protocol)
{
    private const string List = "safety-alerts";

    /// <summary>
    /// A page of the alerts at the actor's sites that pass the filters, newest first (then by id); refused for an unknown filter
    /// value, another site, a limit out of bounds or a cursor not of this list.
    /// </summary>
    public async Task<Outcome<Page<SafetyAlertRow>>> ListAsync(Actor actor, SafetyAlertQuery query)
    {
        var errors = new FieldErrors();
        var page = Pages.Check(query.Limit, query.Cursor, List, 2, errors);
        DateTime? afterRaisedUtc = null;
        Guid? afterId = null;
        if (page.After is [var raised, var id])
        {
            if (Pages.TryInstant(raised, out var r) && Pages.TryId(id, out var i)) (afterRaisedUtc, afterId) = (r, i);
            else errors.Add("cursor", Pages.BadCursor);
        }
        if (query.Status is { } status && !AlertStatuses.All.Contains(status))
            errors.Add("status", $"status must be one of {string.Join(", ", AlertStatuses.All)}; got '{status}'.");
        if (query.Severity is { } severity && !ProtocolLoader.Severities.Contains(severity))
            errors.Add("severity", $"severity must be one of {string.Join(", ", ProtocolLoader.Severities)}; got '{severity}'.");
        if (query.Rule is { } rule && protocol.FindRule(rule) is null)
            errors.Add("rule", $"Unknown rule '{rule}'; the rules are {string.Join(", ", protocol.SafetyRules.Select(r => r.Code))}.");
        AcceptedDates.Check(query.Since?.ToUniversalTime(), "since", errors);
        if (errors.Any) return errors.ToRefusal();
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, query.Site);
        if (siteError is not null) return siteError;
        var rows = await db.ReadAsync(c => SafetyQueries.ListAsync(c,
            new AlertFilter(sites, query.Status, query.Severity, query.Participant, query.Rule, query.Since?.ToUniversalTime(), query.IncludeSuperseded ?? false,
                page.Limit + 1, afterRaisedUtc, afterId)));
        return Pages.Cut(rows, page, List, a => [Pages.Key(a.RaisedUtc), Pages.Key(a.Id)]);
    }

    /// <summary>One alert with its history, when the actor may see it.</summary>
    public async Task<Outcome<SafetyAlertWithHistory>> GetAsync(Actor actor, Guid id)
    {
        var (alert, refusal) = await SafetyAlertAccess.FindAsync(db, id, actor);
        if (refusal is not null) return refusal;
        var events = await db.ReadAsync(c => SafetyQueries.EventsAsync(c, id));
        return new SafetyAlertWithHistory(alert!, events);
    }
}
