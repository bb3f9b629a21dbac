using System.Diagnostics;
using Trial.Application.Schedules;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Db.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Schedules;
using Trial.Hosting.Schedules;

namespace Trial.Bench;

public sealed record ScheduleRun(int Participants, int VisitRecords, TimeSpan Elapsed, double MedianMs)
{
    public double PerSecond => Participants / Elapsed.TotalSeconds;
    public double MsPerParticipant => Elapsed.TotalMilliseconds / Participants;
}

/// <summary>
/// Rebuilding every participant's stored schedule from scratch (all stale, as after a protocol
/// amendment or a lost job queue) as the stale-schedule sweep does it, at two sizes: the cost per
/// participant should not grow with the number of participants.
/// </summary>
public static class ScheduleBenchmark
{
    public static async Task<ScheduleRun> RunAsync(int participants)
    {
        using var folder = new TempFolder();
        var db = Sqlite.Create(folder.File("schedules.db"));
        var protocol = ProtocolLoader.LoadDefault();
        var records = await SeedAsync(db, protocol, participants);

        // What ScheduleJobs.SweepStaleSchedulesAsync does, with each rebuild timed.
        var jobs = new ScheduleJobs(new RebuildSchedule(db, protocol), TimeProvider.System, WorkerParts.Sweeps(TimeProvider.System));
        var watch = Stopwatch.StartNew();
        var ids = await db.ReadAsync(ScheduleQueries.StaleParticipantsAsync);
        var each = new double[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await jobs.RebuildScheduleAsync(ids[i]);
            each[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        watch.Stop();
        var rebuilt = ids.Count;

        var stale = await db.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM Participant WHERE ScheduleVersion <> DataVersion"));
        var planned = await db.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(DISTINCT ParticipantId) FROM ScheduledVisit"));
        if (rebuilt != participants || stale != 0 || planned != participants)
            throw new InvalidOperationException($"Rebuilt {rebuilt} of {participants} schedules; {stale} still stale, {planned} stored.");
        Array.Sort(each);
        return new ScheduleRun(participants, records, watch.Elapsed, Stats.Median(each));
    }

    /// <summary>
    /// Participants enrolled over the past year, each as far along the protocol as their
    /// enrolment date allows: infusions on or near their targets, follow-ups after the last
    /// infusion, a few visits missed, some participants' infusions discontinued after INF2.
    /// Written in one transaction through the application's own queries; returns the number of visit records.
    /// </summary>
    private static async Task<int> SeedAsync(Database db, ProtocolDefinition protocol, int participants)
    {
        var random = new Random(participants);
        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(now);
        var recorder = Guid.NewGuid();
        return await SyntheticData.LoadAsync(db, async c =>
        {
            await AccessQueries.InsertSiteAsync(c, new SiteRow { Code = "SCH", Name = "Schedule site", CreatedUtc = now });
            var count = 0;
            for (var i = 0; i < participants; i++)
            {
                var id = SequentialGuid.New(now);
                var enrolled = today.AddDays(-random.Next(0, 365));
                var discontinued = random.Next(20) == 0;
                var visits = History(protocol, enrolled, discontinued, random).Where(v => v.Date <= today).ToList();
                var discontinuedDate = discontinued && visits.Any(v => v.Code == "INF2") ? visits.First(v => v.Code == "INF2").Date.AddDays(1) : (DateOnly?)null;
                if (discontinuedDate > today) discontinuedDate = null;

                var participant = SeedData.Participant(id, "SCH", i + 1, enrolled, protocol.Version, now, discontinuedDate);
                await ParticipantQueries.InsertAsync(c, participant);
                foreach (var (code, date) in visits)
                {
                    await ParticipantQueries.InsertVisitRecordAsync(c, new VisitRecordRow
                    {
                        Id = SequentialGuid.New(now), ParticipantId = id, VisitCode = code, ActualDate = date, RecordedUtc = now, RecordedBy = recorder,
                    });
                    count++;
                }
            }
            return count;
        });
    }

    /// <summary>The visits a participant would have had, dated from the protocol's offsets with a little jitter; about 1 in 30 skipped.</summary>
    private static IEnumerable<(string Code, DateOnly Date)> History(ProtocolDefinition protocol, DateOnly enrolled, bool stopAfterInf2, Random random)
    {
        var inf1 = enrolled.AddDays(protocol.Inf1PlannedDaysAfterEnrolment + random.Next(-2, 3));
        var lastInfusion = inf1;
        foreach (var visit in protocol.Visits)
        {
            if (visit.Kind == VisitKinds.Screening) continue;
            if (stopAfterInf2 && visit.Kind == VisitKinds.Infusion && visit.Code is not ("INF1" or "INF2")) continue;
            var anchor = visit.Anchor == ProtocolDefinition.LastInfusionAnchor ? lastInfusion : inf1;
            var date = visit.Anchor is null
                ? inf1
                : anchor.AddDays(visit.OffsetDays + random.Next(-visit.WindowBeforeDays, visit.WindowAfterDays + 1));
            if (date < enrolled) date = enrolled;
            if (visit.Kind == VisitKinds.Infusion) lastInfusion = date;
            if (visit.Code != "INF1" && random.Next(30) == 0) continue;
            yield return (visit.Code, date);
        }
    }
}

public static class SeedData
{
    public static ParticipantRow Participant(Guid id, string siteCode, int number, DateOnly enrolled, string protocolVersion, DateTime nowUtc, DateOnly? infusionsDiscontinued = null) => new()
    {
        Id = id,
        Code = ParticipantCodes.Of(siteCode, number),
        SiteCode = siteCode,
        Number = number,
        Sex = number % 3 == 0 ? "M" : "F",
        BirthYear = 1960 + number % 45,
        WeightKg = 50m + number % 60,
        FailedAntidepressantTrials = 2 + number % 3,
        PsychotherapyWithoutResponse = true,
        BpdDiagnosis = true,
        PsychoticPersonalityOrganisation = false,
        HighSuicideRisk = false,
        Status = ParticipantStatuses.Enrolled,
        EnrolledDate = enrolled,
        EnrolledUtc = nowUtc,
        ProtocolVersion = protocolVersion,
        InfusionsDiscontinuedDate = infusionsDiscontinued,
        DiscontinuationReason = infusionsDiscontinued is null ? null : "adverse event",
        DiscontinuationReasonCode = infusionsDiscontinued is null ? null : DispositionReasons.AdverseEvent,
        CreatedBy = Guid.Empty,
    };
}
