using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Visits;

namespace Trial.Application.Visits;

/// <summary>The infusion given at a visit, whose version a correction names.</summary>
public sealed class ReadInfusion(Database db)
{
    public async Task<Outcome<InfusionRow>> FindAsync(Actor actor, string participantCode, string visitCode)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, participantCode, actor);
        if (refusal is not null) return refusal;
        var row = await db.ReadAsync(c => InfusionAndVitalsQueries.FindInfusionAsync(c, participant!.Id, visitCode));
        return row is null ? NotRecorded(participantCode, visitCode) : row;
    }

    internal static NotFound NotRecorded(string code, string visitCode) => new($"No infusion of {code} is recorded at {visitCode}.");
}
