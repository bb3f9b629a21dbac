using System.Globalization;
using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Audit;

/// <param name="Entity">The kind of record (see <see cref="AuditEntities"/>).</param>
/// <param name="Id">The record's id.</param>
/// <param name="EntityId">The record's id, by its other name; give it once, as Id or as EntityId.</param>
/// <param name="Participant">The participant's code.</param>
/// <param name="User">Who wrote.</param>
/// <param name="Since">From this instant on, with its time zone.</param>
/// <param name="After">The cursor of the page before: rows after it.</param>
/// <param name="Limit">Rows per page; <see cref="ReadAuditTrail.DefaultPageSize"/> when left out.</param>
public sealed record AuditQuery(string? Entity, string? Id, string? EntityId, string? Participant, Guid? User, DateTime? Since, long? After, int? Limit);

/// <summary>One page of the trail; <see cref="NextCursor"/> reads on (null on the last page).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEventRow> Items, string? NextCursor);

/// <summary>
/// The audit trail in order, a page at a time: who changed what, when and why. Admins read all of it; monitors the rows of
/// their sites.
/// </summary>
public sealed class ReadAuditTrail(Database db)
{
    public const int DefaultPageSize = 100, MaxPageSize = 1000;

    public async Task<Outcome<AuditPage>> PageAsync(Actor actor, AuditQuery query)
    {
        var (entity, id, entityId, after, limit) = (query.Entity, query.Id, query.EntityId, query.After, query.Limit);
        var errors = new FieldErrors();
        if (entity is not null && !AuditEntities.All.Contains(entity))
            errors.Add("entity", $"Unknown entity '{entity}'; the audit trail records {string.Join(", ", AuditEntities.All)}.");
        if (id is not null && entityId is not null && id != entityId) errors.Add("id", "Give the entity's id once, as id or as entityId.");
        var sinceUtc = errors.Instant(query.Since, "since", "since", required: false);
        if (after is < 0) errors.Add("after", "after must be a cursor returned by an earlier page (a number of 0 or more).");
        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize) errors.Add("limit", $"limit must be between 1 and {MaxPageSize}; got {size}.");
        if (errors.Any) return errors.ToRefusal();

        // Monitors see the rows of their sites; rows of no site (users, tokens) are for admins.
        var page = await db.ReadAsync(c => AuditQueries.PageAsync(c,
            new AuditFilter(actor.SiteFilter, entity, id ?? entityId, query.Participant, query.User, sinceUtc, after ?? 0, size)));
        var next = page.Count == size ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return new AuditPage(page, next);
    }
}
