using Hangfire;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Schedules;
using Trial.Hosting.Sweeps;

namespace Trial.Hosting.Schedules;

/// <summary>
/// Keeps each participant's stored visit plan equal to what the protocol computes from the
/// database. Jobs take ids only and recompute everything, so running one twice changes nothing.
/// </summary>
public sealed class ScheduleJobs(Database db, ProtocolDefinition protocol, TimeProvider clock, ParticipantSweeps sweeps)
{
    public const string SweepJobId = "schedules:sweep-stale";
    public const string MissedJobId = "schedules:detect-missed";

    /// <summary>The job of the participants whose writes were gathered together: each rebuilt as <see cref="RebuildScheduleAsync"/> does, one's failure not holding up the others.</summary>
    [AutomaticRetry(Attempts = 3)]
    public Task RebuildSchedulesAsync(Guid[] participantIds) => ParticipantBatch.RunAsync(participantIds, "schedule rebuild", RebuildScheduleAsync);

    [AutomaticRetry(Attempts = 3)]
    public async Task RebuildScheduleAsync(Guid participantId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
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

    /// <summary>
    /// Rebuilds every schedule the database marks stale: the safety net for a job that was lost. One participant whose
    /// rebuild throws is skipped and retried later (<see cref="ParticipantSweeps"/>).
    /// </summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<SweepOutcome> SweepStaleSchedulesAsync()
    {
        var stale = await db.ReadAsync(ScheduleQueries.StaleParticipantsAsync);
        return await sweeps.RunAsync(SweepJobId, stale, RebuildScheduleAsync);
    }

    /// <summary>Windows close with the passing of time, not with a write: rebuild those whose window closed so they read missed.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<SweepOutcome> DetectMissedVisitsAsync()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.ReadAsync(c => ScheduleQueries.ParticipantsWithClosedWindowsAsync(c, now));
        return await sweeps.RunAsync(MissedJobId, due, RebuildScheduleAsync);
    }
}
