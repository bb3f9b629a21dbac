using Trial.Core.Protocol;

namespace Trial.Application.Visits;

/// <summary>The refusals every entry of a visit's data shares, in the same words whatever is entered.</summary>
internal static class VisitRefusals
{
    public static NotFound NotInProtocol(ProtocolDefinition protocol, string visitCode) => new($"Visit '{visitCode}' is not in protocol {protocol.Version}.");

    /// <summary>Data of a visit (<paramref name="what"/>: its infusion, vital signs, assessments) comes after the visit is recorded.</summary>
    public static Conflict NotRecorded(string code, string visitCode, string what) =>
        new($"Visit {visitCode} of {code} has not been recorded yet; record it (PUT /api/v1/participants/{code}/visits/{visitCode}) before its {what}.",
            new Dictionary<string, object?> { ["missingVisit"] = visitCode });
}
