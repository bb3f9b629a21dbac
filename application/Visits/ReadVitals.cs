using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Visits;

namespace Trial.Application.Visits;

/// <summary>The vital signs taken at one timepoint of a visit, whose version a correction names.</summary>
public sealed class ReadVitals(Database db)
{
    public async Task<Outcome<VitalSignRow>> FindAsync(Actor actor, string participantCode, string visitCode, string timepoint)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, participantCode, actor);
        if (refusal is not null) return refusal;
        var row = await db.ReadAsync(c => InfusionAndVitalsQueries.FindVitalAsync(c, participant!.Id, visitCode, timepoint));
        return row is null ? NotRecorded(participantCode, visitCode, timepoint) : row;
    }

    internal static NotFound NotRecorded(string code, string visitCode, string timepoint) => new($"No vital signs of {code} are recorded at {visitCode} {timepoint}.");
}
