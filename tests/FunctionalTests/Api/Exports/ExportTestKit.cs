using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Sylvan.Data.Csv;

namespace Trial.Tests.Api.Exports;

/// <summary>A CSV file as a statistician's tool sees it: the raw text, its header and its rows by column name.</summary>
internal sealed record Csv(string Text, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows)
{
    public IEnumerable<IReadOnlyDictionary<string, string>> Where(string column, string value) => Rows.Where(r => r[column] == value);

    public IReadOnlyDictionary<string, string> Single(params (string Column, string Value)[] match)
    {
        var found = Rows.Where(r => match.All(m => r[m.Column] == m.Value)).ToList();
        Assert.That(found, Has.Count.EqualTo(1), $"rows matching {string.Join(", ", match.Select(m => $"{m.Column}={m.Value}"))}");
        return found[0];
    }
}

internal static class ExportTestKit
{
    public static readonly string[] DatasetNames = ["participants", "subjects", "screening", "visits", "assessments", "items", "efficacy", "adverse-events", "disposition", "exposure", "vital-signs", "blinding-guesses", "concomitant-medications", "safety-alerts", "dictionary"];

    /// <summary>Reads the text back with a real CSV parser (RFC 4180 quoting, fields spanning lines).</summary>
    public static Csv Parse(string text)
    {
        using var reader = CsvDataReader.Create(new StringReader(text));
        var header = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<IReadOnlyDictionary<string, string>>();
        while (reader.Read())
            rows.Add(header.Select((name, i) => (name, value: reader.GetString(i))).ToDictionary(c => c.name, c => c.value));
        return new Csv(text, header, rows);
    }

    /// <summary>GETs a dataset, checks it is UTF-8 CSV without a byte-order mark, and parses it.</summary>
    public static async Task<Csv> CsvAsync(HttpClient client, string dataset, string query = "")
    {
        var response = await client.GetAsync($"/api/v1/exports/{dataset}.csv{query}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), Encoding.UTF8.GetString(bytes));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        Assert.That(response.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
        return ParseBytes(bytes);
    }

    public static Csv ParseBytes(byte[] bytes)
    {
        Assert.That(bytes.Take(3), Is.Not.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "no byte-order mark");
        return Parse(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
    }

    public static Task<(ZipArchive Zip, HttpResponseMessage Response)> BundleAsync(HttpClient client, string query = "") => ZipAsync(client, "bundle.zip", query);

    /// <summary>GETs a zip of the extracts (bundle.zip, unblinded.zip), checks it is one, and opens it.</summary>
    public static async Task<(ZipArchive Zip, HttpResponseMessage Response)> ZipAsync(HttpClient client, string name, string query = "")
    {
        var response = await client.GetAsync($"/api/v1/exports/{name}{query}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), Encoding.UTF8.GetString(bytes));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/zip"));
        return (new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read), response);
    }

    public static byte[] Bytes(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static Csv Entry(ZipArchive zip, string name) => ParseBytes(Bytes(zip, name));

    public static JsonObject Manifest(ZipArchive zip) => JsonNode.Parse(Bytes(zip, "manifest.json"))!.AsObject();

    public static async Task RecordVisitAsync(HttpClient investigator, string code, string visit, string date)
    {
        var response = await investigator.PutAsJsonAsync($"/api/v1/participants/{code}/visits/{visit}", new { actualDate = date });
        await response.JsonAsync(HttpStatusCode.OK);
    }
}
