using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Tests.Api.Safety;

/// <summary>
/// What the safety tests share: the protocol's visit times
/// (all before the host's clock, 2026-03-10T12:00Z), and waits for the Hangfire jobs that evaluate the rules
/// after a write has returned.
/// </summary>
internal static class SafetyTestKit
{
    // INF1 on 2026-03-02; the others at their protocol offsets, every one before the host's clock.
    private static readonly Dictionary<string, DateTime> VisitStarts = new()
    {
        ["BL"] = new(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc),
        ["INF1"] = new(2026, 3, 2, 8, 0, 0, DateTimeKind.Utc),
        ["POST24"] = new(2026, 3, 3, 9, 0, 0, DateTimeKind.Utc),
        ["INF2"] = new(2026, 3, 5, 8, 0, 0, DateTimeKind.Utc),
        ["INF3"] = new(2026, 3, 9, 8, 0, 0, DateTimeKind.Utc),
    };

    private static readonly Dictionary<string, int> TimepointMinutes = new() { ["pre"] = 0, ["t40"] = 50, ["t120"] = 130, ["t240"] = 250 };

    /// <summary>When an assessment of this visit and timepoint was administered.</summary>
    public static DateTime At(string visit, string? timepoint) =>
        VisitStarts[visit].AddMinutes(timepoint is null ? 0 : TimepointMinutes[timepoint]);

    public static string AssessmentsUrl(string code, string visit) => $"/api/v1/participants/{code}/visits/{visit}/assessments";

    /// <summary>Posts an assessment and returns its id (expects 201).</summary>
    public static Task<Guid> AssessAsync(HttpClient investigator, string code, string visit, string? timepoint, string instrument, decimal?[] items) =>
        AssessAtAsync(investigator, code, visit, timepoint, instrument, items, At(visit, timepoint));

    /// <summary>Posts an assessment administered at the given time and returns its id (expects 201).</summary>
    public static async Task<Guid> AssessAtAsync(HttpClient investigator, string code, string visit, string? timepoint, string instrument, decimal?[] items, DateTime administeredUtc)
    {
        await TrialHost.EnsureVisitAsync(investigator, code, visit, DateOnly.FromDateTime(administeredUtc));
        var response = await investigator.PostAsJsonAsync(AssessmentsUrl(code, visit),
            new { instrument, timepoint, administeredUtc, items });
        var created = await response.JsonAsync(HttpStatusCode.Created);
        return Guid.Parse(created["id"]!.GetValue<string>());
    }

    /// <summary>Posts vital signs and returns their id (expects 201).</summary>
    public static async Task<Guid> VitalsAsync(HttpClient investigator, string code, string visit, string timepoint, int systolic, int diastolic, int heartRate, int spo2)
    {
        await TrialHost.EnsureVisitAsync(investigator, code, visit, DateOnly.FromDateTime(VisitStarts[visit]));
        var response = await investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/{visit}/vitals",
            new { timepoint, systolic, diastolic, heartRate, spo2 });
        var created = await response.JsonAsync(HttpStatusCode.Created);
        return Guid.Parse(created["id"]!.GetValue<string>());
    }

    /// <summary>An adverse event as the contract spells it: not serious, possibly related, expected, aware on the host's day.</summary>
    public static AdverseEventBody AdverseEvent(string term) => new(
        term, null, "2026-03-09", null, "moderate", false, [], "possible", true, "none", "recovering", "2026-03-10", null, null, null);

    public static async Task<JsonObject> RecordAdverseEventAsync(HttpClient investigator, string code, AdverseEventBody body) =>
        await (await investigator.PostAsJsonAsync($"/api/v1/participants/{code}/adverse-events", body)).JsonAsync(HttpStatusCode.Created);

    /// <summary>Creates a user, who activates with their code, and returns a client with their token and their id.</summary>
    public static async Task<(HttpClient Client, Guid Id)> UserWithIdAsync(TrialHost host, string role, params string[] sites)
    {
        var response = await host.Admin.PostAsJsonAsync("/api/v1/users", new { name = $"{role} of {string.Join(",", sites)}", role, sites });
        var body = await response.JsonAsync(HttpStatusCode.Created);
        return (host.Client(await host.ActivateAsync(body["activationCode"]!.GetValue<string>())), Guid.Parse(body["id"]!.GetValue<string>()));
    }

    public static Task<bool> IsEvaluatedAsync(TrialHost host, string code) =>
        host.Services.GetRequiredService<Database>().ReadAsync(c =>
            c.ExecuteScalarAsync<bool>("SELECT SafetyEvaluatedVersion = SafetyVersion FROM Participant WHERE Code = @code", new { code }));

    /// <summary>
    /// Waits until the rules have been evaluated over everything written so far for the participant (every write
    /// bumps the participant's safety version in its own transaction, the evaluation records the version it saw).
    /// </summary>
    public static Task WaitEvaluatedAsync(TrialHost host, string code) =>
        Eventually.HoldsAsync(() => IsEvaluatedAsync(host, code), $"the safety rules to be evaluated for {code}");

    /// <summary>
    /// Waits until the background work on the participant has caught up with everything written so far: the rules
    /// evaluated (see <see cref="WaitEvaluatedAsync"/>) and the schedule rebuilt (the schedule job records the data
    /// version it built from). Both write audit rows, so a test that compares histories before and after waits here.
    /// </summary>
    public static Task WaitSettledAsync(TrialHost host, string code) =>
        Eventually.HoldsAsync(() => host.Services.GetRequiredService<Database>().ReadAsync(c =>
            c.ExecuteScalarAsync<bool>("SELECT SafetyEvaluatedVersion = SafetyVersion AND ScheduleVersion = DataVersion FROM Participant WHERE Code = @code", new { code })),
            $"the rules and the schedule to catch up with {code}");

    /// <summary>
    /// The participant's alerts once the rules have seen all of its data (superseded ones left out unless asked).
    /// <paramref name="ignoreRules"/> leaves out rules a test is not about: the trajectories record only the visits they need, on
    /// days before the host's clock, so the windows of the visits they skip have closed and VISIT_MISSED rightly fires for them.
    /// </summary>
    public static async Task<JsonArray> SettledAlertsAsync(TrialHost host, HttpClient reader, string code, bool includeSuperseded = false, string[]? ignoreRules = null)
    {
        await WaitEvaluatedAsync(host, code);
        return await AlertsAsync(reader, code, includeSuperseded, ignoreRules);
    }

    public static async Task<JsonArray> AlertsAsync(HttpClient reader, string code, bool includeSuperseded = false, string[]? ignoreRules = null)
    {
        // Every page, as a client reads the list.
        var all = new JsonArray((await Paging.PageReader.AllAsync(reader, $"/api/v1/safety-alerts?participant={code}{(includeSuperseded ? "&includeSuperseded=true" : "")}"))
            .Select(a => a.DeepClone()).ToArray());
        if (ignoreRules is null) return all;
        return new JsonArray(all.Where(a => !ignoreRules.Contains(Rule(a))).Select(a => a!.DeepClone()).ToArray());
    }

    /// <summary>For tests of other rules: see <see cref="SettledAlertsAsync"/>.</summary>
    public static readonly string[] MissedVisits = ["VISIT_MISSED"];

    public static async Task<Guid> ParticipantIdAsync(TrialHost host, string code) =>
        (await host.Services.GetRequiredService<Database>().ReadAsync(c => ParticipantQueries.FindByCodeAsync(c, code)))!.Id;

    public static string Rule(JsonNode? alert) => alert!["rule"]!.GetValue<string>();

    public static string Source(Guid id) => id.ToString("D");

    /// <summary>Asserts one alert's fields, and that its message names each of <paramref name="messageParts"/>.</summary>
    public static void AssertAlert(JsonNode? alert, string rule, string severity, string participantCode, string? visitCode, string sourceId, params string[] messageParts)
    {
        Assert.That(alert, Is.Not.Null);
        var text = alert!.ToJsonString();
        Assert.That(alert["rule"]!.GetValue<string>(), Is.EqualTo(rule), text);
        Assert.That(alert["severity"]!.GetValue<string>(), Is.EqualTo(severity), text);
        Assert.That(alert["participantCode"]!.GetValue<string>(), Is.EqualTo(participantCode), text);
        Assert.That(alert["visitCode"]?.GetValue<string>(), Is.EqualTo(visitCode), text);
        Assert.That(alert["sourceId"]!.GetValue<string>(), Is.EqualTo(sourceId), text);
        Assert.That(alert["status"]!.GetValue<string>(), Is.EqualTo("open"), text);
        Assert.That(alert["escalated"]!.GetValue<bool>(), Is.False, text);
        Assert.That(alert["superseded"]!.GetValue<bool>(), Is.False, text);
        var message = alert["message"]!.GetValue<string>();
        foreach (var part in messageParts) Assert.That(message, Does.Contain(part), text);
    }

    public static HttpRequestMessage Put(string url, object body, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        return request;
    }
}

/// <summary>The body of POST/PUT adverse-events, field for field as the contract names them.</summary>
internal sealed record AdverseEventBody(
    string Term, string? CodedTerm, string OnsetDate, string? EndDate, string Severity, bool Serious, string[] SeriousCriteria,
    string Relatedness, bool Expected, string ActionTaken, string Outcome, string AwareDate, DateTime? SponsorReportedUtc,
    string? SpecialInterest, string? Reason, DateTime? AwareUtc = null);

/// <summary>Takes every job and runs none of them: the process died before any job ran.</summary>
internal sealed class ForgetfulJobClient : IBackgroundJobClient
{
    public string Create(Job job, IState state) => Guid.NewGuid().ToString();
    public bool ChangeState(string jobId, IState state, string expectedState) => true;
}
