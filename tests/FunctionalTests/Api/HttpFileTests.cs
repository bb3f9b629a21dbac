using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// trial.http, the README's first steps for an editor's HTTP client, sent in order against a real host as such a client
/// sends it: file variables, named requests whose responses later requests read ({{name.response.body.$.field}}), and
/// today's date and time ({{$datetime ...}}). Every request must succeed.
/// </summary>
public partial class HttpFileTests
{
    [GeneratedRegex(@"\{\{(?<expression>[^}]+)\}\}")]
    private static partial Regex Placeholder();

    [Test]
    public async Task TrialHttp_EveryRequestInOrder_Succeeds()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "trial.http"));
        await using var host = TrialHost.Start(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton(TimeProvider.System);
        });
        var variables = new Dictionary<string, string>();
        var responses = new Dictionary<string, JsonNode?>();
        using var http = host.Client();

        var blocks = text.Split("\n###").Select((b, i) => i == 0 ? b : b[(b.IndexOf('\n') is var nl && nl < 0 ? b.Length : nl)..]).ToList();
        var sent = 0;
        foreach (var block in blocks)
        {
            var lines = block.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            string? name = null;
            var at = 0;
            for (; at < lines.Count; at++)
            {
                var line = lines[at].Trim();
                if (line.Length == 0) continue;
                if (line.StartsWith("# @name ", StringComparison.Ordinal))
                {
                    name = line["# @name ".Length..].Trim();
                }
                else if (line.StartsWith('@')) { var eq = line.IndexOf('='); variables[line[1..eq].Trim()] = line[(eq + 1)..].Trim(); }
                else if (!line.StartsWith('#'))
                {
                    break;
                }
            }
            if (at >= lines.Count) continue;

            string Resolve(string value) => Placeholder().Replace(value, m => Evaluate(m.Groups["expression"].Value.Trim(), variables, responses));
            // The host's address and the bootstrap admin's token stand for the file's defaults, as a user pastes theirs.
            variables["api"] = host.Admin.BaseAddress!.ToString().TrimEnd('/') + "/api/v1";
            variables["admin"] = TrialHost.AdminToken;

            var requestLine = Resolve(lines[at]).Split(' ', 2);
            using var request = new HttpRequestMessage(new HttpMethod(requestLine[0]), requestLine[1].Trim());
            string? contentType = null;
            for (at++; at < lines.Count && lines[at].Trim().Length > 0; at++)
            {
                var colon = lines[at].IndexOf(':');
                var (header, value) = (lines[at][..colon].Trim(), Resolve(lines[at][(colon + 1)..].Trim()));
                if (header.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = value;
                else request.Headers.TryAddWithoutValidation(header, value);
            }
            var body = Resolve(string.Join("\n", lines.Skip(at)).Trim());
            if (body.Length > 0) request.Content = new StringContent(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType ?? "application/json"));

            using var response = await http.SendAsync(request);
            var answer = await response.Content.ReadAsStringAsync();
            Assert.That(response.IsSuccessStatusCode, Is.True, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {answer}");
            if (name is not null) responses[name] = answer.Length == 0 ? null : JsonNode.Parse(answer);
            sent++;
            if (request.RequestUri!.AbsolutePath.EndsWith("/audit/verify", StringComparison.Ordinal))
                Assert.That(JsonNode.Parse(answer)!["intact"]!.GetValue<bool>(), Is.True, answer);
        }
        Assert.That(sent, Is.EqualTo(12), "every request of the file was sent");
        Assert.That(responses["participant"]!["code"]!.GetValue<string>(), Is.EqualTo("WAW-0001"));
    }

    private static string Evaluate(string expression, Dictionary<string, string> variables, Dictionary<string, JsonNode?> responses)
    {
        if (expression == "$datetime iso8601") return DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        if (expression == "$datetime 'YYYY-MM-DD'") return DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (variables.TryGetValue(expression, out var value)) return value;
        var parts = expression.Split('.');
        if (parts.Length >= 5 && parts[1] == "response" && parts[2] == "body" && parts[3] == "$" && responses.TryGetValue(parts[0], out var node))
            return parts.Skip(4).Aggregate(node, (n, key) => n?[key])?.GetValue<string>() ?? throw new AssertionException($"{expression} is empty");
        throw new AssertionException($"trial.http uses {{{{{expression}}}}}, which this test does not know");
    }

    private static string RepositoryRoot() => BuildOutput.RepositoryRoot();
}
