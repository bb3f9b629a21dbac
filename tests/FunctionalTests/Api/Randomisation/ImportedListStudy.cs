using System.Net;
using System.Text;
using NUnit.Framework;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// The default design with its randomisation method switched to an imported list (<see cref="ProtocolFiles.ImportedList"/>). Tests on this host know every participant's arm in
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
            if (!File.Exists(path)) File.WriteAllText(path, ProtocolFiles.ImportedList());
            return new Dictionary<string, string?> { ["Protocol:Path"] = path };
        }
    }

    [OneTimeTearDown]
    public void RemoveFolder() => _folder.Dispose();

    protected async Task<HttpResponseMessage> ImportCsvAsync(string csv) =>
        await _unblinded.PostAsync("/api/v1/randomisation/list", new StringContent(csv, Encoding.UTF8, "text/csv"));

    protected static string Csv(string stratum, params string[] arms) =>
        "stratum,sequenceNumber,arm\n" + string.Concat(arms.Select((arm, i) => $"{stratum},{i + 1},{arm}\n"));

    protected async Task ImportAsync(string csv) => await (await ImportCsvAsync(csv)).JsonAsync(HttpStatusCode.Created);
}
