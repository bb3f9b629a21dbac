using Trial.Application.Participants;
using Trial.Application.Randomisation;
using Trial.Core.Protocol;
using Trial.Core.Sites;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;

namespace Trial.Application.Visits;

/// <summary>What an infusion must satisfy, whether it is recorded or corrected.</summary>
internal static class InfusionRules
{
    /// <summary>The entered values checked against the protocol's limits and design; null (with <paramref name="errors"/>) when any is wrong.</summary>
    public static CheckedInfusion? Check(InfusionValues body, ProtocolDefinition protocol, DateTime now, FieldErrors errors, bool reasonRequired)
    {
        var limits = protocol.Infusion;
        var weight = errors.Required(body.WeightKg, "weightKg", "Weight (kg)");
        if (weight is not null && (weight < limits.MinWeightKg || weight > limits.MaxWeightKg))
            errors.Add("weightKg", $"Weight must be between {limits.MinWeightKg} and {limits.MaxWeightKg} kg; got {weight}.");
        errors.Decimals(weight, RecordedDecimals.WeightKg, "weightKg", "Weight (kg)");
        decimal? dose = null, volume = null;
        string? preparationId = null;
        if (protocol.Design.IsBlinded)
        {
            // The same words whatever the arm: the message must not tell a blinded investigator anything.
            if (body.DoseMgPerKg is not null)
                errors.Add("doseMgPerKg", "This study is blinded: the infusion is recorded by the preparation given (preparationId), not by its dose.");
            preparationId = errors.Required(body.PreparationId?.Trim(), "preparationId", "The label of the preparation given (preparationId)");
            volume = errors.Required(body.VolumeMl, "volumeMl", "The volume infused (ml)");
            var prepared = protocol.Design.Preparation!.VolumeMl;
            if (volume is not null && (volume <= 0 || volume > prepared))
                errors.Add("volumeMl", $"The volume infused must be more than 0 and at most the {prepared} ml of a preparation; got {volume} ml.");
            errors.Decimals(volume, RecordedDecimals.VolumeMl, "volumeMl", "The volume infused (ml)");
        }
        else
        {
            dose = errors.Required(body.DoseMgPerKg, "doseMgPerKg", "Dose (mg/kg)");
            if (dose is not null && (dose < limits.MinDoseMgPerKg || dose > limits.MaxDoseMgPerKg))
                errors.Add("doseMgPerKg", $"Dose must be between {limits.MinDoseMgPerKg} and {limits.MaxDoseMgPerKg} mg/kg; got {dose} mg/kg, which is implausible for IV ketamine.");
            errors.Decimals(dose, RecordedDecimals.DoseMgPerKg, "doseMgPerKg", "Dose (mg/kg)");
            if (body.PreparationId is not null) errors.Add("preparationId", "This study is open-label: the infusion is recorded with its dose (doseMgPerKg), not a preparation.");
            if (body.VolumeMl is not null) errors.Add("volumeMl", "This study is open-label: the infusion is recorded with its dose (doseMgPerKg), not a volume.");
        }
        var route = errors.Required(body.Route?.Trim(), "route", "Route");
        if (route is not null && !limits.Routes.Contains(route))
            errors.Add("route", $"Route must be one of {string.Join(", ", limits.Routes)}; got '{route}'.");
        var start = errors.Instant(body.StartUtc, "startUtc", "Start time (startUtc)");
        var end = errors.Instant(body.EndUtc, "endUtc", "End time (endUtc)");
        if (start is not null && end is not null)
        {
            var s = start.Value;
            var e = end.Value;
            if (e <= s) errors.Add("endUtc", "The infusion must end after it starts.");
            else if ((e - s).TotalMinutes > limits.MaxDurationMinutes)
                errors.Add("endUtc", $"An infusion lasting {(e - s).TotalMinutes:0} minutes is implausible (at most {limits.MaxDurationMinutes}).");
            if (s > now) errors.Add("startUtc", "The infusion start is in the future.");
            if (e > now) errors.Add("endUtc", "The infusion end is in the future.");
        }
        var reason = DataEntry.CheckReason(errors, body.Reason, reasonRequired);
        return errors.Any ? null : new CheckedInfusion(weight!.Value, dose, preparationId, volume, route!, start!.Value, end!.Value, reason);
    }

    public static decimal? TotalDose(CheckedInfusion input) =>
        input.DoseMgPerKg is { } dose ? Dosing.TotalDoseMg(dose, input.WeightKg) : null;

    /// <summary>
    /// In a blinded protocol: the infusion must name the preparation the pharmacy recorded for this visit, made up for
    /// about this weight. Null when it does, or in an open-label protocol; else the refusal. Its words and sizes depend on
    /// the preparation's label, volume and weight only, which are the same whatever the arm.
    /// </summary>
    public static async Task<Refusal?> CheckPreparationAsync(WriteScope w, ProtocolDefinition protocol, ParticipantRow participant, string visitCode, CheckedInfusion input)
    {
        if (!protocol.Design.IsBlinded) return null;
        var code = participant.Code;
        if (await RandomisationQueries.FindAllocationAsync(w.Session, participant.Id) is null)
        {
            return new Conflict($"{code} has not been randomised: the investigator randomises (POST /api/v1/participants/{code}/randomisation), then the pharmacy " +
                                "prepares the infusion, before it is given.",
                new Dictionary<string, object?> { ["missingStep"] = "randomisation" });
        }

        var preparation = await RandomisationQueries.FindPreparationAsync(w.Session, participant.Id, visitCode);
        if (preparation is null)
        {
            return new Conflict($"No preparation for {code} at {visitCode} is recorded: the pharmacy records it (POST /api/v1/participants/{code}/visits/{visitCode}/preparation) before the infusion is recorded.",
                new Dictionary<string, object?> { ["missingStep"] = "preparation", ["missingPreparation"] = visitCode });
        }

        if (preparation.PreparationId != input.PreparationId)
            return Invalid.Field("preparationId", $"'{input.PreparationId}' is not the preparation the pharmacy recorded for {code} at {visitCode}; check the label on the syringe.");
        var tolerance = protocol.Design.Preparation!.WeightTolerancePercent;
        if (Math.Abs(input.WeightKg - preparation.WeightKg) > preparation.WeightKg * tolerance / 100)
            return Invalid.Field("weightKg", $"The preparation was made up for {preparation.WeightKg} kg; {input.WeightKg} kg differs by more than {tolerance} %: ask the pharmacy to prepare it again.");
        return null;
    }

    // The infusion is what happens at its visit, so it starts on the visit's date in the site's calendar.
    public static Refusal? CheckDate(ParticipantRow participant, VisitRecordRow visit, DateTime startUtc)
    {
        var startDate = SiteCalendar.LocalDate(startUtc, participant.TimeZone);
        return startDate == visit.ActualDate
            ? null
            : Invalid.Field("startUtc", $"The infusion starts on {startDate:yyyy-MM-dd} (site time), but visit {visit.VisitCode} was recorded on {visit.ActualDate:yyyy-MM-dd}; correct one of them.");
    }
}
