using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Safety;
using Trial.Db.Schedules;
using Trial.Worker.Safety;
using Trial.Db.Visits;
using Trial.Worker.Schedules;

namespace Trial.Api.Visits;

public sealed record RecordVisitRequest(DateOnly? ActualDate);

public sealed record VisitResponse(
    string VisitCode, string Name, DateOnly TargetDate, DateOnly WindowStart, DateOnly WindowEnd, bool Provisional,
    string Status, DateOnly? ActualDate, bool? InWindow)
{
    public static VisitResponse From(ScheduledVisit v) =>
        new(v.VisitCode, v.Name, v.TargetDate, v.WindowStart, v.WindowEnd, v.Provisional, v.Status, v.ActualDate, v.InWindow);
}

public sealed record RecordInfusionRequest(decimal? WeightKg, decimal? DoseMgPerKg, string? Route, DateTime? StartUtc, DateTime? EndUtc);

public sealed record InfusionResponse(
    Guid Id, string ParticipantCode, string VisitCode, decimal WeightKg, decimal DoseMgPerKg, decimal TotalDoseMg, string Route,
    DateTime StartUtc, DateTime EndUtc, DateTime RecordedUtc);

public sealed record RecordVitalsRequest(string? Timepoint, int? Systolic, int? Diastolic, int? HeartRate, int? Spo2);

public sealed record VitalsResponse(
    Guid Id, string ParticipantCode, string VisitCode, string Timepoint, int Systolic, int Diastolic, int HeartRate, int Spo2, DateTime RecordedUtc);

public static class VisitEndpoints
{
    public static IEndpointRouteBuilder MapVisits(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/participants/{code}/visits").WithTags("Visits");
        group.MapGet("", GetScheduleAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetVisitSchedule")
            .WithSummary("The participant's visit plan: every protocol visit with its target date, window, status and whether it was in window.")
            .Produces<IReadOnlyList<VisitResponse>>().ProducesProblem(404).ProducesProblem(403);
        group.MapPut("/{visitCode}", RecordVisitAsync).RequireAuthorization(Policies.Investigator).WithName("RecordVisit")
            .WithSummary("Record that a visit happened on a date (or correct that date). Later visits' targets follow. A visit outside its window is kept and flagged.")
            .Produces<VisitResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403);
        group.MapPost("/{visitCode}/infusion", RecordInfusionAsync).RequireAuthorization(Policies.Investigator).WithName("RecordInfusion")
            .WithSummary("Record the infusion given at an infusion visit; the total dose (mg) is computed by the server.")
            .Produces<InfusionResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{visitCode}/vitals", RecordVitalsAsync).RequireAuthorization(Policies.Investigator).WithName("RecordVitals")
            .WithSummary("Record vital signs at an infusion timepoint (pre, t40, t120, t240).")
            .Produces<VitalsResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(409);
        return app;
    }

    public static ScheduleInput ScheduleInputOf(ParticipantRow p, IEnumerable<VisitRecordRow> visits) =>
        new(p.EnrolledDate, visits.Select(v => new RecordedVisit(v.VisitCode, v.ActualDate)).ToList(), p.InfusionsDiscontinuedDate);

    private static async Task<IResult> GetScheduleAsync(string code, Database db, ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error;
        var visits = await db.ReadAsync(c => ParticipantQueries.VisitRecordsAsync(c, participant!.Id));
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var schedule = ScheduleCalculator.Build(protocol, ScheduleInputOf(participant!, visits), today);
        return Results.Ok(schedule.Select(VisitResponse.From));
    }

    private static async Task<IResult> RecordVisitAsync(string code, string visitCode, RecordVisitRequest body, Database db, ProtocolDefinition protocol, TimeProvider clock, JobQueue jobs, HttpContext http)
    {
        var actor = http.User.Actor();
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, actor);
        if (error is not null) return error;
        if (protocol.FindVisit(visitCode) is null) return Problems.NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");
        if (body.ActualDate is not { } actualDate) return Problems.Validation("actualDate", "actualDate is required (yyyy-MM-dd).");

        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        string? refusal = null;
        var schedule = await db.WriteAsync(actor, now, async w =>
        {
            var records = await ParticipantQueries.VisitRecordsAsync(w.Connection, participant!.Id, w.Transaction);
            refusal = VisitSequencing.CheckRecording(protocol, ScheduleInputOf(participant, records), visitCode, actualDate, today);
            if (refusal is not null) return null;
            var existing = records.FirstOrDefault(r => r.VisitCode == visitCode);
            await ParticipantQueries.UpsertVisitRecordAsync(w.Connection, w.Transaction, new VisitRecordRow
            {
                Id = existing?.Id ?? SequentialGuid.New(now),
                ParticipantId = participant.Id,
                VisitCode = visitCode,
                ActualDate = actualDate,
                RecordedUtc = now,
                RecordedBy = w.Actor.UserId,
            });
            await ScheduleQueries.MarkScheduleStaleAsync(w.Connection, w.Transaction, participant.Id);
            records = await ParticipantQueries.VisitRecordsAsync(w.Connection, participant.Id, w.Transaction);
            return ScheduleCalculator.Build(protocol, ScheduleInputOf(participant, records), today);
        });
        if (refusal is not null) return Problems.Validation("actualDate", refusal);
        jobs.Enqueue<ScheduleJobs>(j => j.RebuildScheduleAsync(participant!.Id));
        return Results.Ok(VisitResponse.From(schedule!.First(v => v.VisitCode == visitCode)));
    }

    private static async Task<IResult> RecordInfusionAsync(string code, string visitCode, RecordInfusionRequest body, Database db, ProtocolDefinition protocol, TimeProvider clock, JobQueue jobs, HttpContext http)
    {
        var actor = http.User.Actor();
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, actor);
        if (error is not null) return error;
        var visit = protocol.FindVisit(visitCode);
        if (visit is null) return Problems.NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");
        if (visit.Kind != VisitKinds.Infusion) return Problems.Validation("visitCode", $"{visitCode} is not an infusion visit.");

        var limits = protocol.Infusion;
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new FieldErrors();
        var weight = errors.Required(body.WeightKg, "weightKg", "Weight (kg)");
        if (weight is not null && (weight < limits.MinWeightKg || weight > limits.MaxWeightKg))
            errors.Add("weightKg", $"Weight must be between {limits.MinWeightKg} and {limits.MaxWeightKg} kg; got {weight}.");
        var dose = errors.Required(body.DoseMgPerKg, "doseMgPerKg", "Dose (mg/kg)");
        if (dose is not null && (dose < limits.MinDoseMgPerKg || dose > limits.MaxDoseMgPerKg))
            errors.Add("doseMgPerKg", $"Dose must be between {limits.MinDoseMgPerKg} and {limits.MaxDoseMgPerKg} mg/kg; got {dose} mg/kg, which is implausible for IV ketamine.");
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
        if (errors.Any) return errors.ToResult();

        var row = new InfusionRow
        {
            Id = SequentialGuid.New(now),
            ParticipantId = participant!.Id,
            VisitCode = visitCode,
            WeightKg = weight!.Value,
            DoseMgPerKg = dose!.Value,
            TotalDoseMg = Math.Round(weight.Value * dose.Value, 2, MidpointRounding.AwayFromZero),
            Route = route!,
            StartUtc = start!.Value,
            EndUtc = end!.Value,
            RecordedUtc = now,
            RecordedBy = actor.UserId,
        };
        var today = DateOnly.FromDateTime(now);
        var outcome = await db.WriteAsync(actor, now, async w =>
        {
            if (await InfusionAndVitalsQueries.FindInfusionAsync(w.Connection, participant.Id, visitCode, w.Transaction) is not null)
                return "conflict";
            // An infusion given is proof that its visit happened: when the visit is not recorded
            // yet, record it on the infusion's start date, under the same sequencing rules.
            var records = await ParticipantQueries.VisitRecordsAsync(w.Connection, participant.Id, w.Transaction);
            if (records.All(r => r.VisitCode != visitCode))
            {
                var visitDate = DateOnly.FromDateTime(row.StartUtc);
                var refusal = VisitSequencing.CheckRecording(protocol, ScheduleInputOf(participant, records), visitCode, visitDate, today);
                if (refusal is not null) return refusal;
                await ParticipantQueries.UpsertVisitRecordAsync(w.Connection, w.Transaction, new VisitRecordRow
                {
                    Id = SequentialGuid.New(now), ParticipantId = participant.Id, VisitCode = visitCode,
                    ActualDate = visitDate, RecordedUtc = now, RecordedBy = w.Actor.UserId,
                });
            }
            await ScheduleQueries.MarkScheduleStaleAsync(w.Connection, w.Transaction, participant.Id);
            await InfusionAndVitalsQueries.InsertInfusionAsync(w.Connection, w.Transaction, row);
            return null;
        });
        if (outcome is null) jobs.Enqueue<ScheduleJobs>(j => j.RebuildScheduleAsync(participant.Id));
        return outcome switch
        {
            null => Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/infusion",
                new InfusionResponse(row.Id, code, visitCode, row.WeightKg, row.DoseMgPerKg, row.TotalDoseMg, row.Route, row.StartUtc, row.EndUtc, row.RecordedUtc)),
            "conflict" => Problems.Conflict($"The infusion of {code} at {visitCode} is already recorded."),
            _ => Problems.Validation("visitCode", outcome),
        };
    }

    private static async Task<IResult> RecordVitalsAsync(string code, string visitCode, RecordVitalsRequest body, Database db, ProtocolDefinition protocol, TimeProvider clock, JobQueue jobs, HttpContext http)
    {
        var actor = http.User.Actor();
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, actor);
        if (error is not null) return error;
        var visit = protocol.FindVisit(visitCode);
        if (visit is null) return Problems.NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");
        if (visit.Kind != VisitKinds.Infusion) return Problems.Validation("visitCode", $"Vital signs are recorded at infusion visits; {visitCode} is not one.");

        var limits = protocol.Vitals;
        var errors = new FieldErrors();
        var timepoint = errors.Required(body.Timepoint?.Trim(), "timepoint", "Timepoint");
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
        if (errors.Any) return errors.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        var row = new VitalSignRow
        {
            Id = SequentialGuid.New(now),
            ParticipantId = participant!.Id,
            VisitCode = visitCode,
            Timepoint = timepoint!,
            Systolic = body.Systolic!.Value,
            Diastolic = body.Diastolic!.Value,
            HeartRate = body.HeartRate!.Value,
            Spo2 = body.Spo2!.Value,
            RecordedUtc = now,
            RecordedBy = actor.UserId,
        };
        var inserted = await db.WriteAsync(actor, now, async w =>
        {
            if (await InfusionAndVitalsQueries.FindVitalAsync(w.Connection, participant.Id, visitCode, row.Timepoint, w.Transaction) is not null)
                return false;
            await InfusionAndVitalsQueries.InsertVitalAsync(w.Connection, w.Transaction, row);
            await SafetyQueries.MarkUnevaluatedAsync(w.Connection, w.Transaction, participant.Id);
            return true;
        });
        if (inserted) jobs.Enqueue<SafetyJobs>(j => j.EvaluateVitalsAsync(row.Id));
        return inserted
            ? Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/vitals/{row.Timepoint}",
                new VitalsResponse(row.Id, code, visitCode, row.Timepoint, row.Systolic, row.Diastolic, row.HeartRate, row.Spo2, row.RecordedUtc))
            : Problems.Conflict($"Vital signs of {code} at {visitCode} {row.Timepoint} are already recorded.");
    }
}
