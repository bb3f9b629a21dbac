using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.ConcomitantMedications;
using Trial.Db.Infrastructure;

namespace Trial.Application.ConcomitantMedications;

/// <summary>A participant's concomitant medications, for those who may see the participant.</summary>
public sealed class ReadConcomitantMedications(Database db)
{
    /// <summary>The participant's medications, by start date.</summary>
    public async Task<Outcome<IReadOnlyList<ConcomitantMedicationRow>>> ListAsync(Actor actor, string code)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var rows = await db.ReadAsync(c => ConcomitantMedicationQueries.ForParticipantAsync(c, participant!.Id));
        return rows.ToList();
    }

    /// <summary>One of the participant's medications, whose version a correction names.</summary>
    public async Task<Outcome<ConcomitantMedicationRow>> GetAsync(Actor actor, string code, Guid id)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var row = await db.ReadAsync(c => ConcomitantMedicationQueries.FindAsync(c, participant!.Id, id));
        return row is null ? NotRecorded(code, id) : row;
    }

    internal static NotFound NotRecorded(string code, Guid id) => new($"{code} has no concomitant medication with id {id}.");
}
