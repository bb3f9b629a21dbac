using System.Text.RegularExpressions;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Randomisation;
using Trial.Db.Visits;

namespace Trial.Api.Randomisation;

/// <summary>
/// What the pharmacy prepared. <c>weightKg</c> is the weight the dose was calculated for: by default the latest weight
/// recorded (see GET .../allocation).
/// </summary>
public sealed record RecordPreparationRequest(string? PreparationId, string? Arm, decimal? DoseMgPerKg, decimal? TotalDoseMg, decimal? VolumeMl, decimal? WeightKg);

public sealed record PreparationResponse(
    string PreparationId, string ParticipantCode, string VisitCode, string Arm, string Drug, decimal DoseMgPerKg, decimal TotalDoseMg, decimal VolumeMl,
    decimal WeightKg, DateTime PreparedUtc)
{
    public static PreparationResponse From(PreparationRow r, string code, ProtocolDefinition protocol) =>
        new(r.PreparationId, code, r.VisitCode, r.Arm, protocol.Design.FindArm(r.Arm)?.Drug ?? "", r.DoseMgPerKg, r.TotalDoseMg, r.VolumeMl, r.WeightKg, r.PreparedUtc);
}

/// <summary>A preparation as the audit trail records it: the label, the volume and the weight, never what is in the syringe.</summary>
internal sealed record AuditedPreparation(string PreparationId, string ParticipantCode, string VisitCode, decimal VolumeMl, decimal WeightKg, DateTime PreparedUtc);

/// <summary>
/// The unblinded pharmacy's record of each infusion it prepares in a blinded study: checked against the participant's
/// allocation and the protocol's dose for the arm, so a wrong syringe is refused before it reaches the ward. The
/// investigator later records the infusion by the preparation's label, never by its contents.
/// </summary>
public static partial class PreparationEndpoints
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,49}$")]
    private static partial Regex LabelPattern();

    public static IEndpointRouteBuilder MapPreparations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/participants/{code}/visits/{visitCode}/preparation").WithTags("Randomisation");
        group.MapPost("", RecordAsync).RequireAuthorization(Policies.Pharmacist).WithName("RecordPreparation")
            .WithSummary("Record the preparation of an infusion (pharmacist of the participant's site, blinded protocols): the label on the syringe " +
                         "(preparationId, which must not name an arm or drug), the arm, dose per kg, total dose and volume. Checked against the allocation, " +
                         "the protocol's dose for the arm and volume, and the weight (weightKg, default the latest recorded). One per infusion visit.")
            .Produces<PreparationResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        group.MapGet("", GetAsync).RequireAuthorization(Policies.AllocationReader).WithName("GetPreparation")
            .WithSummary("The preparation recorded for an infusion visit (pharmacist or unblinded statistician of the participant's site).")
            .Produces<PreparationResponse>().ProducesProblem(404).ProducesProblem(403);
        return app;
    }

    private static async Task<IResult> RecordAsync(string code, string visitCode, RecordPreparationRequest body, Database db, WritePath writes,
        ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var design = protocol.Design;
        if (!design.IsBlinded || design.Preparation is null)
            return Problems.Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} is {design.Blinding}: the investigator records the dose, there is no pharmacy preparation to record.");
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.Actor());
        if (error is not null) return error.ToResult();
        var visit = protocol.FindVisit(visitCode);
        if (visit is null) return Problems.NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");
        if (visit.Kind != VisitKinds.Infusion) return Problems.Validation("visitCode", $"{visitCode} is not an infusion visit.");

        var errors = new FieldErrors();
        var label = errors.Required(body.PreparationId?.Trim(), "preparationId", "The preparation's label (preparationId)");
        if (label is not null && !LabelPattern().IsMatch(label))
            errors.Add("preparationId", "The label must be 1 to 50 letters, digits, '.', '_', '/' or '-', starting with a letter or digit.");
        else if (label is not null && ArmDisclosure.Mentions(design, label))
            errors.Add("preparationId", "The label is read by blinded staff: it must not name an arm or a drug.");
        var arm = errors.Required(body.Arm?.Trim(), "arm", "The arm");
        var armDefinition = design.FindArm(arm);
        if (arm is not null && armDefinition is null) errors.Add("arm", $"Arm must be one of {string.Join(", ", design.Arms.Select(a => a.Code))}; got '{arm}'.");
        var dose = errors.Required(body.DoseMgPerKg, "doseMgPerKg", "The dose (mg/kg)");
        var total = errors.Required(body.TotalDoseMg, "totalDoseMg", "The total dose (mg)");
        if (total is <= 0) errors.Add("totalDoseMg", "The total dose must be positive.");
        var volume = errors.Required(body.VolumeMl, "volumeMl", "The volume (ml)");
        var limits = protocol.Infusion;
        if (body.WeightKg is { } w && (w < limits.MinWeightKg || w > limits.MaxWeightKg))
            errors.Add("weightKg", $"Weight must be between {limits.MinWeightKg} and {limits.MaxWeightKg} kg; got {w}.");
        if (errors.Any) return errors.ToResult();

        var weight = body.WeightKg ?? await RandomisationEndpoints.LatestWeightAsync(db, participant!);
        var settings = design.Preparation;
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, async w =>
        {
            var p = participant!;
            if (p.Status == ParticipantStatuses.Withdrawn) return Problems.Conflict($"{code} was withdrawn from the study on {p.WithdrawnDate:yyyy-MM-dd}; nothing is prepared for them.");
            if (p.InfusionsDiscontinuedDate is { } stopped) return Problems.Conflict($"The infusions of {code} were discontinued on {stopped:yyyy-MM-dd}; nothing is prepared for them.");
            var allocation = await RandomisationQueries.FindAllocationAsync(w.Session, p.Id);
            if (allocation is null)
            {
                return Problems.Conflict($"{code} has not been randomised: the investigator randomises (POST /api/v1/participants/{code}/randomisation) before anything is prepared.",
                    new Dictionary<string, object?> { ["missingStep"] = "randomisation" });
            }

            if (await RandomisationQueries.FindPreparationAsync(w.Session, p.Id, visitCode) is { } existing)
            {
                return Problems.Conflict($"The preparation for {code} at {visitCode} is already recorded ({existing.PreparationId}).",
                    new Dictionary<string, object?> { ["existingPreparationId"] = existing.PreparationId });
            }

            if (await InfusionAndVitalsQueries.FindInfusionAsync(w.Session, p.Id, visitCode) is not null)
                return Problems.Conflict($"The infusion of {code} at {visitCode} is already recorded; a preparation is recorded before it.");
            if (await RandomisationQueries.FindPreparationByLabelAsync(w.Session, label!) is not null)
                return Problems.Conflict($"The label {label} was already used for another preparation; every preparation has its own.");

            if (arm != allocation.Arm)
            {
                errors.Add("arm", $"{code} is allocated to {allocation.Arm} ({design.FindArm(allocation.Arm)?.Name}); this preparation is for {arm}. Do not dispense it.");
            }
            else if (dose != armDefinition!.DoseMgPerKg)
            {
                errors.Add("doseMgPerKg", $"The protocol's dose for {arm} is {armDefinition.DoseMgPerKg} mg/kg; got {dose} mg/kg.");
            }
            else
            {
                var expected = Math.Round(armDefinition.DoseMgPerKg * weight, 2, MidpointRounding.AwayFromZero);
                if (Math.Abs(total!.Value - expected) > expected * settings.TotalDoseTolerancePercent / 100)
                    errors.Add("totalDoseMg", $"{armDefinition.DoseMgPerKg} mg/kg for {weight} kg is {expected} mg; {total} mg is more than {settings.TotalDoseTolerancePercent} % away.");
            }
            if (volume != settings.VolumeMl)
                errors.Add("volumeMl", $"Every preparation is made up to {settings.VolumeMl} ml whatever the arm (so the volume cannot tell it); got {volume} ml.");
            if (errors.Any) return errors.ToResult();

            var row = new PreparationRow
            {
                Id = SequentialGuid.New(now), PreparationId = label!, ParticipantId = p.Id, VisitCode = visitCode, Arm = arm!, DoseMgPerKg = dose!.Value,
                TotalDoseMg = total!.Value, VolumeMl = volume!.Value, WeightKg = weight, PreparedUtc = now, PreparedBy = w.Actor.UserId,
            };
            await RandomisationQueries.InsertPreparationAsync(w.Session, row);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Preparation, label!,
                new AuditedPreparation(label!, code, visitCode, row.VolumeMl, weight, now), p.SiteCode, code));
            return Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/preparation", PreparationResponse.From(row, code, protocol));
        });
    }

    private static async Task<IResult> GetAsync(string code, string visitCode, Database db, ProtocolDefinition protocol, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error.ToResult();
        var row = await db.ReadAsync(c => RandomisationQueries.FindPreparationAsync(c, participant!.Id, visitCode));
        return row is null
            ? Problems.NotFound($"No preparation for {code} at {visitCode} is recorded.")
            : Results.Ok(PreparationResponse.From(row, code, protocol));
    }
}
