using Trial.Application.Participants;
using Trial.Core.Medications;
using Trial.Db.ConcomitantMedications;
using Trial.Db.Participants;

namespace Trial.Application.ConcomitantMedications;

/// <summary>A concomitant medication as entered: the whole record (a correction sends it whole too), and the reason for a change.</summary>
public sealed record ConcomitantMedicationInput(
    string? Name, string? AtcCode, string? Dose, string? Route, DateOnly? StartDate, DateOnly? EndDate, bool? Ongoing, string? Indication, string? Reason);

/// <summary>
/// The fields of a concomitant medication, checked alike when it is recorded and when it is corrected:
/// <list type="bullet">
/// <item><c>name</c>: required, at most <see cref="MaxNameLength"/> characters, as written (a brand or a substance).</item>
/// <item><c>atcCode</c>: optional; a WHO ATC code of any level (N, N05, N05B, N05BA or N05BA06), stored in capitals
/// (<see cref="AtcCodes"/>). The protocol's medication classes are ATC prefixes, so a medication without one is classified
/// by its name only where the protocol lists names (ECT).</item>
/// <item><c>startDate</c>: required; <c>endDate</c> and <c>startDate</c> are the site's calendar dates, neither after today
/// at the site; the end is not before the start.</item>
/// <item><c>ongoing</c> xor <c>endDate</c>: an ongoing medication has no end date; one that is not ongoing has one
/// (<c>ongoing</c> may be left out when the end date is given).</item>
/// <item>Text fields never start with =, +, - or @: a spreadsheet would read such a cell as a formula, and no medication,
/// dose, route or indication is written so.</item>
/// </list>
/// </summary>
internal static class ConcomitantMedicationForm
{
    public const int MaxNameLength = RecordConcomitantMedication.MaxNameLength, MaxDoseLength = RecordConcomitantMedication.MaxDoseLength,
        MaxRouteLength = RecordConcomitantMedication.MaxRouteLength, MaxIndicationLength = RecordConcomitantMedication.MaxIndicationLength;

    /// <summary>The checked fields, as stored.</summary>
    public sealed record Checked(string Name, string? AtcCode, string? Dose, string? Route, DateOnly StartDate, DateOnly? EndDate, bool Ongoing, string? Indication, string? Reason);

    public static Outcome<Checked> Check(ConcomitantMedicationInput body, ParticipantRow participant, DateTime nowUtc, bool requireReason)
    {
        var errors = new FieldErrors();
        var name = Text(errors, body.Name, "name", "The medication's name", MaxNameLength, required: true);
        var atc = AtcCodes.Normalise(body.AtcCode);
        if (atc is not null && !AtcCodes.IsValid(atc))
            errors.Add("atcCode", $"'{body.AtcCode!.Trim()}' is not an ATC code: give one of any level, e.g. N05BA06 (substance), N05BA (chemical subgroup) or N05 (therapeutic subgroup); or leave it out.");
        var dose = Text(errors, body.Dose, "dose", "The dose", MaxDoseLength, required: false);
        var route = Text(errors, body.Route, "route", "The route", MaxRouteLength, required: false);
        var indication = Text(errors, body.Indication, "indication", "The indication", MaxIndicationLength, required: false);
        var today = DataEntry.Today(participant, nowUtc);
        var start = errors.Required(body.StartDate, "startDate", "The start date");
        if (start > today) errors.Add("startDate", $"The start date {start:yyyy-MM-dd} is after today at the site ({today:yyyy-MM-dd}).");
        var end = body.EndDate;
        if (end > today) errors.Add("endDate", $"The end date {end:yyyy-MM-dd} is after today at the site ({today:yyyy-MM-dd}); a medication still taken is ongoing.");
        if (end is { } e && start is { } s && e < s) errors.Add("endDate", $"The end date {e:yyyy-MM-dd} is before the start date {s:yyyy-MM-dd}.");
        var ongoing = body.Ongoing ?? false;
        if (ongoing && end is not null) errors.Add("endDate", "An ongoing medication has no end date: give the end date with \"ongoing\": false, or \"ongoing\": true without one.");
        if (!ongoing && end is null) errors.Add("endDate", "The end date is required unless the medication is ongoing (\"ongoing\": true).");
        var reason = DataEntry.CheckReason(errors, body.Reason, requireReason);
        if (errors.Any) return errors.ToRefusal();
        return new Checked(name!, atc, dose, route, start!.Value, end, ongoing, indication, reason);
    }

    public static ConcomitantMedicationRow ToRow(Checked input, Guid id, Guid participantId, int version, DateTime now, Guid by, DateTime recordedUtc, Guid recordedBy) => new()
    {
        Id = id, ParticipantId = participantId, Name = input.Name, AtcCode = input.AtcCode, Dose = input.Dose, Route = input.Route,
        StartDate = input.StartDate, EndDate = input.EndDate, Ongoing = input.Ongoing, Indication = input.Indication, RowVersion = version,
        RecordedUtc = recordedUtc, RecordedBy = recordedBy, UpdatedUtc = now, UpdatedBy = by,
    };

    private static string? Text(FieldErrors errors, string? value, string field, string what, int maxLength, bool required)
    {
        var text = required ? errors.Required(value?.Trim(), field, what) : string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (text.Length > maxLength) errors.Add(field, $"{what} must be at most {maxLength} characters.");
        if (text[0] is '=' or '+' or '-' or '@') errors.Add(field, $"{what} cannot start with '{text[0]}' (a spreadsheet would read it as a formula).");
        return text;
    }
}
