using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <param name="Name">The user's name.</param>
/// <param name="Role">One of <see cref="Roles.All"/>.</param>
/// <param name="Sites">The codes of the sites they work at; at least one for every role but admin.</param>
public sealed record UserInput(string? Name, string? Role, IReadOnlyList<string?>? Sites);

/// <summary>A new user with the one-time code they activate their account with, which is shown only here.</summary>
public sealed record CreatedUser(Guid Id, string Name, string Role, IReadOnlyList<string> Sites, DateTime CreatedUtc, string ActivationCode, DateTime ActivationExpiresUtc);

/// <summary>
/// Creates a user with a role and sites (admin), and gives the admin a one-time activation code to pass on: the user exchanges
/// it for a token of their own (<see cref="Activate"/>), so the admin never holds a token that acts as the user. A role that sees arms is
/// requested, not granted: see <see cref="UnblindedAccess"/>.
/// </summary>
public sealed class CreateUser(AccessOptions options)
{
    /// <summary>The longest name accepted: the user's row and every audit row they write hold it.</summary>
    public const int MaxNameLength = 200;

    /// <summary>A checked user: the sites distinct and in order.</summary>
    public sealed record Checked(string Name, string Role, IReadOnlyList<string> Sites);

    /// <summary>What can be decided before the write: the fields.</summary>
    public Outcome<Checked> Check(UserInput input)
    {
        var errors = new FieldErrors();
        var name = errors.Required(input.Name?.Trim(), "name", "Name");
        if (name?.Length > MaxNameLength) errors.Add("name", $"Name must be at most {MaxNameLength} characters.");
        var (role, sites) = CheckAccess(input.Role, input.Sites, errors);
        if (errors.Any) return errors.ToRefusal();
        return new Checked(name!, role!, sites);
    }

    /// <summary>Checks a role and the sites that go with it (also for a change of access); returns them trimmed, the sites distinct and in order.</summary>
    internal static (string? Role, IReadOnlyList<string> Sites) CheckAccess(string? roleInput, IReadOnlyList<string?>? sitesInput, FieldErrors errors)
    {
        var role = errors.Required(roleInput?.Trim(), "role", "Role");
        if (role is not null && !Roles.All.Contains(role))
            errors.Add("role", $"Role must be one of {string.Join(", ", Roles.All)}; got '{role}'.");
        var siteCodes = (sitesInput ?? []).Select(s => s?.Trim() ?? "").ToList();
        if (siteCodes.Any(string.IsNullOrEmpty)) errors.Add("sites", "Site codes must not be empty.");
        if (siteCodes.Count > 100) errors.Add("sites", "A user can be given at most 100 sites.");
        if (role is not null && role != Roles.Admin && siteCodes.Count == 0)
            errors.Add("sites", $"A {role} must be given at least one site.");
        return (role, siteCodes.Distinct().Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>Stores the user, with their sites and their activation code, when every site exists.</summary>
    public async Task<Outcome<CreatedUser>> WriteAsync(WriteScope w, Checked input)
    {
        var now = w.NowUtc;
        var user = new UserRow { Id = SequentialGuid.New(now), Name = input.Name, Role = input.Role, CreatedUtc = now };
        var sites = input.Sites;
        var missing = new List<string>();
        foreach (var s in sites)
            if (await AccessQueries.FindSiteAsync(w.Session, s) is null) missing.Add(s);
        if (missing.Count > 0) return Invalid.Field("sites", $"Unknown site(s): {string.Join(", ", missing)}.");
        await AccessQueries.InsertUserAsync(w.Session, user, w.Actor.UserId, sites);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.User, user.Id.ToString(), new AuditedUser(user.Id, user.Name, user.Role, sites, now), null, null));
        // A role that sees arms is only requested here: the account reads no arm until a second person approves it.
        if (Roles.Unblinded.Contains(user.Role)) await UnblindedAccess.RequestAsync(w, user.Id, user.Role, sites, null);
        var code = await IssueActivationCode.StoreAsync(w, user.Id, options);
        return new CreatedUser(user.Id, user.Name, user.Role, sites, now, code.Code, code.ExpiresUtc);
    }
}
