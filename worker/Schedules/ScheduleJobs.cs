using Hangfire;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Safety;
using Trial.Db.Schedules;
using Trial.Worker.Safety;

namespace Trial.Worker.Schedules;

/// <summary>
/// Keeps each participant's stored visit plan equal to what the protocol computes from the
/// database. Jobs take ids only and recompute everything, so running one twice changes nothing.
/// </summary>
public sealed class ScheduleJobs(Database db, ProtocolDefinition protocol, TimeProvider clock, IBackgroundJobClient jobs)
{
    public const string SweepJobId = "schedules:sweep-stale";
    public const string MissedJobId = "schedules:detect-missed";

    [AutomaticRetry(Attempts = 3)]
    public async Task RebuildScheduleAsync(Guid participantId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var missedChanged = await db.WriteDerivedAsync(now, async w =>
        {
            var participant = await ParticipantQueries.FindByIdAsync(w.Connection, participantId, w.Transaction);
            if (participant is null) return false;
            var dataVersion = await ScheduleQueries.DataVersionAsync(w.Connection, w.Transaction, participantId);
            var records = await ParticipantQueries.VisitRecordsAsync(w.Connection, participantId, w.Transaction);
            var input = new ScheduleInput(participant.EnrolledDate, records.Select(r => new RecordedVisit(r.VisitCode, r.ActualDate)).ToList(), participant.InfusionsDiscontinuedDate);
            var schedule = ScheduleCalculator.Build(protocol, input, today);
            var missedBefore = (await ScheduleQueries.ForParticipantAsync(w.Connection, participantId, w.Transaction))
                .Where(v => v.Status == VisitStatuses.Missed).Select(v => v.VisitCode).Order(StringComparer.Ordinal);
            var missedNow = schedule.Where(v => v.Status == VisitStatuses.Missed).Select(v => v.VisitCode).Order(StringComparer.Ordinal);
            await ScheduleQueries.ReplaceAsync(w.Connection, w.Transaction, participantId, dataVersion, schedule, protocol.Version, now);
            if (missedBefore.SequenceEqual(missedNow)) return false;
            // A visit became missed (or a missed one was recorded late): the VISIT_MISSED alerts follow.
            await SafetyQueries.MarkUnevaluatedAsync(w.Connection, w.Transaction, participantId);
            return true;
        });
        if (missedChanged) jobs.Enqueue<SafetyJobs>(j => j.EvaluateParticipantAsync(participantId));
    }

    /// <summary>Rebuilds every schedule the database marks stale: the safety net for a job that was lost.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> SweepStaleSchedulesAsync()
    {
        var stale = await db.ReadAsync(ScheduleQueries.StaleParticipantsAsync);
        foreach (var id in stale) await RebuildScheduleAsync(id);
        return stale.Count;
    }

    /// <summary>Windows close with the passing of time, not with a write: rebuild those whose window closed so they read missed.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> DetectMissedVisitsAsync()
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var due = await db.ReadAsync(c => ScheduleQueries.ParticipantsWithClosedWindowsAsync(c, today));
        foreach (var id in due) await RebuildScheduleAsync(id);
        return due.Count;
    }

    public void EnqueueRebuild(Guid participantId) => jobs.Enqueue<ScheduleJobs>(j => j.RebuildScheduleAsync(participantId));
}
