using NUnit.Framework;
using Trial.Application;
using Trial.Application.Access;
using Trial.Core.Access;
using Trial.Db.Access;

namespace Trial.Tests.Application.Access;

/// <summary>A role that sees arms: requested by one admin, approved by a second person, and until then no arm access.</summary>
public class UnblindedAccessTests
{
    private static readonly Actor SecondAdmin = new(Guid.Parse("00000000-0000-0000-0000-00000000a002"), Guid.NewGuid(), "Second admin", Roles.Admin, []);

    private UseCaseDatabase _database = null!;
    private readonly CreateUser _users = new(new AccessOptions());
    private readonly ChangeAccess _change = new();

    [SetUp]
    public async Task CreateAsync()
    {
        _database = new UseCaseDatabase();
        await _database.AddSiteAsync("WAW");
        await _database.AddSiteAsync("KRK");
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    /// <summary>A user as created, with the token they activated their account for.</summary>
    private sealed record Made(Guid Id, string Token);

    private async Task<Made> CreateAsync(string role, params string[] sites)
    {
        var created = (await _database.WriteAsync(UseCaseDatabase.Admin, w => _users.WriteAsync(w, new CreateUser.Checked("Ph", role, sites)))).Value!;
        var token = (await new Activate(_database.Db, _database.Clock, new AccessOptions()).ActivateAsync(created.ActivationCode, null)).Value!.Token;
        return new Made(created.Id, token);
    }

    private Task<Outcome<User>> ApproveAsync(Actor approver, Guid userId, AccessOptions? options = null) =>
        _database.WriteAsync(approver, w => new ApproveAccess(options ?? new AccessOptions()).WriteAsync(w, userId));

    private Task<TokenOwner?> OwnerAsync(Made user) =>
        _database.Db.ReadAsync(c => AccessQueries.FindTokenOwnerAsync(c, ApiTokens.Hash(user.Token), _database.NowUtc));

    private async Task<User> ListedAsync(Guid id) => (await new ListUsers(_database.Db).ListAsync()).Value!.Items.Single(u => u.Id == id);

    [TestCase(Roles.Pharmacist, new[] { "WAW" }, Roles.Pharmacist, new[] { "WAW" }, true, false, TestName = "Same role and sites, approved: nothing to approve")]
    [TestCase(Roles.Pharmacist, new[] { "WAW" }, Roles.Pharmacist, new[] { "KRK", "WAW" }, true, false, TestName = "Fewer sites, approved: nothing to approve")]
    [TestCase(Roles.Pharmacist, new[] { "KRK", "WAW" }, Roles.Pharmacist, new[] { "WAW" }, true, true, TestName = "A site added: approval")]
    [TestCase(Roles.Pharmacist, new[] { "WAW" }, Roles.Pharmacist, new[] { "WAW" }, false, true, TestName = "Not yet approved: approval")]
    [TestCase(Roles.UnblindedStatistician, new[] { "WAW" }, Roles.Pharmacist, new[] { "WAW" }, true, true, TestName = "Another role that sees arms: approval")]
    [TestCase(Roles.Pharmacist, new[] { "WAW" }, Roles.Investigator, new[] { "WAW" }, false, true, TestName = "A blinded user becomes a pharmacist: approval")]
    [TestCase(Roles.Investigator, new[] { "KRK", "WAW" }, Roles.Pharmacist, new[] { "WAW" }, true, false, TestName = "A blinded role: never approval")]
    public void NeedsApproval_AsTheRulesSay(string role, string[] sites, string currentRole, string[] currentSites, bool currentApproved, bool expected) =>
        Assert.That(UnblindedAccess.NeedsApproval(role, sites, currentRole, currentSites, currentApproved), Is.EqualTo(expected));

    [Test]
    public async Task CreateUser_APharmacist_IsARequestAndTheTokenCarriesNoApproval()
    {
        var created = await CreateAsync(Roles.Pharmacist, "WAW");

        Assert.That((await OwnerAsync(created))!.ArmAccessApproved, Is.False);
        var listed = await ListedAsync(created.Id);
        Assert.That((listed.ArmAccess, listed.PendingAccess!.Role, listed.PendingAccess.RequestedBy), Is.EqualTo((UnblindedAccess.AwaitingApproval, Roles.Pharmacist, UseCaseDatabase.Admin.UserId)));
        Assert.That((await _database.TrailAsync()).Skip(2).Take(2).Select(r => (r.EntityType, r.Action)),
            Is.EqualTo(new[] { ("user", "create"), ("user", "access-requested") }), "the request is written with the user");
    }

    [Test]
    public async Task CreateUser_AMonitor_HasNothingToApprove()
    {
        var created = await CreateAsync(Roles.Monitor, "WAW");

        var listed = await ListedAsync(created.Id);
        Assert.That((listed.ArmAccess, listed.PendingAccess), Is.EqualTo((UnblindedAccess.None, (PendingAccess?)null)));
        Assert.That((await ApproveAsync(SecondAdmin, created.Id)).Refusal, Is.TypeOf<Conflict>());
    }

    [Test]
    public async Task Approve_ByTheRequester_IsForbiddenAndWritesNothing()
    {
        var created = await CreateAsync(Roles.Pharmacist, "WAW");
        var rows = (await _database.TrailAsync()).Count;

        var refusal = (await ApproveAsync(UseCaseDatabase.Admin, created.Id)).Refusal;

        Assert.That(refusal, Is.TypeOf<Forbidden>());
        Assert.That(refusal!.Detail, Does.Contain("second person must approve"));
        Assert.That(await _database.TrailAsync(), Has.Count.EqualTo(rows));
        Assert.That((await OwnerAsync(created))!.ArmAccessApproved, Is.False);
    }

    [Test]
    public async Task Approve_ByASecondAdmin_GrantsArmAccessAndIsAudited()
    {
        var created = await CreateAsync(Roles.Pharmacist, "WAW");

        var user = (await ApproveAsync(SecondAdmin, created.Id)).Value!;

        Assert.That((user.ArmAccess, user.PendingAccess), Is.EqualTo((UnblindedAccess.Approved, (PendingAccess?)null)));
        Assert.That((await OwnerAsync(created))!.ArmAccessApproved, Is.True);
        var approval = (await _database.TrailAsync()).Last();
        Assert.That((approval.Action, approval.UserId), Is.EqualTo(("access-approved", SecondAdmin.UserId)));
        Assert.That(approval.NewValue, Does.Contain($"\"approvedBy\":\"{SecondAdmin.UserId}\"").And.Contain($"\"requestedBy\":\"{UseCaseDatabase.Admin.UserId}\""));
        Assert.That((await ApproveAsync(SecondAdmin, created.Id)).Refusal, Is.TypeOf<Conflict>(), "nothing pending any more");
    }

    [Test]
    public async Task Approve_ByTheConfiguredApprover_OfAnyRole_ButNeverTheirOwnRequest()
    {
        var monitor = await CreateAsync(Roles.Monitor, "WAW");
        var approver = new Actor(monitor.Id, Guid.NewGuid(), "QA", Roles.Monitor, ["WAW"]);
        var options = new AccessOptions { UnblindedAccessApprover = monitor.Id };
        var pharmacist = await CreateAsync(Roles.Pharmacist, "WAW");

        Assert.That((await ApproveAsync(approver, pharmacist.Id)).Refusal, Is.TypeOf<Forbidden>(), "not configured");
        Assert.That((await ApproveAsync(approver, pharmacist.Id, options)).Value!.ArmAccess, Is.EqualTo(UnblindedAccess.Approved));

        var change = _change.Check(new AccessInput(Roles.Pharmacist, ["WAW"], "Covers the pharmacy.")).Value!;
        Assert.That((await _database.WriteAsync(UseCaseDatabase.Admin, w => _change.WriteAsync(w, monitor.Id, change))).Value!.AwaitsApproval, Is.True);
        var own = (await ApproveAsync(approver, monitor.Id, options)).Refusal;
        Assert.That(own, Is.TypeOf<Forbidden>());
        Assert.That(own!.Detail, Does.Contain("own access"));
    }

    [Test]
    public async Task Change_AddingASite_IsARequestAndLeavesTheSitesAsTheyWere()
    {
        var created = await CreateAsync(Roles.Pharmacist, "WAW");
        await ApproveAsync(SecondAdmin, created.Id);
        var change = _change.Check(new AccessInput(Roles.Pharmacist, ["KRK", "WAW"], "Covers KRK.")).Value!;

        var changed = (await _database.WriteAsync(UseCaseDatabase.Admin, w => _change.WriteAsync(w, created.Id, change))).Value!;

        Assert.That(changed.AwaitsApproval, Is.True);
        Assert.That((await OwnerAsync(created))!.Sites, Is.EqualTo(new[] { "WAW" }));
        Assert.That((await OwnerAsync(created))!.ArmAccessApproved, Is.True, "the approved access stands meanwhile");
        await ApproveAsync(SecondAdmin, created.Id);
        Assert.That((await OwnerAsync(created))!.Sites, Is.EqualTo(new[] { "KRK", "WAW" }));
    }

    [Test]
    public async Task Change_ToABlindedRole_AppliesAtOnceEndsTheApprovalAndSupersedesTheRequest()
    {
        var created = await CreateAsync(Roles.Pharmacist, "WAW");
        var change = _change.Check(new AccessInput(Roles.Investigator, ["WAW"], "Not a pharmacist after all.")).Value!;

        var changed = (await _database.WriteAsync(UseCaseDatabase.Admin, w => _change.WriteAsync(w, created.Id, change))).Value!;

        Assert.That((changed.AwaitsApproval, changed.User.Role, changed.User.ArmAccess, changed.User.PendingAccess),
            Is.EqualTo((false, Roles.Investigator, UnblindedAccess.None, (PendingAccess?)null)));
        Assert.That((await ApproveAsync(SecondAdmin, created.Id)).Refusal, Is.TypeOf<Conflict>(), "the request was superseded");
        var row = (await _database.TrailAsync()).Last();
        Assert.That((row.Action, row.Reason), Is.EqualTo(("update", "Not a pharmacist after all.")));
    }

    [Test]
    public async Task Change_OfOwnAccess_IsForbidden()
    {
        var change = _change.Check(new AccessInput(Roles.Pharmacist, ["WAW"], "Me too.")).Value!;
        var admin = await CreateAsync(Roles.Admin);
        var self = new Actor(admin.Id, Guid.NewGuid(), "Ph", Roles.Admin, []);

        Assert.That((await _database.WriteAsync(self, w => _change.WriteAsync(w, admin.Id, change))).Refusal, Is.TypeOf<Forbidden>());
    }
}
