using Trial.Application;

namespace Trial.Api.Imports;

/// <summary>
/// One assessment read from an import's body, whatever its format: its values, or the problem that kept it from being read
/// (<paramref name="Unreadable"/>). <paramref name="Number"/> is where it starts in the body; <paramref name="Hash"/> identifies
/// its content, for its row key; <paramref name="Names"/> names a refusal's fields as the body wrote them (none for JSON
/// lines, whose fields are the single POST's).
/// </summary>
internal sealed record ImportLine(int Number, ImportAssessmentLine? Values, IResult? Unreadable, string? Hash, Func<Invalid, Invalid>? Names = null);
