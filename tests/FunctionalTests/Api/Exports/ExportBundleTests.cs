using System.Security.Cryptography;
using NUnit.Framework;
using static Trial.Tests.Api.Exports.ExportTestKit;

namespace Trial.Tests.Api.Exports;

public class ExportBundleTests : ExportScenario
{
    [Test]
    public async Task Bundle_EveryDatasetAndAManifest_WhoseChecksumsAndCountsMatchTheEntries()
    {
        var (zip, response) = await BundleAsync(Statistician, "?site=WAW");
        Assert.That(zip.Entries.Select(e => e.FullName), Is.EqualTo(DatasetNames.Select(n => n + ".csv").Append("manifest.json")));

        var manifest = Manifest(zip);
        var files = manifest["files"]!.AsArray();
        Assert.That(files.Select(f => f!["name"]!.GetValue<string>()), Is.EqualTo(DatasetNames.Select(n => n + ".csv")));
        foreach (var file in files)
        {
            var name = file!["name"]!.GetValue<string>();
            var bytes = Bytes(zip, name);
            Assert.That(file["sha256"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))), name);
            Assert.That(file["bytes"]!.GetValue<long>(), Is.EqualTo(bytes.Length), name);
            Assert.That(file["rows"]!.GetValue<long>(), Is.EqualTo(ParseBytes(bytes).Rows.Count), name);
        }

        Assert.That(Entry(zip, "participants.csv").Rows.Select(r => r["participant_code"]), Is.EqualTo(new[] { "WAW-0001", "WAW-0002" }));
        Assert.That(Entry(zip, "items.csv").Rows, Has.Count.EqualTo(4 * 10 + 23 + 23 + 94 + 3 * 10));
        Assert.That(manifest["studyId"]!.GetValue<string>(), Is.EqualTo(Host.Protocol.ProtocolId));
        Assert.That(manifest["protocolVersion"]!.GetValue<string>(), Is.EqualTo(Host.Protocol.Version));
        Assert.That(manifest["instrumentDefinitions"]!.AsArray().Select(i => $"{i!["code"]} {i["version"]}"),
            Is.EquivalentTo(new[] { "MADRS MADRS-1.0", "BSL23 BSL23-1.1", "CADSS CADSS-1.1", "BPRS BPRS-1.1", "ASC5D ASC5D-1.0" }));
        Assert.That(manifest["snapshotUtc"]!.GetValue<DateTime>(), Is.EqualTo(TrialHost.StartTime.UtcDateTime));
        Assert.That(response.Headers.GetValues("Trial-Snapshot-Utc").Single(), Does.StartWith("2026-03-10T12:00:00"));
        Assert.That(manifest["generatedBy"]!["role"]!.GetValue<string>(), Is.EqualTo("statistician"));
        var filters = manifest["filters"]!;
        Assert.That(filters["site"]!.GetValue<string>(), Is.EqualTo("WAW"));
        Assert.That(filters["instrument"], Is.Null);
        Assert.That(filters["since"], Is.Null);
        Assert.That(filters["includeFreeText"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task Bundle_Admin_WithFreeText_KeepsTheTermIntactInsideTheZip()
    {
        var (zip, _) = await BundleAsync(Host.Admin, "?includeFreeText=true");
        Assert.That(Entry(zip, "adverse-events.csv").Single(("AESPID", AdverseEventId.ToString()))["AETERM"], Is.EqualTo(AeTerm));
        Assert.That(Manifest(zip)["filters"]!["includeFreeText"]!.GetValue<bool>(), Is.True);
    }
}
