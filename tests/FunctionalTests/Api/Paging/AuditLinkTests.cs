using System.Net;
using NUnit.Framework;

namespace Trial.Tests.Api.Paging;

/// <summary>The audit trail keeps its body's cursor and gives the next page in the Link header too.</summary>
public class AuditLinkTests
{
    [Test]
    public async Task Audit_FollowingLink_GivesEveryRowOnceAsTheBodysCursorDoes()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        for (var i = 0; i < 4; i++) await TrialHost.EnrolAsync(investigator, "WAW");

        var whole = (await (await host.Admin.GetAsync("/api/v1/audit?entity=participant&limit=1000")).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray()
            .Select(r => r!["id"]!.GetValue<long>()).ToList();
        var followed = new List<long>();
        var pages = 0;
        for (string? next = "/api/v1/audit?entity=participant&limit=3"; next is not null; pages++)
        {
            var response = await host.Admin.GetAsync(next);
            var body = await response.JsonAsync(HttpStatusCode.OK);
            followed.AddRange(body["items"]!.AsArray().Select(r => r!["id"]!.GetValue<long>()));
            next = PageReader.Next(response);
            Assert.That(next is null, Is.EqualTo(body["nextCursor"] is null), "the Link header and the body's cursor agree");
            if (next is not null) Assert.That(next, Does.Contain("entity=participant").And.Contain("after=" + body["nextCursor"]!.GetValue<string>()));
        }
        Assert.That(whole, Has.Count.GreaterThanOrEqualTo(4));
        Assert.That(pages, Is.GreaterThan(1));
        Assert.That(followed, Is.EqualTo(whole));
    }
}
