using System.Text.Json;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.Assessments;
using Trial.Db.Participants;

namespace Trial.Application.Assessments;

/// <summary>What an assessment must satisfy, whether it is entered or corrected, and how it stands against its visit.</summary>
internal static class AssessmentRules
{
    /// <summary>How far ahead of the server clock a stated administration time may be (clock skew between devices).</summary>
    private static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Reads item values from JSON: numbers or null. Anything else (a string, a boolean) is named
    /// by item number, so the clinician sees which answer to fix.
    /// </summary>
    public static List<decimal?>? ParseItems(JsonElement[]? raw, InstrumentDefinition? definition, FieldErrors errors)
    {
        if (raw is null)
        {
            errors.Add("items", "items is required: the item responses in item order, null for a missing item.");
            return null;
        }
        // The length first: with the wrong count no answer can be matched to its item, and a huge list is refused at once.
        var longest = InstrumentCatalog.All.Max(i => i.ItemCount);
        if (definition is not null && raw.Length != definition.ItemCount || raw.Length > longest)
        {
            var expected = definition is null ? $"at most {longest} items" : $"{definition.Abbreviation} has {definition.ItemCount} items";
            errors.Add("items", $"{expected}; {raw.Length} were given.");
            return null;
        }
        var items = new List<decimal?>(raw.Length);
        var typeErrors = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var e = raw[i];
            if (e.ValueKind == JsonValueKind.Null)
            {
                items.Add(null);
            }
            else if (e.ValueKind == JsonValueKind.Number && e.TryGetDecimal(out var value))
            {
                items.Add(value);
            }
            else
            {
                typeErrors = true;
                var label = definition is not null && i < definition.ItemLabels.Count ? $" ({definition.ItemLabels[i]})" : "";
                errors.Add($"items[{i + 1}]", $"Item {i + 1}{label} must be a number or null; got {e.GetRawText()}.");
            }
        }
        if (definition is null || typeErrors) return items;
        foreach (var error in ItemValidator.Validate(definition, items))
            errors.Add(error.ItemNumber is { } n ? $"items[{n}]" : "items", error.Message);
        return items;
    }

    public static DateTime? CheckAdministered(FieldErrors errors, DateTime? value, DateTime now, ParticipantRow participant)
    {
        var administered = errors.Instant(value, "administeredUtc", "The time of administration (administeredUtc)");
        if (administered > now + AllowedClockSkew)
            errors.Add("administeredUtc", $"The time of administration {administered:yyyy-MM-ddTHH:mm:ssZ} is in the future.");
        if (administered is { } at && SiteCalendar.LocalDate(at, participant.TimeZone) < participant.EnrolledDate)
            errors.Add("administeredUtc", $"The time of administration {at:yyyy-MM-ddTHH:mm:ssZ} is before the participant was enrolled ({participant.EnrolledDate:yyyy-MM-dd}).");
        return administered;
    }

    /// <summary>
    /// How the assessment's administration stands against its visit (see <see cref="AssessmentTiming"/>): refused when an
    /// infusion-timepoint assessment is not dated on the infusion's day, flagged when administered outside the visit's window.
    /// </summary>
    public static AssessmentTimingResult Timing(ProtocolDefinition protocol, ParticipantRow participant, IReadOnlyList<VisitRecordRow> records, AssessmentRow a, DateTime now)
    {
        var record = records.FirstOrDefault(r => r.VisitCode == a.VisitCode);
        var planned = ScheduleCalculator.Build(protocol, participant.ScheduleInput(records), Participants.DataEntry.Today(participant, now))
            .FirstOrDefault(v => v.VisitCode == a.VisitCode);
        if (record is null || planned is null) return new AssessmentTimingResult(null, false);
        return AssessmentTiming.Check(protocol, protocol.FindVisit(a.VisitCode)!, a.Timepoint.Length == 0 ? null : a.Timepoint, record.ActualDate,
            planned.WindowStart, planned.WindowEnd, SiteCalendar.LocalDate(a.AdministeredUtc, participant.TimeZone));
    }
}
