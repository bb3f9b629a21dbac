using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Application.Access;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// A role that sees arms is granted by two people: one admin requests it (creating the user, changing their role, adding a
/// site), a second admin approves it. Until then the account authenticates but reads no arm, and after a change its
/// access is what was approved, at once (the token cache does not keep the old answer).
/// </summary>
public class UnblindedAccessApprovalTests : BlindedStudyFixture
{
    private const string AwaitingApproval = "awaits a second admin's approval";

    private async Task<(HttpClient Client, string Id)> CreateAsync(HttpClient admin, string role, params string[] sites)
    {
        var created = await (await admin.PostAsJsonAsync("/api/v1/users", new { name = $"new {role}", role, sites })).JsonAsync(HttpStatusCode.Created);
        return (_host.Client(await _host.ActivateAsync(created["activationCode"]!.GetValue<string>())), created["id"]!.GetValue<string>());
    }

    private async Task<JsonObject> UserAsync(string id) =>
        (await (await _host.Admin.GetAsync("/api/v1/users")).JsonArrayAsync()).Single(u => u!["id"]!.GetValue<string>() == id)!.AsObject();

    private static Task<HttpResponseMessage> ApproveAsync(HttpClient approver, string id) => approver.PostAsync($"/api/v1/users/{id}/approval", null);

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient admin, string id, string role, string[] sites, string reason = "New duties.") =>
        admin.PutJsonAsync($"/api/v1/users/{id}/access", new { role, sites, reason });

    private static async Task AssertAwaitingAsync(HttpResponseMessage response, string what)
    {
        var problem = await response.ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(AwaitingApproval), what);
    }

    [Test]
    public async Task Pharmacist_CreatedByOneAdmin_ReadsNoArmUntilASecondAdminApproves()
    {
        var code = await RandomisedAsync();
        await _infusions.PrepareAsync(code, "INF1");
        var (pharmacist, id) = await CreateAsync(_host.Admin, "pharmacist", "WAW");
        var allocation = $"/api/v1/participants/{code}/allocation";
        var preparation = $"/api/v1/participants/{code}/visits/INF2/preparation";

        await AssertAwaitingAsync(await pharmacist.GetAsync(allocation), "allocation");
        await AssertAwaitingAsync(await pharmacist.GetAsync("/api/v1/randomisation/allocations?site=WAW"), "allocations");
        await AssertAwaitingAsync(await pharmacist.GetAsync($"/api/v1/participants/{code}/visits/INF1/preparation"), "preparation");
        await AssertAwaitingAsync(await pharmacist.PostAsJsonAsync(preparation, new { preparationId = "P-1", arm = "KET", doseMgPerKg = 0.5m, totalDoseMg = 30.75m, volumeMl = 50m, weightKg = 61.5m }),
            "a new preparation");
        // It authenticates: what every user may do still works.
        Assert.That((await pharmacist.GetAsync("/api/v1/instruments")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var listed = await UserAsync(id);
        Assert.That(listed["armAccess"]!.GetValue<string>(), Is.EqualTo("awaiting-approval"));
        Assert.That(listed["pendingAccess"]!["role"]!.GetValue<string>(), Is.EqualTo("pharmacist"));
        Assert.That(listed["pendingAccess"]!["sites"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "WAW" }));

        var approved = await (await ApproveAsync(await _host.SecondAdminAsync(), id)).JsonAsync(HttpStatusCode.OK);
        Assert.That((approved["armAccess"]!.GetValue<string>(), approved["role"]!.GetValue<string>()), Is.EqualTo(("approved", "pharmacist")));
        Assert.That(approved["pendingAccess"], Is.Null);

        // At once: the token, looked up (and cached) as awaiting approval a moment ago, now reads arms.
        Assert.That((await (await pharmacist.GetAsync(allocation)).JsonAsync(HttpStatusCode.OK))["arm"]!.GetValue<string>(), Is.AnyOf("KET", "MDZ"));
        Assert.That((await pharmacist.GetAsync("/api/v1/randomisation/allocations?site=WAW")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await pharmacist.GetAsync($"/api/v1/participants/{code}/visits/INF1/preparation")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await UserAsync(id))["armAccess"]!.GetValue<string>(), Is.EqualTo("approved"));
    }

    [Test]
    public async Task UnblindedStatistician_AwaitingApproval_IsRefusedEveryArmRouteButReadsThePooledDmcReport()
    {
        var (statistician, id) = await CreateAsync(_host.Admin, "unblinded-statistician", "WAW");
        foreach (var url in new[]
                 {
                     "/api/v1/randomisation/allocations?site=WAW", "/api/v1/randomisation/list?stratum=" + Uri.EscapeDataString("WAW/MADRS<35"),
                     "/api/v1/exports/unblinded.zip", "/api/v1/reports/dmc", "/api/v1/reports/blinding-index", "/api/v1/exports/participants.csv",
                     "/api/v1/reports/consort",
                 })
        {
            await AssertAwaitingAsync(await statistician.GetAsync(url), url);
        }
        // The open-session report is pooled: it tells nothing of the arms.
        Assert.That((await statistician.GetAsync("/api/v1/reports/dmc/open")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await (await ApproveAsync(await _host.SecondAdminAsync(), id)).JsonAsync(HttpStatusCode.OK);
        Assert.That((await statistician.GetAsync("/api/v1/reports/dmc")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await statistician.GetAsync("/api/v1/exports/unblinded.zip")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Approval_ByTheAdminWhoRequestedIt_IsRefusedAndChangesNothing()
    {
        var (pharmacist, id) = await CreateAsync(_host.Admin, "pharmacist", "WAW");
        var problem = await (await ApproveAsync(_host.Admin, id)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("second person must approve"));
        Assert.That((await UserAsync(id))["armAccess"]!.GetValue<string>(), Is.EqualTo("awaiting-approval"));
        await AssertAwaitingAsync(await pharmacist.GetAsync("/api/v1/randomisation/allocations?site=WAW"), "still awaiting");
    }

    [Test]
    public async Task Approval_WithNothingPending_Is409()
    {
        var (_, id) = await CreateAsync(_host.Admin, "pharmacist", "WAW");
        var second = await _host.SecondAdminAsync();
        await (await ApproveAsync(second, id)).JsonAsync(HttpStatusCode.OK);
        var again = await (await ApproveAsync(second, id)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(again["detail"]!.GetValue<string>(), Does.Contain("No access awaits approval"));

        var (_, investigatorId) = await CreateAsync(_host.Admin, "investigator", "WAW");
        await (await ApproveAsync(second, investigatorId)).ProblemAsync(HttpStatusCode.Conflict);
        await (await ApproveAsync(second, Guid.NewGuid().ToString())).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Approval_ByAnotherRole_IsRefused()
    {
        var (_, id) = await CreateAsync(_host.Admin, "pharmacist", "WAW");
        foreach (var client in new[] { _investigator, _monitor, _pharmacist })
            await (await ApproveAsync(client, id)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That((await UserAsync(id))["armAccess"]!.GetValue<string>(), Is.EqualTo("awaiting-approval"));
    }

    [Test]
    public async Task SiteAdded_ToAnApprovedPharmacist_OldSitesStayReadableTheNewOneNotUntilApproved()
    {
        var waw = await RandomisedAsync();
        var krk = await RandomisedAsync(investigator: _krkInvestigator, site: "KRK");
        var (pharmacist, id) = await CreateAsync(_host.Admin, "pharmacist", "WAW");
        await (await ApproveAsync(await _host.SecondAdminAsync(), id)).JsonAsync(HttpStatusCode.OK);
        await (await pharmacist.GetAsync($"/api/v1/participants/{waw}/allocation")).JsonAsync(HttpStatusCode.OK);
        await (await pharmacist.GetAsync($"/api/v1/participants/{krk}/allocation")).ProblemAsync(HttpStatusCode.Forbidden);

        var requested = await (await ChangeAsync(_host.Admin, id, "pharmacist", ["KRK", "WAW"], "Covers KRK's pharmacy.")).JsonAsync(HttpStatusCode.Accepted);
        Assert.That(requested["sites"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "WAW" }), "unchanged until approved");
        Assert.That(requested["armAccess"]!.GetValue<string>(), Is.EqualTo("approved"));
        Assert.That(requested["pendingAccess"]!["sites"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "KRK", "WAW" }));
        Assert.That(requested["pendingAccess"]!["reason"]!.GetValue<string>(), Is.EqualTo("Covers KRK's pharmacy."));
        await (await pharmacist.GetAsync($"/api/v1/participants/{waw}/allocation")).JsonAsync(HttpStatusCode.OK);
        await (await pharmacist.GetAsync($"/api/v1/participants/{krk}/allocation")).ProblemAsync(HttpStatusCode.Forbidden);

        await (await ApproveAsync(await _host.SecondAdminAsync(), id)).JsonAsync(HttpStatusCode.OK);
        await (await pharmacist.GetAsync($"/api/v1/participants/{waw}/allocation")).JsonAsync(HttpStatusCode.OK);
        await (await pharmacist.GetAsync($"/api/v1/participants/{krk}/allocation")).JsonAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task Change_ToABlindedRoleOrFewerSites_AppliesAtOnce()
    {
        var code = await RandomisedAsync();
        var (pharmacist, id) = await CreateAsync(_host.Admin, "pharmacist", "WAW", "KRK");
        await (await ApproveAsync(await _host.SecondAdminAsync(), id)).JsonAsync(HttpStatusCode.OK);
        await (await pharmacist.GetAsync($"/api/v1/participants/{code}/allocation")).JsonAsync(HttpStatusCode.OK);

        var fewer = await (await ChangeAsync(_host.Admin, id, "pharmacist", ["KRK"], "Left WAW.")).JsonAsync(HttpStatusCode.OK);
        Assert.That(fewer["sites"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "KRK" }));
        Assert.That(fewer["armAccess"]!.GetValue<string>(), Is.EqualTo("approved"), "fewer sites keep the approval");
        await (await pharmacist.GetAsync($"/api/v1/participants/{code}/allocation")).ProblemAsync(HttpStatusCode.Forbidden);

        var blinded = await (await ChangeAsync(_host.Admin, id, "investigator", ["KRK"], "Now an investigator.")).JsonAsync(HttpStatusCode.OK);
        Assert.That((blinded["role"]!.GetValue<string>(), blinded["armAccess"]!.GetValue<string>()), Is.EqualTo(("investigator", "none")));
        // Back to a role that sees arms: a new request, the earlier approval does not carry over.
        var back = await (await ChangeAsync(_host.Admin, id, "pharmacist", ["KRK"], "Back to the pharmacy.")).JsonAsync(HttpStatusCode.Accepted);
        Assert.That((back["role"]!.GetValue<string>(), back["pendingAccess"]!["role"]!.GetValue<string>()), Is.EqualTo(("investigator", "pharmacist")));
        await (await pharmacist.GetAsync("/api/v1/randomisation/allocations?site=KRK")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Change_OfOwnAccess_OrWithoutReason_IsRefused()
    {
        var (_, id) = await CreateAsync(_host.Admin, "monitor", "WAW");
        var invalid = await (await _host.Admin.PutJsonAsync($"/api/v1/users/{id}/access", new { role = "investigator", sites = new[] { "WAW" } })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(invalid["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "reason" }));
        var badRole = await (await ChangeAsync(_host.Admin, id, "surgeon", ["WAW"])).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(badRole["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "role" }));
        var unknownSite = await (await ChangeAsync(_host.Admin, id, "monitor", ["NOPE"])).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(unknownSite["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "sites" }));

        var second = await _host.SecondAdminAsync();
        var secondId = (await (await _host.Admin.GetAsync("/api/v1/users")).JsonArrayAsync())
            .Single(u => u!["name"]!.GetValue<string>() == "second admin")!["id"]!.GetValue<string>();
        await (await ChangeAsync(second, secondId, "pharmacist", ["WAW"])).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That((await UserAsync(secondId))["pendingAccess"], Is.Null);
    }

    [Test]
    public async Task RequestAndApproval_AreInTheAuditTrail_NamingWho()
    {
        var (_, id) = await CreateAsync(_host.Admin, "pharmacist", "WAW");
        var second = await _host.SecondAdminAsync();
        await (await ApproveAsync(second, id)).JsonAsync(HttpStatusCode.OK);
        var users = await (await _host.Admin.GetAsync("/api/v1/users")).JsonArrayAsync();
        string IdOf(string name) => users.Single(u => u!["name"]!.GetValue<string>() == name)!["id"]!.GetValue<string>();
        var (requester, approver) = (IdOf("bootstrap admin"), IdOf("second admin"));

        var trail = (await (await _host.Admin.GetAsync($"/api/v1/audit?entity=user&id={id}&limit=100")).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.That(trail.Select(r => r!["action"]!.GetValue<string>()), Is.EqualTo(new[] { "create", "access-requested", "access-approved" }));
        var request = trail[1]!;
        Assert.That((request["userId"]!.GetValue<string>(), request["newValue"]!["requestedBy"]!.GetValue<string>()), Is.EqualTo((requester, requester)));
        Assert.That(request["newValue"]!["role"]!.GetValue<string>(), Is.EqualTo("pharmacist"));
        var approval = trail[2]!;
        Assert.That(approval["userId"]!.GetValue<string>(), Is.EqualTo(approver), "the approver writes the row");
        Assert.That((approval["newValue"]!["requestedBy"]!.GetValue<string>(), approval["newValue"]!["approvedBy"]!.GetValue<string>()), Is.EqualTo((requester, approver)));
        Assert.That(approval["newValue"]!["requestId"]!.GetValue<string>(), Is.EqualTo(request["newValue"]!["requestId"]!.GetValue<string>()));
        Assert.That((await (await _host.Admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK))["intact"]!.GetValue<bool>(), Is.True);
    }
}

/// <summary>
/// A study with a single admin: the configured unblinded-access approver (Access:UnblindedAccessApprover, a user of any
/// role) approves instead of a second admin, never a request made for themselves.
/// </summary>
public class UnblindedAccessApproverTests
{
    [Test]
    public async Task ConfiguredApprover_ApprovesInASingleAdminStudy_ButNotARequestForThemselves()
    {
        await using var host = TrialHost.Start(settings: TestProtocols.Settings(TestProtocols.Blinded));
        await host.CreateSiteAsync("WAW");
        var approverBody = await (await host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "QA", role = "monitor", sites = new[] { "WAW" } })).JsonAsync(HttpStatusCode.Created);
        var approver = host.Client(await host.ActivateAsync(approverBody["activationCode"]!.GetValue<string>()));
        var approverId = Guid.Parse(approverBody["id"]!.GetValue<string>());
        // The approver's id exists only once the user does; setting it on the options bound from configuration is what
        // configuring Access:UnblindedAccessApprover and restarting does.
        host.Services.GetRequiredService<AccessOptions>().UnblindedAccessApprover = approverId;

        var pharmacistBody = await (await host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "Ph", role = "pharmacist", sites = new[] { "WAW" } })).JsonAsync(HttpStatusCode.Created);
        var pharmacist = host.Client(await host.ActivateAsync(pharmacistBody["activationCode"]!.GetValue<string>()));
        var id = pharmacistBody["id"]!.GetValue<string>();
        await (await pharmacist.GetAsync("/api/v1/randomisation/allocations?site=WAW")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await host.Admin.PostAsync($"/api/v1/users/{id}/approval", null)).ProblemAsync(HttpStatusCode.Forbidden);

        var approved = await (await approver.PostAsync($"/api/v1/users/{id}/approval", null)).JsonAsync(HttpStatusCode.OK);
        Assert.That(approved["armAccess"]!.GetValue<string>(), Is.EqualTo("approved"));
        Assert.That((await pharmacist.GetAsync("/api/v1/randomisation/allocations?site=WAW")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // A request for the approver themselves needs someone else.
        await (await host.Admin.PutJsonAsync($"/api/v1/users/{approverId}/access", new { role = "pharmacist", sites = new[] { "WAW" }, reason = "Covers the pharmacy." }))
            .JsonAsync(HttpStatusCode.Accepted);
        var own = await (await approver.PostAsync($"/api/v1/users/{approverId}/approval", null)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(own["detail"]!.GetValue<string>(), Does.Contain("own access"));
    }

    [Test]
    public void Approver_ThatIsNotAUserId_StopsTheStart()
    {
        var failure = Assert.Catch(() => TrialHost.Start(settings: new Dictionary<string, string?> { ["Access:UnblindedAccessApprover"] = "Dr Nowak" }));
        Assert.That(failure!.ToString(), Does.Contain("UnblindedAccessApprover"));
    }

    [Test]
    public async Task Approver_NotConfigured_AnotherRoleCannotApprove()
    {
        await using var host = TrialHost.Start(settings: TestProtocols.Settings(TestProtocols.Blinded));
        await host.CreateSiteAsync("WAW");
        var monitor = host.Client(await host.ActivateAsync((await (await host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "QA", role = "monitor", sites = new[] { "WAW" } }))
            .JsonAsync(HttpStatusCode.Created))["activationCode"]!.GetValue<string>()));
        var id = (await (await host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "Ph", role = "pharmacist", sites = new[] { "WAW" } }))
            .JsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();
        await (await monitor.PostAsync($"/api/v1/users/{id}/approval", null)).ProblemAsync(HttpStatusCode.Forbidden);
    }
}
