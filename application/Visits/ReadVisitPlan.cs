using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.Visits;

/// <summary>A participant's visit plan as the protocol computes it from the visits recorded, in the site's calendar today.</summary>
public sealed class ReadVisitPlan(Database db, ProtocolDefinition protocol)
{
    /// <summary>Every protocol visit of the participant's plan with its target date, window, status and whether it was in window.</summary>
    public async Task<Outcome<List<VisitInPlan>>> AllAsync(Actor actor, string code, DateTime nowUtc)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var records = await db.ReadAsync(c => ParticipantQueries.VisitRecordsAsync(c, participant!.Id));
        var schedule = ScheduleCalculator.Build(protocol, participant!.ScheduleInput(records), DataEntry.Today(participant!, nowUtc));
        return schedule.Select(v => new VisitInPlan(v, records.FirstOrDefault(r => r.VisitCode == v.VisitCode))).ToList();
    }

    /// <summary>One visit of the plan; refused when the protocol has no such visit or it left the plan.</summary>
    public async Task<Outcome<VisitInPlan>> VisitAsync(Actor actor, string code, string visitCode, DateTime nowUtc)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        if (protocol.FindVisit(visitCode) is null) return VisitRefusals.NotInProtocol(protocol, visitCode);
        var records = await db.ReadAsync(c => ParticipantQueries.VisitRecordsAsync(c, participant!.Id));
        var schedule = ScheduleCalculator.Build(protocol, participant!.ScheduleInput(records), DataEntry.Today(participant!, nowUtc));
        var visit = schedule.FirstOrDefault(v => v.VisitCode == visitCode);
        if (visit is null) return new NotFound($"Visit {visitCode} is no longer in the plan of {code} (infusions were discontinued).");
        return new VisitInPlan(visit, records.FirstOrDefault(r => r.VisitCode == visitCode));
    }
}
