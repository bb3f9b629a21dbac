using System.Text.Json;

namespace Trial.Application.Assessments;

/// <summary>
/// A rating-scale assessment as entered: the instrument, the infusion timepoint (null at a visit without infusion), when it
/// was administered (with its time zone), the items in item order as JSON numbers (null for a missing item), whether the
/// protocol does not schedule it there, and a reason (required to correct it, or to enter one after withdrawal).
/// </summary>
public sealed record AssessmentValues(string? Instrument, string? Timepoint, DateTime? AdministeredUtc, JsonElement[]? Items, bool? Unscheduled, string? Reason);
