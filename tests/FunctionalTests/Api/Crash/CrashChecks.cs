using System.Net;
using Dapper;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Api.Crash;

/// <summary>
/// What must hold once the API has been restarted after its crashes and every unanswered write was sent again: every
/// acknowledged write is there exactly once with its exact values (read back through the API), nothing is half-written
/// (read from the database file), and within a bounded time every record has been evaluated by the safety rules and every
/// stored schedule is current.
/// </summary>
internal static class CrashChecks
{
    /// <summary>How soon after the restart every acknowledged record must have been evaluated and every plan be current.</summary>
    public static readonly TimeSpan CatchUpBound = TimeSpan.FromSeconds(20);

    public static async Task AssertAllAsync(CrashStudy study, ApiProcess api, string databasePath)
    {
        Assert.That(study.Unexpected, Is.Empty, "every write was answered with its success status or not at all");
        Assert.That(study.Unanswered, Is.Empty, "every unanswered write was sent again");

        // Within a bounded time of the restart, the rules have seen every write and every plan is current.
        var caughtUp = await Eventually.HoldsAsync(() => Task.FromResult(Pending(databasePath) == (0, 0)),
            () =>
            {
                var pending = Pending(databasePath);
                return $"{pending.Safety} participants still unevaluated and {pending.Schedules} plans still stale {CatchUpBound.TotalSeconds} s after the restart:\n"
                       + string.Join("\n", Waiting(databasePath));
            },
            CatchUpBound);
        TestContext.Out.WriteLine($"caught up {caughtUp.TotalSeconds:N1} s after the restart");

        using var admin = api.Client();
        await AssertAcknowledgedValuesAsync(study, admin);
        AssertExactlyOnce(study, databasePath);
        AssertNothingHalfWritten(databasePath);
        AssertEvaluatedAndCurrent(study, databasePath);
        var verify = await (await admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK);
        Assert.That(verify["intact"]!.GetValue<bool>(), Is.True, verify.ToJsonString());
    }

    /// <summary>Participants waiting for a safety evaluation, and those whose stored plan is stale.</summary>
    public static (int Safety, int Schedules) Pending(string databasePath)
    {
        using var c = CrashStudy.Open(databasePath);
        return (c.ExecuteScalar<int>("SELECT COUNT(*) FROM Participant WHERE SafetyEvaluatedVersion <> SafetyVersion"),
            c.ExecuteScalar<int>("SELECT COUNT(*) FROM Participant WHERE ScheduleVersion <> DataVersion"));
    }

    /// <summary>The participants still waiting, with their version markers and records no evaluation has seen.</summary>
    private static IEnumerable<string> Waiting(string databasePath)
    {
        using var c = CrashStudy.Open(databasePath);
        return c.Query<(string Code, int Safety, int Evaluated, int Full, int Data, int Schedule, int Assessments, int AdverseEvents)>(
            """
            SELECT p.Code, p.SafetyVersion, p.SafetyEvaluatedVersion, p.SafetyFullVersion, p.DataVersion, p.ScheduleVersion,
                   (SELECT COUNT(*) FROM Assessment a WHERE a.ParticipantId = p.Id AND a.SafetyEvaluatedVersion IS NULL),
                   (SELECT COUNT(*) FROM AdverseEvent e WHERE e.ParticipantId = p.Id AND e.SafetyEvaluatedVersion IS NULL)
            FROM Participant p WHERE p.SafetyEvaluatedVersion <> p.SafetyVersion OR p.ScheduleVersion <> p.DataVersion
            """).Select(p => $"{p.Code}: safety version {p.Safety}, evaluated {p.Evaluated}, full {p.Full}; data version {p.Data}, schedule {p.Schedule}; " +
                             $"unevaluated assessments {p.Assessments}, adverse events {p.AdverseEvents}").ToList();
    }

    private static async Task AssertAcknowledgedValuesAsync(CrashStudy study, HttpClient admin)
    {
        foreach (var (code, acknowledged) in study.Enrolled)
        {
            var stored = await (await admin.GetAsync($"/api/v1/participants/{code}")).JsonAsync(HttpStatusCode.OK);
            Assert.That(stored.ToJsonString(), Is.EqualTo(acknowledged.ToJsonString()), code);
        }

        foreach (var (id, (slot, acknowledged)) in study.Assessments)
        {
            var stored = await (await admin.GetAsync($"/api/v1/assessments/{id}")).JsonAsync(HttpStatusCode.OK);
            foreach (var field in new[] { "participantCode", "visitCode", "instrument", "timepoint", "items", "scores", "version", "complete" })
                Assert.That(stored[field]?.ToJsonString(), Is.EqualTo(acknowledged[field]?.ToJsonString()), $"{id} {field}");
            Assert.That(stored["administeredUtc"]!.GetValue<DateTime>(), Is.EqualTo(slot.AdministeredUtc), id.ToString());
        }

        // A corrected assessment holds the last acknowledged correction, and one revision per acknowledged correction, each
        // holding the version it replaced.
        foreach (var (id, versions) in study.Corrected)
        {
            var stored = await (await admin.GetAsync($"/api/v1/assessments/{id}")).JsonAsync(HttpStatusCode.OK);
            var last = versions[^1];
            Assert.That(stored["version"]!.GetValue<int>(), Is.EqualTo(versions.Count), $"{id}: one version per acknowledged correction");
            Assert.That(stored["items"]!.ToJsonString(), Is.EqualTo(last["items"]!.ToJsonString()), $"{id}: the last acknowledged correction's items");
            Assert.That(stored["scores"]!.ToJsonString(), Is.EqualTo(last["scores"]!.ToJsonString()), $"{id}: the last acknowledged correction's scores");
            var revisions = await (await admin.GetAsync($"/api/v1/assessments/{id}/revisions")).JsonArrayAsync();
            Assert.That(revisions, Has.Count.EqualTo(versions.Count - 1), $"{id}: one revision per acknowledged correction");
            for (var k = 0; k < revisions.Count; k++)
            {
                Assert.That(revisions[k]!["version"]!.GetValue<int>(), Is.EqualTo(k + 1), id.ToString());
                Assert.That(revisions[k]!["items"]!.ToJsonString(), Is.EqualTo(versions[k]["items"]!.ToJsonString()), $"{id}: revision {k + 1} keeps the version it replaced");
            }
        }

        foreach (var (code, acknowledged) in study.Visits)
        {
            var stored = await (await admin.GetAsync($"/api/v1/participants/{code}/visits/POST24")).JsonAsync(HttpStatusCode.OK);
            Assert.That((stored["status"]!.GetValue<string>(), stored["actualDate"]!.GetValue<string>(), stored["version"]!.GetValue<int>()),
                Is.EqualTo(("done", CrashStudy.Post24Day.ToString("yyyy-MM-dd"), acknowledged["version"]!.GetValue<int>())), code);
        }

        foreach (var (id, versions) in study.AdverseEvents)
        {
            var stored = await (await admin.GetAsync($"/api/v1/adverse-events/{id}")).JsonAsync(HttpStatusCode.OK);
            Assert.That(stored.ToJsonString(), Is.EqualTo(versions[^1].ToJsonString()), $"{id}: the last acknowledged version");
        }

        foreach (var (id, actions) in study.AlertActions)
        {
            var stored = await (await admin.GetAsync($"/api/v1/safety-alerts/{id}")).JsonAsync(HttpStatusCode.OK);
            var alert = stored["alert"]!;
            Assert.That(alert["status"]!.GetValue<string>(), Is.EqualTo(actions.Contains("resolved") ? "resolved" : "acknowledged"), id.ToString());
            Assert.That(alert["escalated"]!.GetValue<bool>(), Is.EqualTo(actions.Contains("escalated")), id.ToString());
            var byMonitor = stored["history"]!.AsArray().Where(e => e!["actorRole"]!.GetValue<string>() == "monitor").Select(e => e!["action"]!.GetValue<string>());
            Assert.That(byMonitor, Is.EqualTo(actions), $"{id}: each acknowledged action once, in order");
        }
    }

    /// <summary>Row counts equal to what was acknowledged: no acknowledged write lost, none applied twice, none applied unacknowledged.</summary>
    private static void AssertExactlyOnce(CrashStudy study, string databasePath)
    {
        using var c = CrashStudy.Open(databasePath);
        int Count(string sql) => c.ExecuteScalar<int>(sql);
        var seeded = study.Active.Count + study.Idle.Count;
        Assert.That(Count("SELECT COUNT(*) FROM Participant"), Is.EqualTo(seeded + study.Enrolled.Count), "participants");
        Assert.That(Count("SELECT COUNT(*) FROM Assessment"), Is.EqualTo(study.Corrected.Count + study.Assessments.Count), "assessments");
        Assert.That(Count("SELECT COUNT(*) FROM AssessmentRevision"), Is.EqualTo(study.Corrected.Values.Sum(v => v.Count - 1)), "revisions");
        Assert.That(Count("SELECT COUNT(*) FROM VisitRecord"), Is.EqualTo(2 * study.Active.Count + study.Visits.Count), "visits");
        Assert.That(Count("SELECT COUNT(*) FROM AdverseEvent"), Is.EqualTo(study.AdverseEvents.Count), "adverse events");
        Assert.That(Count("SELECT COALESCE(SUM(RowVersion - 1), 0) FROM AdverseEvent"), Is.EqualTo(study.AdverseEvents.Values.Sum(v => v.Count - 1)), "adverse event updates");
        Assert.That(Count("SELECT COUNT(*) FROM SafetyAlertEvent WHERE ActorRole = 'monitor'"), Is.EqualTo(study.AlertActions.Values.Sum(a => a.Count)), "alert actions");
        Assert.That(Count("SELECT COUNT(*) FROM IdempotentResponse"), Is.EqualTo(study.Acknowledged), "one stored response per acknowledged write");
    }

    /// <summary>Every change with its parts and its audit rows, and every audit row with its change.</summary>
    private static void AssertNothingHalfWritten(string databasePath)
    {
        TypeHandlers.Register();
        using var c = CrashStudy.Open(databasePath);
        var itemCounts = c.Query<(string Instrument, int Items)>(
            "SELECT a.Instrument, (SELECT COUNT(*) FROM AssessmentItem i WHERE i.AssessmentId = a.Id) FROM Assessment a").ToList();
        var expected = new Dictionary<string, int> { ["MADRS"] = 10, ["BSL23"] = 23, ["BPRS"] = 18, ["CADSS"] = 23, ["ASC5D"] = 94 };
        Assert.That(itemCounts.Where(x => x.Items != expected[x.Instrument]), Is.Empty, "an assessment without all its items");
        Assert.That(c.ExecuteScalar<int>("SELECT COUNT(*) FROM Assessment a WHERE NOT EXISTS (SELECT 1 FROM AssessmentScore s WHERE s.AssessmentId = a.Id) AND a.Instrument <> 'ASC5D' AND a.Complete = 1"),
            Is.EqualTo(0), "a complete assessment without its scores");

        // Ids are compared as the application reads them (SQLite stores them as blobs, the trail names them as text).
        Dictionary<string, int> Audited(string entity, string action) =>
            c.Query<(string Id, int Rows)>("SELECT EntityId, COUNT(*) FROM AuditEvent WHERE EntityType = @entity AND Action = @action GROUP BY EntityId", new { entity, action })
                .ToDictionary(r => r.Id, r => r.Rows);
        void Bijection(string what, IEnumerable<string> records, string entity)
        {
            var ids = records.ToHashSet();
            var created = Audited(entity, "create");
            Assert.That(ids.Except(created.Keys), Is.Empty, $"{what} without its audit row");
            Assert.That(created.Keys.Except(ids), Is.Empty, $"an audit row without its {what}");
            Assert.That(created.Where(r => r.Value != 1), Is.Empty, $"{what} audited twice");
        }
        Bijection("a participant", c.Query<string>("SELECT Code FROM Participant"), "participant");
        Bijection("an assessment", c.Query<Guid>("SELECT Id FROM Assessment").Select(id => id.ToString()), "assessment");
        Bijection("an adverse event", c.Query<Guid>("SELECT Id FROM AdverseEvent").Select(id => id.ToString()), "adverse-event");
        Bijection("a visit", c.Query<string>("SELECT p.Code || '/' || v.VisitCode FROM VisitRecord v JOIN Participant p ON p.Id = v.ParticipantId"), "visit");
        Bijection("a safety alert", c.Query<Guid>("SELECT Id FROM SafetyAlert").Select(id => id.ToString()), "safety-alert");

        // A correction is its revision row and its audit row; an update of an adverse event its new version and its audit row.
        var revisions = c.Query<(Guid Id, int Rows)>("SELECT AssessmentId, COUNT(*) FROM AssessmentRevision GROUP BY AssessmentId").ToDictionary(r => r.Id.ToString(), r => r.Rows);
        Assert.That(Audited("assessment", "update"), Is.EquivalentTo(revisions), "a correction without its revision, or the reverse");
        var updates = c.Query<(Guid Id, int Version)>("SELECT Id, RowVersion FROM AdverseEvent WHERE RowVersion > 1").ToDictionary(r => r.Id.ToString(), r => r.Version - 1);
        Assert.That(Audited("adverse-event", "update"), Is.EquivalentTo(updates), "an adverse event's version without its audit row, or the reverse");

        // A monitor's action on an alert is its history row and its audit row.
        var actions = c.Query<(Guid Id, int Rows)>("SELECT AlertId, COUNT(*) FROM SafetyAlertEvent WHERE ActorRole = 'monitor' GROUP BY AlertId").ToDictionary(r => r.Id.ToString(), r => r.Rows);
        var auditedActions = c.Query<(string Id, int Rows)>(
            "SELECT EntityId, COUNT(*) FROM AuditEvent WHERE EntityType = 'safety-alert' AND Action = 'state-change' AND Role = 'monitor' GROUP BY EntityId").ToDictionary(r => r.Id, r => r.Rows);
        Assert.That(auditedActions, Is.EquivalentTo(actions), "an alert action without its audit row, or the reverse");
    }

    private static void AssertEvaluatedAndCurrent(CrashStudy study, string databasePath)
    {
        using var c = CrashStudy.Open(databasePath);
        Assert.That(c.ExecuteScalar<int>("SELECT COUNT(*) FROM Assessment WHERE SafetyEvaluatedVersion IS NULL"), Is.Zero, "an assessment the rules have not seen");
        Assert.That(c.ExecuteScalar<int>("SELECT COUNT(*) FROM AdverseEvent WHERE SafetyEvaluatedVersion IS NULL"), Is.Zero, "an adverse event the rules have not seen");
        Assert.That(c.ExecuteScalar<int>("SELECT COUNT(*) FROM SafetyAlert WHERE RuleCode = 'SAE_REPORTED'"), Is.EqualTo(study.SeriousEvents.Count), "every serious adverse event raised its SAE_REPORTED alert");
        Assert.That(c.ExecuteScalar<int>("SELECT COUNT(*) FROM Participant p WHERE NOT EXISTS (SELECT 1 FROM ScheduledVisit s WHERE s.ParticipantId = p.Id)"),
            Is.Zero, "a participant without a stored plan");
        Assert.That(c.ExecuteScalar<int>("SELECT COUNT(*) FROM ScheduledVisit WHERE VisitCode = 'POST24' AND Status = 'done'"), Is.EqualTo(study.Visits.Count),
            "every recorded POST24 done in the stored plan");
    }
}
