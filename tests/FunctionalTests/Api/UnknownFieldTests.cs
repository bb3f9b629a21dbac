using System.Net;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>A misspelt field is refused in the API's terms: the field named, the request's own fields listed, no .NET type.</summary>
public class UnknownFieldTests
{
    [Test]
    public async Task MisspeltField_Is400NamingItAndTheFieldsOfTheRequest()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");

        var problem = await (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/BL", new { actualDat = "2026-03-01" }))
            .ProblemAsync(HttpStatusCode.BadRequest);

        var detail = problem["detail"]!.GetValue<string>();
        Assert.That(detail, Does.Contain("Unknown field 'actualDat'; the fields are actualDate"), detail);
        Assert.That(detail, Does.Not.Contain(".NET").And.Not.Contain("Trial.Api").And.Not.Contain("reader options"), detail);
        Assert.That(problem["field"]!.GetValue<string>(), Is.EqualTo("actualDat"));
    }
}
