using Trial.Db.Access;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>The users, in the order they were created, each with their sites, their arm access and any pending request (admin).</summary>
public sealed class ListUsers(Database db)
{
    public async Task<IReadOnlyList<User>> ListAsync() =>
        await db.ReadAsync(async c =>
        {
            var pending = await AccessRequestQueries.AllPendingAsync(c);
            var approved = await AccessRequestQueries.ApprovedUsersAsync(c);
            var result = new List<User>();
            foreach (var u in await AccessQueries.ListUsersAsync(c))
            {
                result.Add(new User(u.Id, u.Name, u.Role, await AccessQueries.UserSitesAsync(c, u.Id), u.CreatedUtc,
                    UnblindedAccess.StateOf(u.Role, approved.Contains(u.Id)), PendingAccess.From(pending.GetValueOrDefault(u.Id))));
            }
            return result;
        });
}
