using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;
using Trial.Db.Visits;

namespace Trial.Api.Visits;

public sealed record RecordVisitRequest(DateOnly? ActualDate, string? Reason);

public sealed record VisitResponse(
    string VisitCode, string Name, DateOnly TargetDate, DateOnly WindowStart, DateOnly WindowEnd, bool Provisional,
    string Status, DateOnly? ActualDate, bool? InWindow, int? Version)
{
    public static VisitResponse From(ScheduledVisit v, VisitRecordRow? record) =>
        new(v.VisitCode, v.Name, v.TargetDate, v.WindowStart, v.WindowEnd, v.Provisional, v.Status, v.ActualDate, v.InWindow, record?.RowVersion);
}

/// <summary>
/// An infusion as the investigator records it. Open-label protocols: <c>doseMgPerKg</c> (the total dose is computed).
/// Blinded protocols: <c>preparationId</c> (the pharmacy's label on the syringe given) and <c>volumeMl</c> infused, never
/// the dose, which the blinded investigator does not know.
/// </summary>
public sealed record RecordInfusionRequest(
    decimal? WeightKg, decimal? DoseMgPerKg, string? Route, DateTime? StartUtc, DateTime? EndUtc, string? Reason, string? PreparationId = null, decimal? VolumeMl = null);

/// <summary>
/// A recorded infusion. In a blinded protocol the dose fields are empty whatever the arm (so the response reads the same
/// for every arm), and the preparation's label and the volume infused are given instead.
/// </summary>
public sealed record InfusionResponse(
    Guid Id, string ParticipantCode, string VisitCode, decimal WeightKg, decimal? DoseMgPerKg, decimal? TotalDoseMg, string? PreparationId, decimal? VolumeMl,
    string Route, DateTime StartUtc, DateTime EndUtc, DateTime RecordedUtc, int Version)
{
    public static InfusionResponse From(InfusionRow r, string code) =>
        new(r.Id, code, r.VisitCode, r.WeightKg, r.DoseMgPerKg, r.TotalDoseMg, r.PreparationId, r.VolumeMl, r.Route, r.StartUtc, r.EndUtc, r.RecordedUtc, r.RowVersion);
}

public sealed record RecordVitalsRequest(string? Timepoint, int? Systolic, int? Diastolic, int? HeartRate, int? Spo2, string? Reason);

public sealed record VitalsResponse(
    Guid Id, string ParticipantCode, string VisitCode, string Timepoint, int Systolic, int Diastolic, int HeartRate, int Spo2, DateTime RecordedUtc, int Version)
{
    public static VitalsResponse From(VitalSignRow r, string code) =>
        new(r.Id, code, r.VisitCode, r.Timepoint, r.Systolic, r.Diastolic, r.HeartRate, r.Spo2, r.RecordedUtc, r.RowVersion);
}

/// <summary>A recorded visit as the audit trail sees it.</summary>
internal sealed record AuditedVisit(string ParticipantCode, string VisitCode, DateOnly ActualDate, int Version);

public static class VisitEndpoints
{
    public static IEndpointRouteBuilder MapVisits(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/participants/{code}/visits").WithTags("Visits");
        group.MapGet("", GetScheduleAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetVisitSchedule")
            .WithSummary("The participant's visit plan: every protocol visit with its target date, window, status and whether it was in window.")
            .Produces<IReadOnlyList<VisitResponse>>().ProducesProblem(404).ProducesProblem(403);
        group.MapGet("/{visitCode}", GetVisitAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetVisit")
            .WithSummary("One visit of the plan; when it has been recorded, its ETag is the version a correction of its date must name in If-Match.")
            .Produces<VisitResponse>().ProducesProblem(404).ProducesProblem(403);
        group.MapPut("/{visitCode}", RecordVisitAsync).RequireAuthorization(Policies.Investigator).WithName("RecordVisit")
            .WithSummary("Record that a visit happened on a date. Correcting the date of a recorded visit needs a reason and If-Match with its ETag. Later visits' targets follow. A visit outside its window is kept and flagged.")
            .Produces<VisitResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        group.MapPost("/{visitCode}/infusion", RecordInfusionAsync).RequireAuthorization(Policies.Investigator).WithName("RecordInfusion")
            .WithSummary("Record the infusion given at an infusion visit (record the visit first). Open-label protocols: weightKg, doseMgPerKg, route, " +
                         "startUtc, endUtc; the total dose (mg) is computed by the server. Blinded protocols: weightKg, preparationId (the pharmacy's label on " +
                         "the syringe, which must be the preparation recorded for this visit), volumeMl, route, startUtc, endUtc; never the dose.")
            .Produces<InfusionResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        group.MapGet("/{visitCode}/infusion", GetInfusionAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetInfusion")
            .WithSummary("The infusion given at a visit; its ETag is the version a correction must name in If-Match.")
            .Produces<InfusionResponse>().ProducesProblem(404).ProducesProblem(403);
        group.MapPut("/{visitCode}/infusion", CorrectInfusionAsync).RequireAuthorization(Policies.Investigator).WithName("CorrectInfusion")
            .WithSummary("Correct a recorded infusion: the whole infusion plus a reason, with If-Match set to its ETag. The audit trail keeps the earlier values.")
            .Produces<InfusionResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        group.MapPost("/{visitCode}/vitals", RecordVitalsAsync).RequireAuthorization(Policies.Investigator).WithName("RecordVitals")
            .WithSummary("Record vital signs at an infusion timepoint (pre, t40, t120, t240) of a recorded visit.")
            .Produces<VitalsResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        group.MapGet("/{visitCode}/vitals/{timepoint}", GetVitalsAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetVitals")
            .WithSummary("The vital signs taken at one timepoint of a visit; the ETag is the version a correction must name in If-Match.")
            .Produces<VitalsResponse>().ProducesProblem(404).ProducesProblem(403);
        group.MapPut("/{visitCode}/vitals/{timepoint}", CorrectVitalsAsync).RequireAuthorization(Policies.Investigator).WithName("CorrectVitals")
            .WithSummary("Correct recorded vital signs: all four values plus a reason, with If-Match set to their ETag. Safety rules are re-evaluated.")
            .Produces<VitalsResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return app;
    }

    private static async Task<IResult> GetScheduleAsync(string code, Database db, ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error.ToResult();
        var records = await db.ReadAsync(c => ParticipantQueries.VisitRecordsAsync(c, participant!.Id));
        var schedule = ScheduleCalculator.Build(protocol, participant!.ScheduleInput(records), DataEntry.Today(participant!, clock.GetUtcNow().UtcDateTime));
        return Results.Ok(schedule.Select(v => VisitResponse.From(v, records.FirstOrDefault(r => r.VisitCode == v.VisitCode))));
    }

    private static async Task<IResult> GetVisitAsync(string code, string visitCode, Database db, ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error.ToResult();
        if (protocol.FindVisit(visitCode) is null) return Problems.NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");
        var records = await db.ReadAsync(c => ParticipantQueries.VisitRecordsAsync(c, participant!.Id));
        var schedule = ScheduleCalculator.Build(protocol, participant!.ScheduleInput(records), DataEntry.Today(participant!, clock.GetUtcNow().UtcDateTime));
        var visit = schedule.FirstOrDefault(v => v.VisitCode == visitCode);
        if (visit is null) return Problems.NotFound($"Visit {visitCode} is no longer in the plan of {code} (infusions were discontinued).");
        var record = records.FirstOrDefault(r => r.VisitCode == visitCode);
        var response = Results.Ok(VisitResponse.From(visit, record));
        return record is null ? response : response.WithETag(record.RowVersion);
    }

    private static async Task<IResult> RecordVisitAsync(string code, string visitCode, RecordVisitRequest body, Database db, WritePath writes,
        ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.Actor());
        if (error is not null) return error.ToResult();
        if (protocol.FindVisit(visitCode) is null) return Problems.NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");
        var errors = new FieldErrors();
        var actualDate = errors.Required(body.ActualDate, "actualDate", "actualDate (yyyy-MM-dd)");
        var reason = DataEntry.CheckReason(errors, body.Reason, required: false);
        if (errors.Any) return errors.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        var today = DataEntry.Today(participant!, now);
        return await writes.RunAsync(http, now, async w =>
        {
            var records = await ParticipantQueries.VisitRecordsAsync(w.Session, participant!.Id);
            var existing = records.FirstOrDefault(r => r.VisitCode == visitCode);
            if (existing is null && DataEntry.CheckWithdrawal(participant, reason) is { } withdrawn) return withdrawn.ToResult();
            if (existing is not null)
            {
                if (Versions.CheckIfMatch(http, existing.RowVersion, "visit") is { } precondition) return precondition;
                if (reason is null) return Problems.Validation("reason", "A reason is required to correct the date of a recorded visit.");
                if (existing.ActualDate == actualDate)
                {
                    w.Refuse(); // nothing changes, so nothing is written or audited
                    return ScheduleResult(participant, records, visitCode, existing, protocol, today);
                }
            }
            var refusal = VisitSequencing.CheckRecording(protocol, participant.ScheduleInput(records), visitCode, actualDate!.Value, today);
            if (refusal is not null) return Problems.Validation("actualDate", refusal);

            if (existing is null)
            {
                var record = new VisitRecordRow
                {
                    Id = SequentialGuid.New(now), ParticipantId = participant.Id, VisitCode = visitCode, ActualDate = actualDate.Value,
                    RecordedUtc = now, RecordedBy = w.Actor.UserId,
                };
                await ParticipantQueries.InsertVisitRecordAsync(w.Session, record);
                await w.AuditAsync(AuditEntry.Created(AuditEntities.Visit, $"{code}/{visitCode}", new AuditedVisit(code, visitCode, actualDate.Value, 1),
                    participant.SiteCode, code, reason, DataEntry.Flag(participant)));
            }
            else
            {
                if (await ParticipantQueries.CorrectVisitRecordAsync(w.Session, participant.Id, visitCode, actualDate.Value, existing.RowVersion, now, w.Actor.UserId) == 0)
                {
                    return Versions.Stale(existing.RowVersion + 1, "visit");
                }

                await w.AuditAsync(AuditEntry.Changed(AuditEntities.Visit, $"{code}/{visitCode}", AuditActions.Update,
                    new AuditedVisit(code, visitCode, existing.ActualDate, existing.RowVersion), new AuditedVisit(code, visitCode, actualDate.Value, existing.RowVersion + 1),
                    participant.SiteCode, code, reason, keys: ["participantCode", "visitCode"], flag: DataEntry.Flag(participant)));
            }
            await w.ScheduleDataChangedAsync(participant.Id);
            // Visit dates move the schedule, and with it which visits count as missed.
            await w.SafetyDataChangedAsync(participant.Id);
            records = await ParticipantQueries.VisitRecordsAsync(w.Session, participant.Id);
            return ScheduleResult(participant, records, visitCode, records.First(r => r.VisitCode == visitCode), protocol, today);
        });
    }

    private static IResult ScheduleResult(ParticipantRow participant, IReadOnlyList<VisitRecordRow> records, string visitCode, VisitRecordRow record,
        ProtocolDefinition protocol, DateOnly today)
    {
        var schedule = ScheduleCalculator.Build(protocol, participant.ScheduleInput(records), today);
        var visit = schedule.First(v => v.VisitCode == visitCode);
        return Results.Ok(VisitResponse.From(visit, record)).WithETag(record.RowVersion);
    }

    /// <summary>A checked infusion: a dose (open-label) or a preparation and volume (blinded).</summary>
    private sealed record InfusionInput(decimal WeightKg, decimal? DoseMgPerKg, string? PreparationId, decimal? VolumeMl, string Route, DateTime StartUtc,
        DateTime EndUtc, string? Reason);

    private static InfusionInput? ValidateInfusion(RecordInfusionRequest body, ProtocolDefinition protocol, DateTime now, FieldErrors errors, bool reasonRequired)
    {
        var limits = protocol.Infusion;
        var weight = errors.Required(body.WeightKg, "weightKg", "Weight (kg)");
        if (weight is not null && (weight < limits.MinWeightKg || weight > limits.MaxWeightKg))
            errors.Add("weightKg", $"Weight must be between {limits.MinWeightKg} and {limits.MaxWeightKg} kg; got {weight}.");
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
        }
        else
        {
            dose = errors.Required(body.DoseMgPerKg, "doseMgPerKg", "Dose (mg/kg)");
            if (dose is not null && (dose < limits.MinDoseMgPerKg || dose > limits.MaxDoseMgPerKg))
                errors.Add("doseMgPerKg", $"Dose must be between {limits.MinDoseMgPerKg} and {limits.MaxDoseMgPerKg} mg/kg; got {dose} mg/kg, which is implausible for IV ketamine.");
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
        return errors.Any ? null : new InfusionInput(weight!.Value, dose, preparationId, volume, route!, start!.Value, end!.Value, reason);
    }

    /// <summary>
    /// In a blinded protocol: the infusion must name the preparation the pharmacy recorded for this visit, made up for
    /// about this weight. Null when it does, or in an open-label protocol; else the refusal. Its words and sizes depend on
    /// the preparation's label, volume and weight only, which are the same whatever the arm.
    /// </summary>
    private static async Task<IResult?> CheckPreparationAsync(WriteScope w, ProtocolDefinition protocol, ParticipantRow participant, string visitCode, InfusionInput input)
    {
        if (!protocol.Design.IsBlinded) return null;
        var code = participant.Code;
        if (await RandomisationQueries.FindAllocationAsync(w.Session, participant.Id) is null)
        {
            return Problems.Conflict($"{code} has not been randomised: the investigator randomises (POST /api/v1/participants/{code}/randomisation), then the pharmacy " +
                                     "prepares the infusion, before it is given.",
                new Dictionary<string, object?> { ["missingStep"] = "randomisation" });
        }

        var preparation = await RandomisationQueries.FindPreparationAsync(w.Session, participant.Id, visitCode);
        if (preparation is null)
        {
            return Problems.Conflict($"No preparation for {code} at {visitCode} is recorded: the pharmacy records it (POST /api/v1/participants/{code}/visits/{visitCode}/preparation) before the infusion is recorded.",
                new Dictionary<string, object?> { ["missingStep"] = "preparation", ["missingPreparation"] = visitCode });
        }

        if (preparation.PreparationId != input.PreparationId)
            return Problems.Validation("preparationId", $"'{input.PreparationId}' is not the preparation the pharmacy recorded for {code} at {visitCode}; check the label on the syringe.");
        var tolerance = protocol.Design.Preparation!.WeightTolerancePercent;
        if (Math.Abs(input.WeightKg - preparation.WeightKg) > preparation.WeightKg * tolerance / 100)
            return Problems.Validation("weightKg", $"The preparation was made up for {preparation.WeightKg} kg; {input.WeightKg} kg differs by more than {tolerance} %: ask the pharmacy to prepare it again.");
        return null;
    }

    // The infusion is what happens at its visit, so it starts on the visit's date in the site's calendar.
    private static IResult? CheckInfusionDate(ParticipantRow participant, VisitRecordRow visit, DateTime startUtc)
    {
        var startDate = SiteCalendar.LocalDate(startUtc, participant.TimeZone);
        return startDate == visit.ActualDate
            ? null
            : Problems.Validation("startUtc", $"The infusion starts on {startDate:yyyy-MM-dd} (site time), but visit {visit.VisitCode} was recorded on {visit.ActualDate:yyyy-MM-dd}; correct one of them.");
    }

    private static IResult VisitNotRecorded(string code, string visitCode, string what) =>
        Problems.Conflict($"Visit {visitCode} of {code} has not been recorded yet; record it (PUT /api/v1/participants/{code}/visits/{visitCode}) before its {what}.",
            new Dictionary<string, object?> { ["missingVisit"] = visitCode });

    private static async Task<IResult> RecordInfusionAsync(string code, string visitCode, RecordInfusionRequest body, Database db, WritePath writes,
        ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.Actor());
        if (error is not null) return error.ToResult();
        var visit = protocol.FindVisit(visitCode);
        if (visit is null) return Problems.NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");
        if (visit.Kind != VisitKinds.Infusion) return Problems.Validation("visitCode", $"{visitCode} is not an infusion visit.");
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new FieldErrors();
        var input = ValidateInfusion(body, protocol, now, errors, reasonRequired: false);
        if (input is null) return errors.ToResult();
        if (DataEntry.CheckWithdrawal(participant!, input.Reason) is { } withdrawn) return withdrawn.ToResult();

        return await writes.RunAsync(http, now, async w =>
        {
            var record = (await ParticipantQueries.VisitRecordsAsync(w.Session, participant!.Id)).FirstOrDefault(r => r.VisitCode == visitCode);
            if (record is null) return VisitNotRecorded(code, visitCode, "infusion");
            if (await InfusionAndVitalsQueries.FindInfusionAsync(w.Session, participant.Id, visitCode) is { } existing)
            {
                return Problems.Conflict($"The infusion of {code} at {visitCode} is already recorded (id {existing.Id}); corrections go through PUT with If-Match.",
                    new Dictionary<string, object?> { ["existingId"] = existing.Id });
            }

            if (CheckInfusionDate(participant, record, input.StartUtc) is { } wrongDate) return wrongDate;
            if (await CheckPreparationAsync(w, protocol, participant, visitCode, input) is { } wrongPreparation) return wrongPreparation;
            var row = new InfusionRow
            {
                Id = SequentialGuid.New(now), ParticipantId = participant.Id, VisitCode = visitCode, WeightKg = input.WeightKg, DoseMgPerKg = input.DoseMgPerKg,
                TotalDoseMg = TotalDose(input), PreparationId = input.PreparationId, VolumeMl = input.VolumeMl, Route = input.Route, StartUtc = input.StartUtc,
                EndUtc = input.EndUtc, RecordedUtc = now, RecordedBy = w.Actor.UserId,
            };
            await InfusionAndVitalsQueries.InsertInfusionAsync(w.Session, row);
            var response = InfusionResponse.From(row, code);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Infusion, row.Id.ToString(), response, participant.SiteCode, code, input.Reason, DataEntry.Flag(participant)));
            await w.ScheduleDataChangedAsync(participant.Id);
            return Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/infusion", response).WithETag(row.RowVersion);
        });
    }

    private static decimal? TotalDose(InfusionInput input) =>
        input.DoseMgPerKg is { } dose ? Math.Round(input.WeightKg * dose, 2, MidpointRounding.AwayFromZero) : null;

    private static async Task<IResult> GetInfusionAsync(string code, string visitCode, Database db, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error.ToResult();
        var row = await db.ReadAsync(c => InfusionAndVitalsQueries.FindInfusionAsync(c, participant!.Id, visitCode));
        return row is null
            ? Problems.NotFound($"No infusion of {code} is recorded at {visitCode}.")
            : Results.Ok(InfusionResponse.From(row, code)).WithETag(row.RowVersion);
    }

    private static async Task<IResult> CorrectInfusionAsync(string code, string visitCode, RecordInfusionRequest body, Database db, WritePath writes,
        ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.Actor());
        if (error is not null) return error.ToResult();
        var current = await db.ReadAsync(c => InfusionAndVitalsQueries.FindInfusionAsync(c, participant!.Id, visitCode));
        if (current is null) return Problems.NotFound($"No infusion of {code} is recorded at {visitCode}.");
        if (Versions.CheckIfMatch(http, current.RowVersion, "infusion") is { } precondition) return precondition;
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new FieldErrors();
        var input = ValidateInfusion(body, protocol, now, errors, reasonRequired: true);
        if (input is null) return errors.ToResult();

        return await writes.RunAsync(http, now, async w =>
        {
            var record = (await ParticipantQueries.VisitRecordsAsync(w.Session, participant!.Id)).First(r => r.VisitCode == visitCode);
            if (CheckInfusionDate(participant, record, input.StartUtc) is { } wrongDate) return wrongDate;
            if (await CheckPreparationAsync(w, protocol, participant, visitCode, input) is { } wrongPreparation) return wrongPreparation;
            var corrected = new InfusionRow
            {
                Id = current.Id, ParticipantId = current.ParticipantId, VisitCode = visitCode, WeightKg = input.WeightKg, DoseMgPerKg = input.DoseMgPerKg,
                TotalDoseMg = TotalDose(input), PreparationId = input.PreparationId, VolumeMl = input.VolumeMl, Route = input.Route, StartUtc = input.StartUtc, EndUtc = input.EndUtc, RecordedUtc = current.RecordedUtc,
                RecordedBy = current.RecordedBy, RowVersion = current.RowVersion + 1, UpdatedUtc = now, UpdatedBy = w.Actor.UserId,
            };
            if (await InfusionAndVitalsQueries.CorrectInfusionAsync(w.Session, corrected) == 0) return Versions.Stale(current.RowVersion + 1, "infusion");
            var response = InfusionResponse.From(corrected, code);
            await w.AuditAsync(AuditEntry.Changed(AuditEntities.Infusion, current.Id.ToString(), AuditActions.Update, InfusionResponse.From(current, code), response,
                participant.SiteCode, code, input.Reason, flag: DataEntry.Flag(participant)));
            return Results.Ok(response).WithETag(corrected.RowVersion);
        });
    }

    private sealed record VitalsInput(string Timepoint, int Systolic, int Diastolic, int HeartRate, int Spo2, string? Reason);

    private static VitalsInput? ValidateVitals(RecordVitalsRequest body, string? routeTimepoint, ProtocolDefinition protocol, FieldErrors errors, bool reasonRequired)
    {
        var limits = protocol.Vitals;
        var timepoint = routeTimepoint ?? errors.Required(body.Timepoint?.Trim(), "timepoint", "Timepoint");
        if (routeTimepoint is not null && !string.IsNullOrWhiteSpace(body.Timepoint) && body.Timepoint.Trim() != routeTimepoint)
            errors.Add("timepoint", $"A correction cannot move vital signs to another timepoint ({routeTimepoint}).");
        if (timepoint is not null && !protocol.Timepoints.Contains(timepoint))
            errors.Add("timepoint", $"Timepoint must be one of {string.Join(", ", protocol.Timepoints)}; got '{timepoint}'.");
        void CheckRange(int? value, Trial.Core.Protocol.Range range, string field, string what, string unit)
        {
            if (errors.Required(value, field, what) is { } v && !range.Contains(v))
                errors.Add(field, $"{what} must be between {range.Min} and {range.Max} {unit}; got {v}.");
        }
        CheckRange(body.Systolic, limits.Systolic, "systolic", "Systolic blood pressure", "mmHg");
        CheckRange(body.Diastolic, limits.Diastolic, "diastolic", "Diastolic blood pressure", "mmHg");
        CheckRange(body.HeartRate, limits.HeartRate, "heartRate", "Heart rate", "beats/min");
        CheckRange(body.Spo2, limits.Spo2, "spo2", "SpO2", "%");
        if (body.Systolic is { } sys && body.Diastolic is { } dia && dia >= sys)
            errors.Add("diastolic", $"Diastolic pressure ({dia}) must be below systolic ({sys}).");
        var reason = DataEntry.CheckReason(errors, body.Reason, reasonRequired);
        return errors.Any ? null : new VitalsInput(timepoint!, body.Systolic!.Value, body.Diastolic!.Value, body.HeartRate!.Value, body.Spo2!.Value, reason);
    }

    private static async Task<IResult> RecordVitalsAsync(string code, string visitCode, RecordVitalsRequest body, Database db, WritePath writes,
        ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.Actor());
        if (error is not null) return error.ToResult();
        var visit = protocol.FindVisit(visitCode);
        if (visit is null) return Problems.NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");
        if (visit.Kind != VisitKinds.Infusion) return Problems.Validation("visitCode", $"Vital signs are recorded at infusion visits; {visitCode} is not one.");
        var errors = new FieldErrors();
        var input = ValidateVitals(body, null, protocol, errors, reasonRequired: false);
        if (input is null) return errors.ToResult();
        if (DataEntry.CheckWithdrawal(participant!, input.Reason) is { } withdrawn) return withdrawn.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, async w =>
        {
            var records = await ParticipantQueries.VisitRecordsAsync(w.Session, participant!.Id);
            if (records.All(r => r.VisitCode != visitCode)) return VisitNotRecorded(code, visitCode, "vital signs");
            if (await InfusionAndVitalsQueries.FindVitalAsync(w.Session, participant.Id, visitCode, input.Timepoint) is { } existing)
            {
                return Problems.Conflict($"Vital signs of {code} at {visitCode} {input.Timepoint} are already recorded (id {existing.Id}); corrections go through PUT with If-Match.",
                    new Dictionary<string, object?> { ["existingId"] = existing.Id });
            }

            var row = new VitalSignRow
            {
                Id = SequentialGuid.New(now), ParticipantId = participant.Id, VisitCode = visitCode, Timepoint = input.Timepoint, Systolic = input.Systolic,
                Diastolic = input.Diastolic, HeartRate = input.HeartRate, Spo2 = input.Spo2, RecordedUtc = now, RecordedBy = w.Actor.UserId,
            };
            await InfusionAndVitalsQueries.InsertVitalAsync(w.Session, row);
            var response = VitalsResponse.From(row, code);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Vitals, row.Id.ToString(), response, participant.SiteCode, code, input.Reason, DataEntry.Flag(participant)));
            await w.SafetyDataChangedAsync(participant.Id, SafetyChange.Added);
            return Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/vitals/{row.Timepoint}", response).WithETag(row.RowVersion);
        });
    }

    private static async Task<IResult> GetVitalsAsync(string code, string visitCode, string timepoint, Database db, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error.ToResult();
        var row = await db.ReadAsync(c => InfusionAndVitalsQueries.FindVitalAsync(c, participant!.Id, visitCode, timepoint));
        return row is null
            ? Problems.NotFound($"No vital signs of {code} are recorded at {visitCode} {timepoint}.")
            : Results.Ok(VitalsResponse.From(row, code)).WithETag(row.RowVersion);
    }

    private static async Task<IResult> CorrectVitalsAsync(string code, string visitCode, string timepoint, RecordVitalsRequest body, Database db, WritePath writes,
        ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.Actor());
        if (error is not null) return error.ToResult();
        var current = await db.ReadAsync(c => InfusionAndVitalsQueries.FindVitalAsync(c, participant!.Id, visitCode, timepoint));
        if (current is null) return Problems.NotFound($"No vital signs of {code} are recorded at {visitCode} {timepoint}.");
        if (Versions.CheckIfMatch(http, current.RowVersion, "vital signs") is { } precondition) return precondition;
        var errors = new FieldErrors();
        var input = ValidateVitals(body, timepoint, protocol, errors, reasonRequired: true);
        if (input is null) return errors.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, async w =>
        {
            var corrected = new VitalSignRow
            {
                Id = current.Id, ParticipantId = current.ParticipantId, VisitCode = visitCode, Timepoint = timepoint, Systolic = input.Systolic,
                Diastolic = input.Diastolic, HeartRate = input.HeartRate, Spo2 = input.Spo2, RecordedUtc = current.RecordedUtc, RecordedBy = current.RecordedBy,
                RowVersion = current.RowVersion + 1, UpdatedUtc = now, UpdatedBy = w.Actor.UserId,
            };
            if (await InfusionAndVitalsQueries.CorrectVitalAsync(w.Session, corrected) == 0) return Versions.Stale(current.RowVersion + 1, "vital signs");
            var response = VitalsResponse.From(corrected, code);
            await w.AuditAsync(AuditEntry.Changed(AuditEntities.Vitals, current.Id.ToString(), AuditActions.Update, VitalsResponse.From(current, code), response,
                participant!.SiteCode, code, input.Reason, flag: DataEntry.Flag(participant)));
            await w.SafetyDataChangedAsync(participant.Id);
            return Results.Ok(response).WithETag(corrected.RowVersion);
        });
    }
}
