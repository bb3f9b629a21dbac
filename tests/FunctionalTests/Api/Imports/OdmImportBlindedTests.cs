using System.Net;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Tests.Api.Exports;

namespace Trial.Tests.Api.Imports;

/// <summary>
/// The randomised, double-blind study of <see cref="RandomisedExportScenario"/> (preparations, infusions, an unscheduled
/// MADRS, an emergency unblinding) exported by its blinded statistician and imported into an empty study of the protocol.
/// </summary>
public class OdmImportBlindedTests : RandomisedExportScenario
{
    private static readonly XNamespace Odm = OdmStructure.Odm;

    [Test]
    public async Task BlindedRoundTrip_CarriesNoArm_AndImportsNoRandomisation()
    {
        var exported = await OdmExportTests.OdmAsync(Statistician);
        // Nothing in the document names an arm, a stratum, a randomisation, a preparation or a dose: no attribute or element
        // of that name anywhere, extension attributes included.
        var names = exported.Descendants().SelectMany(e => e.Attributes().Select(a => a.Name.LocalName).Append(e.Name.LocalName)).Distinct().ToList();
        Assert.That(names.Where(n => new[] { "Arm", "Stratum", "Randomis", "Preparation", "Dose" }.Any(w => n.Contains(w, StringComparison.OrdinalIgnoreCase))),
            Is.Empty);
        Assert.That(exported.Descendants(Odm + "FormData").Count(f => (string?)f.Attribute(XNamespace.Get("urn:trial:odm:extension:1") + "Unscheduled") == "Yes"),
            Is.EqualTo(1), "the unscheduled MADRS at INF1 t240");

        await using var target = TrialHost.Start(settings: TestProtocols.Settings(TestProtocols.Blinded));
        await target.CreateSiteAsync("WAW");
        await target.CreateSiteAsync("KRK");
        var investigator = await target.UserAsync("investigator", "WAW", "KRK");
        var response = await investigator.PostAsync("/api/v1/imports/odm", new StringContent(exported.ToString(), Encoding.UTF8, "application/vnd.cdisc.odm+xml"));
        var import = await response.JsonAsync(HttpStatusCode.OK);

        Assert.That(import["refused"]!.GetValue<int>(), Is.EqualTo(0), import.ToJsonString());
        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(import["results"]!.AsArray().Count));
        var again = await OdmExportTests.OdmAsync(target.Admin);
        Assert.That(ClinicalData(again), Is.EqualTo(ClinicalData(exported)));
        var source = _host.Services.GetRequiredService<Database>();
        Assert.That(await source.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Allocation")), Is.EqualTo(Randomised.Count), "the source study's allocations");
        var db = target.Services.GetRequiredService<Database>();
        Assert.That(await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Allocation")), Is.EqualTo(0), "no participant is randomised by an import");
        Assert.That(await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Participant")), Is.EqualTo(Everyone.Count()));
    }

    private static string ClinicalData(XDocument document)
    {
        var data = new XElement(document.Root!.Element(Odm + "ClinicalData")!);
        data.Descendants(Odm + "AuditRecord").Remove();
        return data.ToString();
    }
}
