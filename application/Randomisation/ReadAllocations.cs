using System.Globalization;
using Trial.Application.Paging;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Randomisation;

namespace Trial.Application.Randomisation;

/// <summary>A participant's allocation, for the unblinded (pharmacist, unblinded statistician) only: the arm with its drug and dose, and the weight the next dose is for.</summary>
public sealed record AllocationDetails(
    string ParticipantCode, string SiteCode, string Arm, string ArmName, string Drug, decimal DoseMgPerKg, string Stratum, int SequenceNumber,
    int RandomisationNumber, DateTime RandomisedUtc, decimal LatestWeightKg, DateTime? UnblindedUtc);

/// <summary>
/// Reading randomisations: that a participant was randomised, with their number and time (everyone at the site), and their
/// allocation (the unblinded: the routes that call these say who may). Every read of an arm is audited: who read whose
/// allocation, never the arm (admins and monitors, who are blinded, read the trail).
/// </summary>
public sealed class ReadAllocations(Database db, ProtocolDefinition protocol, TimeProvider clock)
{
    /// <summary>The participant's randomisation (of which the caller may read the number and time, never the arm); 404 when not randomised.</summary>
    public async Task<Outcome<AllocationRow>> RandomisationAsync(Actor actor, string code)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var allocation = await db.ReadAsync(c => RandomisationQueries.FindAllocationAsync(c, participant!.Id));
        if (allocation is null) return new NotFound($"{code} has not been randomised.");
        return allocation;
    }

    /// <summary>The participant's arm, its drug and dose per kg, stratum and number, and the latest weight recorded.</summary>
    public async Task<Outcome<AllocationDetails>> AllocationAsync(Actor actor, string code)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var allocation = await db.ReadAsync(c => RandomisationQueries.FindParticipantAllocationAsync(c, participant!.Id));
        if (allocation is null) return new NotFound($"{code} has not been randomised.");
        var arm = protocol.Design.FindArm(allocation.Arm);
        var weight = await Dosing.LatestWeightAsync(db, participant!);
        await ArmReads.RecordAsync(db, clock, actor, AuditEntities.Allocation, code, allocation.SiteCode, code, new AuditedArmRead("allocation", [code]));
        return new AllocationDetails(code, allocation.SiteCode, allocation.Arm, arm?.Name ?? allocation.Arm, arm?.Drug ?? "", arm?.DoseMgPerKg ?? 0,
            allocation.Stratum, allocation.SequenceNumber, allocation.RandomisationNumber, allocation.RandomisedUtc, weight, allocation.UnblindedUtc);
    }

    private const string List = "allocations";

    /// <summary>
    /// A page of the allocations at the actor's sites, or of one of them, in the order of randomisation; refused for a site not
    /// theirs, a limit out of bounds or a cursor not of this list. Each page read is recorded, naming the participants it gave.
    /// </summary>
    public async Task<Outcome<Page<ParticipantAllocation>>> ListAsync(Actor actor, string? site, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        var page = Pages.Check(limit, cursor, List, 1, errors);
        var afterNumber = 0;
        if (page.After is [var n] && !int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out afterNumber)) errors.Add("cursor", Pages.BadCursor);
        if (errors.Any) return errors.ToRefusal();
        var (sites, refusal) = ParticipantAccess.SiteScope(actor, site);
        if (refusal is not null) return refusal;
        var rows = await db.ReadAsync(c => RandomisationQueries.AllocationPageAsync(c, sites, page.Limit + 1, afterNumber));
        var allocations = Pages.Cut(rows, page, List, a => [a.RandomisationNumber.ToString(CultureInfo.InvariantCulture)]);
        await ArmReads.RecordAsync(db, clock, actor, AuditEntities.Allocation, "allocations", site, null,
            new AuditedArmRead("allocations", [.. allocations.Items.Select(a => a.ParticipantCode)]));
        return allocations;
    }
}

/// <summary>What an audit row of a read of arm data holds: what was read and whose; never the arm.</summary>
internal sealed record AuditedArmRead(string Read, IReadOnlyList<string> Participants);

internal static class ArmReads
{
    /// <summary>Writes the read's audit row in its own transaction (a read changes nothing else).</summary>
    public static Task RecordAsync(Database db, TimeProvider clock, Actor actor, string entity, string entityId, string? siteCode, string? participantCode,
        AuditedArmRead read) =>
        db.WriteAsync(actor, clock.GetUtcNow().UtcDateTime, w => w.AuditAsync(
            new AuditEntry(entity, entityId, AuditActions.ArmRead, siteCode, participantCode, NewValue: CanonicalJson.Write(CanonicalJson.Of(read)))));
}
