using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Extracts;
using Trial.Tests.Api.Randomisation;

namespace Trial.Tests.Api.Exports;

/// <summary>
/// GET /api/v1/exports on the double-blind protocol, as every role: the extract readers get exactly the datasets their
/// audience receives from the catalog (so a dataset added to the catalog is listed the day it is added), each pullable at its
/// URL; only the unblinded statistician sees the randomisation list, the arm columns and the unblinded bundle; the others are
/// refused with problem+json.
/// </summary>
public class ExportListTests : BlindedStudyFixture
{
    private static async Task<JsonObject> ListAsync(HttpClient client) => await (await client.GetAsync("/api/v1/exports")).JsonAsync(HttpStatusCode.OK);

    private static IReadOnlyList<string> Names(JsonObject list) => [.. list["datasets"]!.AsArray().Select(d => d!["name"]!.GetValue<string>())];

    private static JsonObject Dataset(JsonObject list, string name) => list["datasets"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == name)!.AsObject();

    private static IReadOnlyList<string> Strings(JsonNode? array) => array is null ? [] : [.. array.AsArray().Select(c => c!.GetValue<string>())];

    private ExtractCatalog Catalog => _host.Services.GetRequiredService<ExtractCatalog>();

    [Test]
    public async Task List_BlindedReaders_TheCatalogsBlindedDatasets_NoRandomisationListNoArmColumns()
    {
        var blinded = Catalog.DatasetsFor(ExtractAudience.BlindedPseudonymised).Select(d => d.Name).ToList();
        foreach (var (role, client) in new[] { ("statistician", _statistician), ("admin", _host.Admin) })
        {
            var list = await ListAsync(client);

            Assert.That(Names(list), Is.EqualTo(blinded), role);
            Assert.That(Names(list), Does.Not.Contain("randomisation-list"), role);
            Assert.That(list["unblinded"]!.GetValue<bool>(), Is.False, role);
            Assert.That(list["bundles"]!.AsArray().Select(b => b!["fileName"]!.GetValue<string>()), Is.EqualTo(new[] { "bundle.zip" }), role);
            var participants = Dataset(list, "participants");
            Assert.That((participants["fileName"]!.GetValue<string>(), participants["url"]!.GetValue<string>()),
                Is.EqualTo(("participants.csv", "/api/v1/exports/participants.csv")), role);
            Assert.That(participants["description"]!.GetValue<string>(), Is.EqualTo(Catalog.Find("participants")!.Description), role);
            var columns = list["datasets"]!.AsArray().SelectMany(d => Strings(d!["columns"])).ToList();
            Assert.That(columns, Does.Not.Contain("ARMCD").And.Not.Contain("ARM").And.Not.Contain("STRATUM"), role);
            Assert.That(Strings(participants["columns"]), Does.Contain("participant_code").And.Not.Contain("withdrawal_reason"), $"{role}: no free text");
        }
        var asAdmin = await ListAsync(_host.Admin);
        Assert.That(Strings(Dataset(asAdmin, "participants")["freeTextColumns"]), Does.Contain("withdrawal_reason"), "what includeFreeText=true adds, for an admin");
        Assert.That(Dataset(await ListAsync(_statistician), "participants")["freeTextColumns"], Is.Null, "free text is an admin's only");
    }

    [Test]
    public async Task List_UnblindedStatistician_AddsTheRandomisationListTheArmColumnsAndTheUnblindedBundle()
    {
        var list = await ListAsync(_unblinded);

        Assert.That(Names(list), Is.EqualTo(Catalog.DatasetsFor(new ExtractAudience(IncludeFreeText: false, Unblinded: true)).Select(d => d.Name)));
        Assert.That(Names(list), Does.Contain("randomisation-list"));
        Assert.That(list["unblinded"]!.GetValue<bool>(), Is.True);
        Assert.That(Strings(Dataset(list, "participants")["columns"]), Does.Contain("ARMCD").And.Contain("RANDNO"));
        Assert.That(list["bundles"]!.AsArray().Select(b => b!["url"]!.GetValue<string>()),
            Is.EqualTo(new[] { "/api/v1/exports/bundle.zip", "/api/v1/exports/unblinded.zip" }));
    }

    [Test]
    public async Task List_EveryUrlListed_IsPulledByItsReader_WithTheColumnsListed()
    {
        foreach (var (role, client) in new[] { ("statistician", _statistician), ("admin", _host.Admin), ("unblinded-statistician", _unblinded) })
        {
            var list = await ListAsync(client);
            foreach (var dataset in list["datasets"]!.AsArray().Select(d => d!.AsObject()))
            {
                var response = await client.GetAsync(dataset["url"]!.GetValue<string>());
                var csv = ExportTestKit.ParseBytes(await response.Content.ReadAsByteArrayAsync());
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{role} {dataset["url"]}");
                Assert.That(csv.Header, Is.EqualTo(Strings(dataset["columns"])), $"{role} {dataset["name"]}");
            }
            foreach (var bundle in list["bundles"]!.AsArray())
                Assert.That((await client.GetAsync(bundle!["url"]!.GetValue<string>())).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{role} {bundle["url"]}");
        }
    }

    [Test]
    public async Task List_OtherRoles_AreRefusedWithProblemJson()
    {
        foreach (var (role, client) in new[] { ("investigator", _investigator), ("monitor", _monitor), ("pharmacist", _pharmacist), ("coder", _coder) })
        {
            var problem = await (await client.GetAsync("/api/v1/exports")).ProblemAsync(HttpStatusCode.Forbidden);
            Assert.That(problem["status"]!.GetValue<int>(), Is.EqualTo(403), role);
        }
        await (await _host.Client().GetAsync("/api/v1/exports")).ProblemAsync(HttpStatusCode.Unauthorized);
    }
}
