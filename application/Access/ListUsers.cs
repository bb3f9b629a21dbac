using Trial.Application.Paging;
using Trial.Db.Access;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>The users, in the order they were created, each with their sites, their arm access and any pending request (admin).</summary>
public sealed class ListUsers(Database db)
{
    private const string List = "users";

    /// <summary>A page of the users in the order they were created (then by id); refused for a limit out of bounds or a cursor not of this list.</summary>
    public async Task<Outcome<Page<User>>> ListAsync(int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        var page = Pages.Check(limit, cursor, List, 2, errors);
        var (afterCreatedUtc, afterId) = (DateTime.MinValue, Guid.Empty);
        if (page.After is [var created, var id])
        {
            if (Pages.TryInstant(created, out var c) && Pages.TryId(id, out var i)) (afterCreatedUtc, afterId) = (c, i);
            else errors.Add("cursor", Pages.BadCursor);
        }
        if (errors.Any) return errors.ToRefusal();
        var users = await db.ReadAsync(async c =>
        {
            var pending = await AccessRequestQueries.AllPendingAsync(c);
            var approved = await AccessRequestQueries.ApprovedUsersAsync(c);
            var result = new List<User>();
            foreach (var u in await AccessQueries.ListUsersAsync(c, page.Limit + 1, afterCreatedUtc, afterId))
            {
                result.Add(new User(u.Id, u.Name, u.Role, await AccessQueries.UserSitesAsync(c, u.Id), u.CreatedUtc,
                    UnblindedAccess.StateOf(u.Role, approved.Contains(u.Id)), PendingAccess.From(pending.GetValueOrDefault(u.Id))));
            }
            return result;
        });
        return Pages.Cut(users, page, List, u => [Pages.Key(u.CreatedUtc), Pages.Key(u.Id)]);
    }
}
