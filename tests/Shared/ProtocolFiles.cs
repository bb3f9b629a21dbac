using System.Text.Json;
using System.Text.Json.Nodes;
using Trial.Core.Protocol;

namespace Trial.Tests;

/// <summary>Protocol files the shipped ones do not cover, made from them by changing what a test needs changed.</summary>
internal static class ProtocolFiles
{
    /// <summary>
    /// The default design with its randomisation method switched to an imported list: the protocol file decides, so a
    /// study that brings its own list changes one line of its file.
    /// </summary>
    public static string ImportedList()
    {
        using var stream = typeof(ProtocolLoader).Assembly.GetManifestResourceStream("Trial.Core.Protocol.default-protocol.json")!;
        var json = JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        json["version"] = "2.0.0-list";
        json["design"]!["randomisation"]!["method"] = RandomisationMethods.ImportedList;
        return json.ToJsonString();
    }
}
