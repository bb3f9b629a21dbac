using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Tests.Db;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// The default design with its randomisation method switched to an imported list: the protocol file decides, so a
/// study that brings its own list changes one line of its file. Tests on this host know every participant's arm in
/// advance, from the list they import.
/// </summary>
public abstract class ImportedListStudy : BlindedStudyFixture
{
    private readonly TempFolder _folder = new();

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var path = _folder.File("imported-list-protocol.json");
            if (!File.Exists(path)) File.WriteAllText(path, ImportedListProtocol());
            return new Dictionary<string, string?> { ["Protocol:Path"] = path };
        }
    }

    [OneTimeTearDown]
    public void RemoveFolder() => _folder.Dispose();

    public static string ImportedListProtocol()
    {
        using var stream = typeof(ProtocolLoader).Assembly.GetManifestResourceStream("Trial.Core.Protocol.default-protocol.json")!;
        var json = JsonNode.Parse(stream, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        json["version"] = "2.0.0-list";
        json["design"]!["randomisation"]!["method"] = RandomisationMethods.ImportedList;
        return json.ToJsonString();
    }

    protected async Task<HttpResponseMessage> ImportCsvAsync(string csv) =>
        await _unblinded.PostAsync("/api/v1/randomisation/list", new StringContent(csv, Encoding.UTF8, "text/csv"));

    protected static string Csv(string stratum, params string[] arms) =>
        "stratum,sequenceNumber,arm\n" + string.Concat(arms.Select((arm, i) => $"{stratum},{i + 1},{arm}\n"));

    protected async Task ImportAsync(string csv) => await (await ImportCsvAsync(csv)).JsonAsync(HttpStatusCode.Created);
}
