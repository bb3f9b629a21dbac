using System.Text.RegularExpressions;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;
using Trial.Db.Visits;

namespace Trial.Application.Randomisation;

/// <summary>
/// What the pharmacy prepared. <c>WeightKg</c> is the weight the dose was calculated for: by default the latest weight
/// recorded (see <see cref="Dosing.LatestWeightAsync"/>).
/// </summary>
public sealed record PreparationInput(string? PreparationId, string? Arm, decimal? DoseMgPerKg, decimal? TotalDoseMg, decimal? VolumeMl, decimal? WeightKg);

/// <summary>A preparation as stored, with the drug of its arm.</summary>
public sealed record RecordedPreparation(
    string PreparationId, string ParticipantCode, string VisitCode, string Arm, string Drug, decimal DoseMgPerKg, decimal TotalDoseMg, decimal VolumeMl,
    decimal WeightKg, DateTime PreparedUtc)
{
    public static RecordedPreparation Of(PreparationRow r, string code, ProtocolDefinition protocol) =>
        new(r.PreparationId, code, r.VisitCode, r.Arm, protocol.Design.FindArm(r.Arm)?.Drug ?? "", r.DoseMgPerKg, r.TotalDoseMg, r.VolumeMl, r.WeightKg, r.PreparedUtc);
}

/// <summary>A preparation as the audit trail records it: the label, the volume and the weight, never what is in the syringe.</summary>
internal sealed record AuditedPreparation(string PreparationId, string ParticipantCode, string VisitCode, decimal VolumeMl, decimal WeightKg, DateTime PreparedUtc);

/// <summary>
/// The unblinded pharmacy's record of each infusion it prepares in a blinded study: checked against the participant's
/// allocation and the protocol's dose for the arm, so a wrong syringe is refused before it reaches the ward. The
/// investigator later records the infusion by the preparation's label, never by its contents.
/// </summary>
public sealed partial class RecordPreparation(Database db, ProtocolDefinition protocol, TimeProvider clock)
{
    /// <summary>The longest label accepted: the preparation's row and the infusions that name it hold it.</summary>
    public const int MaxLabelLength = 50;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    private static partial Regex LabelPattern();

    /// <summary>A checked preparation, ready to be written.</summary>
    public sealed record Checked(
        ParticipantRow Participant, string VisitCode, string Label, string Arm, ArmDefinition ArmDefinition, decimal DoseMgPerKg, decimal TotalDoseMg,
        decimal VolumeMl, decimal WeightKg);

    /// <summary>What can be decided before the write: the design, the participant (and the actor's access), the visit, the fields and the weight.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string code, string visitCode, PreparationInput input)
    {
        var design = protocol.Design;
        if (!design.IsBlinded || design.Preparation is null)
            return new Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} is {design.Blinding}: the investigator records the dose, there is no pharmacy preparation to record.");
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var visit = protocol.FindVisit(visitCode);
        if (visit is null) return new NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");
        if (visit.Kind != VisitKinds.Infusion) return Invalid.Field("visitCode", $"{visitCode} is not an infusion visit.");

        var errors = new FieldErrors();
        var label = errors.Required(input.PreparationId?.Trim(), "preparationId", "The preparation's label (preparationId)");
        if (label is not null && (label.Length > MaxLabelLength || !LabelPattern().IsMatch(label)))
            errors.Add("preparationId", $"The label must be 1 to {MaxLabelLength} letters, digits, '.', '_', '/' or '-', starting with a letter or digit.");
        else if (label is not null && ArmDisclosure.Mentions(design, label))
            errors.Add("preparationId", "The label is read by blinded staff: it must not name an arm or a drug.");
        var arm = errors.Required(input.Arm?.Trim(), "arm", "The arm");
        var armDefinition = design.FindArm(arm);
        if (arm is not null && armDefinition is null) errors.Add("arm", $"Arm must be one of {string.Join(", ", design.Arms.Select(a => a.Code))}; got '{arm}'.");
        var dose = errors.Required(input.DoseMgPerKg, "doseMgPerKg", "The dose (mg/kg)");
        var total = errors.Required(input.TotalDoseMg, "totalDoseMg", "The total dose (mg)");
        if (total is <= 0) errors.Add("totalDoseMg", "The total dose must be positive.");
        var volume = errors.Required(input.VolumeMl, "volumeMl", "The volume (ml)");
        var limits = protocol.Infusion;
        if (input.WeightKg is { } w && (w < limits.MinWeightKg || w > limits.MaxWeightKg))
            errors.Add("weightKg", $"Weight must be between {limits.MinWeightKg} and {limits.MaxWeightKg} kg; got {w}.");
        errors.Decimals(input.WeightKg, RecordedDecimals.WeightKg, "weightKg", "Weight (kg)");
        errors.Decimals(dose, RecordedDecimals.DoseMgPerKg, "doseMgPerKg", "The dose (mg/kg)");
        errors.Decimals(total, RecordedDecimals.TotalDoseMg, "totalDoseMg", "The total dose (mg)");
        errors.Decimals(volume, RecordedDecimals.VolumeMl, "volumeMl", "The volume (ml)");
        if (errors.Any) return errors.ToRefusal();

        var weight = input.WeightKg ?? await Dosing.LatestWeightAsync(db, participant!);
        return new Checked(participant!, visitCode, label!, arm!, armDefinition!, dose!.Value, total!.Value, volume!.Value, weight);
    }

    /// <summary>
    /// Records the preparation, with its audit row, when the participant's data allows it (randomised, still receiving infusions,
    /// nothing prepared or given at the visit yet, a label of its own) and it is what the allocation and the protocol say.
    /// </summary>
    public async Task<Outcome<RecordedPreparation>> WriteAsync(WriteScope w, Checked input)
    {
        var (p, code, visitCode, label, arm, now) = (input.Participant, input.Participant.Code, input.VisitCode, input.Label, input.Arm, w.NowUtc);
        var (design, settings) = (protocol.Design, protocol.Design.Preparation!);
        if (p.Status == ParticipantStatuses.Withdrawn) return new Conflict($"{code} was withdrawn from the study on {p.WithdrawnDate:yyyy-MM-dd}; nothing is prepared for them.");
        if (p.InfusionsDiscontinuedDate is { } stopped) return new Conflict($"The infusions of {code} were discontinued on {stopped:yyyy-MM-dd}; nothing is prepared for them.");
        var allocation = await RandomisationQueries.FindAllocationAsync(w.Session, p.Id);
        if (allocation is null)
        {
            return new Conflict($"{code} has not been randomised: the investigator randomises (POST /api/v1/participants/{code}/randomisation) before anything is prepared.",
                new Dictionary<string, object?> { ["missingStep"] = "randomisation" });
        }

        if (await RandomisationQueries.FindPreparationAsync(w.Session, p.Id, visitCode) is { } existing)
        {
            return new Conflict($"The preparation for {code} at {visitCode} is already recorded ({existing.PreparationId}).",
                new Dictionary<string, object?> { ["existingPreparationId"] = existing.PreparationId });
        }

        if (await InfusionAndVitalsQueries.FindInfusionAsync(w.Session, p.Id, visitCode) is not null)
            return new Conflict($"The infusion of {code} at {visitCode} is already recorded; a preparation is recorded before it.");
        if (await RandomisationQueries.FindPreparationByLabelAsync(w.Session, label) is not null)
            return new Conflict($"The label {label} was already used for another preparation; every preparation has its own.");

        var errors = new FieldErrors();
        var (armDefinition, dose, total, weight) = (input.ArmDefinition, input.DoseMgPerKg, input.TotalDoseMg, input.WeightKg);
        if (arm != allocation.Arm)
        {
            errors.Add("arm", $"{code} is allocated to {allocation.Arm} ({design.FindArm(allocation.Arm)?.Name}); this preparation is for {arm}. Do not dispense it.");
        }
        else if (dose != armDefinition.DoseMgPerKg)
        {
            errors.Add("doseMgPerKg", $"The protocol's dose for {arm} is {armDefinition.DoseMgPerKg} mg/kg; got {dose} mg/kg.");
        }
        else
        {
            var expected = Dosing.TotalDoseMg(armDefinition.DoseMgPerKg, weight);
            if (Math.Abs(total - expected) > expected * settings.TotalDoseTolerancePercent / 100)
                errors.Add("totalDoseMg", $"{armDefinition.DoseMgPerKg} mg/kg for {weight} kg is {expected} mg; {total} mg is more than {settings.TotalDoseTolerancePercent} % away.");
        }
        if (input.VolumeMl != settings.VolumeMl)
            errors.Add("volumeMl", $"Every preparation is made up to {settings.VolumeMl} ml whatever the arm (so the volume cannot tell it); got {input.VolumeMl} ml.");
        if (errors.Any) return errors.ToRefusal();

        var row = new PreparationRow
        {
            Id = SequentialGuid.New(now), PreparationId = label, ParticipantId = p.Id, VisitCode = visitCode, Arm = arm, DoseMgPerKg = dose,
            TotalDoseMg = total, VolumeMl = input.VolumeMl, WeightKg = weight, PreparedUtc = now, PreparedBy = w.Actor.UserId,
        };
        await RandomisationQueries.InsertPreparationAsync(w.Session, row);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Preparation, label,
            new AuditedPreparation(label, code, visitCode, row.VolumeMl, weight, now), p.SiteCode, code));
        return RecordedPreparation.Of(row, code, protocol);
    }

    /// <summary>The preparation recorded for the participant's visit, when the actor may see the participant.</summary>
    public async Task<Outcome<RecordedPreparation>> FindAsync(Actor actor, string code, string visitCode)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var row = await db.ReadAsync(c => RandomisationQueries.FindPreparationAsync(c, participant!.Id, visitCode));
        if (row is null) return new NotFound($"No preparation for {code} at {visitCode} is recorded.");
        await ArmReads.RecordAsync(db, clock, actor, AuditEntities.Preparation, row.PreparationId, participant!.SiteCode, code,
            new AuditedArmRead($"preparation {visitCode}", [code]));
        return RecordedPreparation.Of(row, code, protocol);
    }
}
