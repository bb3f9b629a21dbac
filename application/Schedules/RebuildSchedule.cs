using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Schedules;

namespace Trial.Application.Schedules;

/// <summary>
/// Keeps each participant's stored visit plan equal to what the protocol computes from the database: rebuilds one
/// participant's plan from ids only, recomputing everything, so running it twice changes nothing. The participants whose
/// plan needs it are those the database marks stale (a lost job's safety net) and those a visit window closed on since
/// (windows close with the passing of time, not with a write).
/// </summary>
public sealed class RebuildSchedule(Database db, ProtocolDefinition protocol)
{
    /// <summary>Rebuilds the participant's plan as of <paramref name="nowUtc"/>; a visit that became missed (or a missed one recorded late) has the safety rules evaluate it again.</summary>
    public async Task RebuildAsync(Guid participantId, DateTime nowUtc)
    {
        var now = nowUtc;
        await db.WriteDerivedAsync(now, async w =>
        {
            var participant = await ParticipantQueries.FindByIdAsync(w.Session, participantId);
            if (participant is null) return;
            var today = SiteCalendar.Today(now, participant.TimeZone);
            var dataVersion = await ScheduleQueries.DataVersionAsync(w.Session, participantId);
            var records = await ParticipantQueries.VisitRecordsAsync(w.Session, participantId);
            var input = participant.ScheduleInput(records);
            var schedule = ScheduleCalculator.Build(protocol, input, today);
            var missedBefore = (await ScheduleQueries.MissedVisitCodesAsync(w.Session, participantId)).Order(StringComparer.Ordinal);
            var missedNow = schedule.Where(v => v.Status == VisitStatuses.Missed).Select(v => v.VisitCode).Order(StringComparer.Ordinal);
            await ScheduleQueries.ReplaceAsync(w.Session, participantId, dataVersion, schedule, protocol.Version, now);
            // A visit became missed (or a missed one was recorded late): the VISIT_MISSED alerts follow.
            if (!missedBefore.SequenceEqual(missedNow)) await w.SafetyDataChangedAsync(participantId);
        });
    }

    /// <summary>The participants whose stored plan the database marks stale.</summary>
    public Task<IReadOnlyList<Guid>> StaleAsync() => db.ReadAsync(ScheduleQueries.StaleParticipantsAsync);

    /// <summary>The participants with a planned visit whose window has closed by <paramref name="nowUtc"/> in their site's calendar: it must now read missed.</summary>
    public Task<IReadOnlyList<Guid>> WithClosedWindowsAsync(DateTime nowUtc) => db.ReadAsync(c => ScheduleQueries.ParticipantsWithClosedWindowsAsync(c, nowUtc));
}
