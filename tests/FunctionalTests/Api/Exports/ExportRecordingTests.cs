using System.Net;
using NUnit.Framework;
using static Trial.Tests.Api.Exports.ExportTestKit;

namespace Trial.Tests.Api.Exports;

/// <summary>Every extract is recorded in the audit trail: who, which datasets, which filters, how many rows, whether free text went out.</summary>
public class ExportRecordingTests
{
    [Test]
    public async Task Extract_IsRecordedWithWhoWhatFiltersAndRowCounts()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        await TrialHost.EnrolAsync(investigator, "WAW");
        var statistician = await host.UserAsync("statistician", "WAW");

        await CsvAsync(statistician, "participants", "?site=WAW&instrument=MADRS");
        await BundleAsync(statistician);
        await CsvAsync(host.Admin, "adverse-events", "?includeFreeText=true");

        var records = (await (await host.Admin.GetAsync("/api/v1/audit?entity=extract")).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.That(records, Has.Count.EqualTo(3));
        Assert.That(records.Select(r => r!["action"]!.GetValue<string>()), Is.All.EqualTo("export"));
        var csv = records[0]!;
        Assert.That((csv["role"]!.GetValue<string>(), csv["userName"]!.GetValue<string>()), Is.EqualTo(("statistician", "statistician of WAW")));
        Assert.That(csv["tokenId"]?.GetValue<string>(), Is.Not.Null);
        var value = csv["newValue"]!;
        Assert.That(value["kind"]!.GetValue<string>(), Is.EqualTo("csv"));
        Assert.That(value["rows"]!.ToJsonString(), Is.EqualTo("""{"participants":1}"""));
        Assert.That(value["completed"]!.GetValue<bool>(), Is.True);
        var filters = value["filters"]!;
        Assert.That((filters["site"]!.GetValue<string>(), filters["instrument"]!.GetValue<string>(), filters["includeFreeText"]!.GetValue<bool>()),
            Is.EqualTo(("WAW", "MADRS", false)));
        Assert.That(filters["sites"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "WAW" }));

        var bundle = records[1]!["newValue"]!;
        Assert.That(bundle["kind"]!.GetValue<string>(), Is.EqualTo("bundle"));
        var rows = bundle["rows"]!.AsObject();
        Assert.That((rows["participants"]!.GetValue<long>(), rows["visits"]!.GetValue<long>(), rows["assessments"]!.GetValue<long>()), Is.EqualTo((1L, 12L, 0L)));
        Assert.That(rows.Select(r => r.Key), Is.SupersetOf(new[] { "items", "efficacy", "adverse-events", "safety-alerts", "dictionary" }));

        var withFreeText = records[2]!;
        Assert.That(withFreeText["role"]!.GetValue<string>(), Is.EqualTo("admin"));
        Assert.That(withFreeText["newValue"]!["filters"]!["includeFreeText"]!.GetValue<bool>(), Is.True);
        Assert.That(withFreeText["reason"]!.GetValue<string>(), Does.Contain("free text"));
    }
}
