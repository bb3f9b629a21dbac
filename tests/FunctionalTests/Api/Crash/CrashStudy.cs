using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using Trial.Tests.Api.Safety;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Crash;

/// <summary>
/// One write the crash harness sends: the request, exactly as it is sent again after a crash (same body bytes, same
/// Idempotency-Key), and what an acknowledgement of it adds to the ledger.
/// </summary>
internal sealed class Write(string kind, HttpMethod method, string url, object body, HttpStatusCode expected, Action<JsonObject> acknowledged, string? ifMatch = null)
{
    private readonly string _body = JsonSerializer.Serialize(body, JsonSerializerOptions.Web);

    public string Kind { get; } = kind;
    public string Key { get; } = Guid.NewGuid().ToString("N");
    public HttpStatusCode Expected { get; } = expected;
    public Action<JsonObject> Acknowledged { get; } = acknowledged;

    public HttpRequestMessage Request()
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent(_body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Key);
        if (ifMatch is not null) request.Headers.IfMatch.ParseAdd(ifMatch);
        return request;
    }

    public override string ToString() => $"{Kind}: {method} {url}";
}

/// <summary>One assessment the load enters: where, and the items that make it distinct.</summary>
internal sealed record Slot(string Code, string Visit, string? Timepoint, string Instrument, decimal?[] Items, DateTime AdministeredUtc);

/// <summary>
/// A study driven through the API as its own process (<see cref="ApiProcess"/>) by clients of every kind, and the ledger of
/// what the API acknowledged. Every write carries an Idempotency-Key, so after a crash the writes whose answer was lost
/// (sent, never answered) are sent again, exactly as before, and their outcome becomes known: each was either committed
/// before the crash (the retry gets the stored response back) or not at all (the retry runs it now). The ledger then says
/// exactly what the database must hold, and <see cref="CrashChecks"/> checks it.
/// <para>
/// Writers of every kind run at once: three enter assessments, one enrols participants, one records visits, one corrects
/// assessments (each correction naming the version it replaces in If-Match), one records and updates adverse events, and
/// a monitor acknowledges, escalates and resolves safety alerts. Each writer owns its records, so it knows every version it
/// names; a writer stops at its first request without an answer, as a client of a dead server would.
/// </para>
/// </summary>
internal sealed class CrashStudy
{
    public static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    public static readonly DateOnly BlDay = Today.AddDays(-2), Inf1Day = Today.AddDays(-1), Post24Day = Today;
    public static readonly DateTime BlUtc = BlDay.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc);

    /// <summary>The assessments the load enters for each active participant (the baseline MADRS is entered when seeding, to be corrected).</summary>
    private static readonly (string Visit, string? Timepoint, string Instrument, int Minutes)[] Battery =
    [
        ("BL", null, "BSL23", 0), ("BL", null, "BPRS", 0), ("BL", null, "CADSS", 0),
        ("INF1", "pre", "MADRS", 0), ("INF1", "pre", "BSL23", 0), ("INF1", "pre", "CADSS", 0), ("INF1", "pre", "BPRS", 0),
        ("INF1", "t40", "CADSS", 50), ("INF1", "t40", "BPRS", 50), ("INF1", "t120", "CADSS", 130), ("INF1", "t120", "BPRS", 130), ("INF1", "t240", "ASC5D", 250),
    ];

    private readonly ConcurrentQueue<Slot> _slots = new();
    private readonly List<Guid> _acknowledgedAlerts = [];
    private readonly object _gate = new();
    private int _visitCursor, _correctionCursor, _adverseEventCursor, _enrolments;
    private long _inFlight, _acknowledgedCount;
    private string _investigatorToken = "", _monitorToken = "";

    /// <summary>Participants the load writes to.</summary>
    public List<string> Active { get; } = [];

    /// <summary>Participants no writer touches after seeding: only the sweeps evaluate them.</summary>
    public List<string> Idle { get; } = [];

    // --- the ledger: what the API acknowledged ---

    /// <summary>Participants enrolled during the load, with the body of their 201.</summary>
    public ConcurrentDictionary<string, JsonObject> Enrolled { get; } = new();

    /// <summary>Assessments entered during the load, with their slot and the body of their 201.</summary>
    public ConcurrentDictionary<Guid, (Slot Slot, JsonObject Body)> Assessments { get; } = new();

    /// <summary>Per active participant, its baseline MADRS: every acknowledged version's body, the seeded one first.</summary>
    public ConcurrentDictionary<Guid, List<JsonObject>> Corrected { get; } = new();

    /// <summary>POST24 visits recorded during the load, by participant, with the body of their 200.</summary>
    public ConcurrentDictionary<string, JsonObject> Visits { get; } = new();

    /// <summary>Every adverse event, with every acknowledged version's body (the creation first).</summary>
    public ConcurrentDictionary<Guid, List<JsonObject>> AdverseEvents { get; } = new();

    /// <summary>The serious adverse events seeded, one per participant: each must raise its SAE_REPORTED alert.</summary>
    public ConcurrentDictionary<Guid, string> SeriousEvents { get; } = new();

    /// <summary>The monitor's acknowledged actions on each alert, in order.</summary>
    public ConcurrentDictionary<Guid, List<string>> AlertActions { get; } = new();

    /// <summary>Writes sent whose answer was lost in a crash: their outcome is unknown until they are sent again.</summary>
    public ConcurrentQueue<Write> Unanswered { get; } = new();

    /// <summary>Answers that were neither the expected success nor a lost connection.</summary>
    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Writes acknowledged with an Idempotency-Key (each left one stored response).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledgedCount);

    /// <summary>Writes sent and not answered yet.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    public int SlotsLeft => _slots.Count;

    /// <summary>
    /// A site, an investigator and a monitor, then <paramref name="active"/> participants with baseline and first infusion
    /// recorded, a baseline MADRS and a serious adverse event each, and <paramref name="idle"/> more with only the serious
    /// adverse event.
    /// </summary>
    public async Task SeedAsync(ApiProcess api, int active, int idle)
    {
        using var admin = api.Client();
        (await admin.PostAsJsonAsync("/api/v1/sites", new { code = "WAW", name = "Warsaw" })).EnsureSuccessStatusCode();
        using var anonymous = api.Client(null);
        _investigatorToken = await TokenAsync(admin, anonymous, "Dr Crash", "investigator");
        _monitorToken = await TokenAsync(admin, anonymous, "Monitor Crash", "monitor");

        var clients = Enumerable.Range(0, 4).Select(_ => api.Client(_investigatorToken)).ToList();
        try
        {
            async Task<string> SeedOneAsync(HttpClient client, int n, bool isActive)
            {
                var code = await SeedWriteAsync<string>(client, Enrolment(n, b => { }), b => b["code"]!.GetValue<string>());
                if (isActive)
                {
                    await SeedWriteAsync<bool>(client, RecordVisit(code, "BL", BlDay, _ => { }), _ => true);
                    await SeedWriteAsync<bool>(client, RecordVisit(code, "INF1", Inf1Day, _ => { }), _ => true);
                    var madrs = new Write("assessment", HttpMethod.Post, AssessmentsUrl(code, "BL"),
                        new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = BlUtc, items = Madrs(12 + n % 10, item10: 1) }, HttpStatusCode.Created,
                        b => Corrected[Id(b)] = [b]);
                    await SeedWriteAsync<bool>(client, madrs, _ => true);
                }
                var serious = new Write("adverse-event", HttpMethod.Post, $"/api/v1/participants/{code}/adverse-events", SeriousEvent("Pneumonia", null), HttpStatusCode.Created,
                    b => { AdverseEvents[Id(b)] = [b]; SeriousEvents[Id(b)] = code; });
                await SeedWriteAsync<bool>(client, serious, _ => true);
                return code;
            }

            for (var from = 0; from < active + idle; from += clients.Count)
            {
                var batch = Enumerable.Range(from, Math.Min(clients.Count, active + idle - from))
                    .Select(n => SeedOneAsync(clients[n % clients.Count], n, n < active)).ToList();
                var codes = await Task.WhenAll(batch);
                for (var i = 0; i < codes.Length; i++) (from + i < active ? Active : Idle).Add(codes[i]);
            }
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }

        var n = 0;
        foreach (var code in Active)
        {
            foreach (var (visit, timepoint, instrument, minutes) in Battery)
            {
                _slots.Enqueue(new Slot(code, visit, timepoint, instrument, ItemsFor(instrument, n++),
                    (visit == "BL" ? BlDay : Inf1Day).ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc).AddMinutes(minutes)));
            }
        }
    }

    private async Task<T> SeedWriteAsync<T>(HttpClient client, Write write, Func<JsonObject, T> result)
    {
        var response = await client.SendAsync(write.Request());
        var body = await response.JsonAsync(write.Expected);
        write.Acknowledged(body);
        Interlocked.Increment(ref _acknowledgedCount);
        return result(body);
    }

    /// <summary>A new user's token: the admin creates them, and they exchange the activation code for their token, without one.</summary>
    private static async Task<string> TokenAsync(HttpClient admin, HttpClient anonymous, string name, string role)
    {
        var created = await (await admin.PostAsJsonAsync("/api/v1/users", new { name, role, sites = new[] { "WAW" } })).JsonAsync(HttpStatusCode.Created);
        var activated = await (await anonymous.PostAsJsonAsync("/api/v1/tokens", new { activationCode = created["activationCode"]!.GetValue<string>() }))
            .JsonAsync(HttpStatusCode.Created);
        return activated["token"]!.GetValue<string>();
    }

    /// <summary>
    /// Runs every writer until <paramref name="killWhen"/> returns, kills the API with SIGKILL at that moment, and waits for
    /// the writers to notice. Returns the number of writes that were in flight when the kill was decided.
    /// </summary>
    public async Task<long> RunUntilKilledAsync(ApiProcess api, Func<Task> killWhen)
    {
        using var stop = new CancellationTokenSource();
        var clients = new List<HttpClient>();
        HttpClient Investigator() { var c = api.Client(_investigatorToken); clients.Add(c); return c; }
        var writers = new List<Task>
        {
            RunWriterAsync(Investigator(), (_, _) => NextAssessment(), stop.Token),
            RunWriterAsync(Investigator(), (_, _) => NextAssessment(), stop.Token),
            RunWriterAsync(Investigator(), (_, _) => NextAssessment(), stop.Token),
            RunWriterAsync(Investigator(), (_, _) => NextEnrolment(), stop.Token),
            RunWriterAsync(Investigator(), (_, _) => NextVisit(), stop.Token),
            RunWriterAsync(Investigator(), (_, _) => NextCorrection(), stop.Token),
            RunWriterAsync(Investigator(), (_, _) => NextAdverseEventWrite(), stop.Token),
        };
        var monitor = api.Client(_monitorToken);
        clients.Add(monitor);
        writers.Add(RunWriterAsync(monitor, NextAlertActionAsync, stop.Token));
        try
        {
            await killWhen();
            var inFlight = InFlight;
            await api.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            return inFlight;
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var client in clients) client.Dispose();
        }
    }

    /// <summary>
    /// After a restart, sends every unanswered write again, as it was; each must now be answered as it would have been
    /// (the stored response when it was committed before the crash). Nothing is unknown afterwards.
    /// </summary>
    public async Task ResendUnansweredAsync(ApiProcess api)
    {
        using var investigator = api.Client(_investigatorToken);
        using var monitor = api.Client(_monitorToken);
        while (Unanswered.TryDequeue(out var write))
        {
            var client = write.Kind == "alert" ? monitor : investigator;
            var response = await client.SendAsync(write.Request());
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != write.Expected)
            {
                Unexpected.Enqueue($"{write}, sent again after the restart: {(int)response.StatusCode} {text}");
                continue;
            }
            // Committed before the crash (the stored response comes back) or not at all (it ran now): both happen.
            if (response.Headers.Contains("Idempotent-Replayed")) CommittedBeforeTheCrash++;
            else RunAfterTheRestart++;
            write.Acknowledged(JsonNode.Parse(text)!.AsObject());
            Interlocked.Increment(ref _acknowledgedCount);
        }
    }

    /// <summary>Unanswered writes that, sent again, turned out to have been committed before the crash.</summary>
    public int CommittedBeforeTheCrash { get; private set; }

    /// <summary>Unanswered writes that, sent again, had not been committed and ran after the restart.</summary>
    public int RunAfterTheRestart { get; private set; }

    private async Task RunWriterAsync(HttpClient client, Func<HttpClient, CancellationToken, Task<Write?>> next, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Write? write;
            try
            {
                write = await next(client, stop);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
            {
                return; // a read (the monitor's list) found the server gone, or the load was stopped
            }
            if (write is null) return; // nothing left to write
            Interlocked.Increment(ref _inFlight);
            HttpResponseMessage response;
            string text;
            try
            {
                response = await client.SendAsync(write.Request(), CancellationToken.None);
                text = await response.Content.ReadAsStringAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                Unanswered.Enqueue(write); // the server died under this request: committed or not, nobody was told
                return;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
            if (response.StatusCode != write.Expected)
            {
                Unexpected.Enqueue($"{write}: {(int)response.StatusCode} {text}");
                return;
            }
            write.Acknowledged(JsonNode.Parse(text)!.AsObject());
            Interlocked.Increment(ref _acknowledgedCount);
        }
    }

    // --- what each writer sends next ---

    private Task<Write?> NextAssessment()
    {
        if (!_slots.TryDequeue(out var slot)) return Task.FromResult<Write?>(null);
        return Task.FromResult<Write?>(new Write("assessment", HttpMethod.Post, AssessmentsUrl(slot.Code, slot.Visit),
            new { instrument = slot.Instrument, timepoint = slot.Timepoint, administeredUtc = slot.AdministeredUtc, items = slot.Items }, HttpStatusCode.Created,
            b => Assessments[Id(b)] = (slot, b)));
    }

    private Task<Write?> NextEnrolment()
    {
        var n = 1000 + Interlocked.Increment(ref _enrolments);
        return Task.FromResult<Write?>(Enrolment(n, b => Enrolled[b["code"]!.GetValue<string>()] = b));
    }

    private Task<Write?> NextVisit()
    {
        if (_visitCursor >= Active.Count) return Task.FromResult<Write?>(null);
        var code = Active[_visitCursor++];
        return Task.FromResult<Write?>(RecordVisit(code, "POST24", Post24Day, b => Visits[code] = b));
    }

    /// <summary>The next baseline MADRS in turn, corrected to new items, naming the version last acknowledged.</summary>
    private Task<Write?> NextCorrection()
    {
        var ids = Corrected.Keys.Order().ToList();
        var id = ids[_correctionCursor++ % ids.Count];
        var versions = Corrected[id];
        var current = versions[^1];
        var n = _correctionCursor;
        return Task.FromResult<Write?>(new Write("correction", HttpMethod.Put, $"/api/v1/assessments/{id}",
            new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = BlUtc, items = Madrs(10 + n % 25, item10: n % 3), reason = $"Source document review {n}." },
            HttpStatusCode.OK, b => { lock (_gate) versions.Add(b); }, ifMatch: $"\"{current["version"]!.GetValue<int>()}\""));
    }

    /// <summary>Alternately a new adverse event for an active participant and an update of a seeded one (its coded term).</summary>
    private Task<Write?> NextAdverseEventWrite()
    {
        var n = _adverseEventCursor++;
        var code = Active[n / 2 % Active.Count];
        if (n % 2 == 0)
        {
            var body = SeriousEvent("Headache", null) with { Serious = false, SeriousCriteria = [], Severity = "mild", Relatedness = "possible", Expected = true };
            return Task.FromResult<Write?>(new Write("adverse-event", HttpMethod.Post, $"/api/v1/participants/{code}/adverse-events", body, HttpStatusCode.Created,
                b => AdverseEvents[Id(b)] = [b]));
        }
        var seeded = SeriousEvents.Where(e => e.Value == code).Select(e => e.Key).Single();
        var versions = AdverseEvents[seeded];
        var version = versions[^1]["version"]!.GetValue<int>();
        return Task.FromResult<Write?>(new Write("adverse-event", HttpMethod.Put, $"/api/v1/adverse-events/{seeded}",
            SeriousEvent("Pneumonia", $"Pneumonia, coding {version + 1}") with { Reason = "Coded by the site." }, HttpStatusCode.OK,
            b => { lock (_gate) versions.Add(b); }, ifMatch: $"\"{version}\""));
    }

    /// <summary>
    /// The monitor's next step: on an alert it has acknowledged, escalate every second one and resolve every third; else
    /// acknowledge the next open alert it has not touched; else look again shortly.
    /// </summary>
    private async Task<Write?> NextAlertActionAsync(HttpClient monitor, CancellationToken stop)
    {
        while (true)
        {
            foreach (var (alert, ordinal) in _acknowledgedAlerts.Select((a, i) => (a, i)))
            {
                var actions = AlertActions[alert];
                if (ordinal % 2 == 0 && !actions.Contains("escalated") && !actions.Contains("resolved"))
                    return AlertAction(alert, "escalate", new { reason = "Needs the medical monitor." }, "escalated");
                if (ordinal % 3 == 0 && !actions.Contains("resolved") && (ordinal % 2 != 0 || actions.Contains("escalated")))
                    return AlertAction(alert, "resolve", new { comment = "Sponsor informed; followed up." }, "resolved");
            }
            var open = await monitor.GetFromJsonAsync<JsonArray>("/api/v1/safety-alerts?status=open", stop);
            var next = open!.Select(a => Guid.Parse(a!["id"]!.GetValue<string>())).FirstOrDefault(id => !AlertActions.ContainsKey(id));
            if (next != Guid.Empty) return AlertAction(next, "acknowledge", new { comment = "Seen." }, "acknowledged");
            await Task.Delay(20, stop);
        }
    }

    private Write AlertAction(Guid alert, string verb, object body, string action) =>
        new("alert", HttpMethod.Post, $"/api/v1/safety-alerts/{alert}/{verb}", body, HttpStatusCode.OK, _ =>
        {
            lock (_gate)
            {
                if (AlertActions.TryGetValue(alert, out var actions))
                {
                    actions.Add(action);
                }
                else
                {
                    AlertActions[alert] = [action];
                    _acknowledgedAlerts.Add(alert);
                }
            }
        });

    // --- request bodies ---

    private static Write Enrolment(int n, Action<JsonObject> acknowledged) => new("participant", HttpMethod.Post, "/api/v1/participants", new
    {
        siteCode = "WAW", sex = n % 2 == 0 ? "F" : "M", birthYear = 1960 + n % 40, weightKg = 50m + n % 50, enrolledDate = Today.AddDays(-10),
        eligibility = new { failedAntidepressantTrials = 2 + n % 3, psychotherapyWithoutResponse = true, bpdDiagnosis = true, psychoticPersonalityOrganisation = false, highSuicideRisk = false },
    }, HttpStatusCode.Created, acknowledged);

    private static Write RecordVisit(string code, string visit, DateOnly date, Action<JsonObject> acknowledged) =>
        new("visit", HttpMethod.Put, $"/api/v1/participants/{code}/visits/{visit}", new { actualDate = date }, HttpStatusCode.OK, acknowledged);

    private static AdverseEventBody SeriousEvent(string term, string? codedTerm) => new(
        term, codedTerm, Today.AddDays(-1).ToString("yyyy-MM-dd"), null, "severe", true, ["hospitalisation"], "not-related", false, "none", "recovering",
        Today.ToString("yyyy-MM-dd"), null, null, null);

    private static decimal?[] ItemsFor(string instrument, int n) => instrument switch
    {
        "MADRS" => Madrs(10 + n % 20, item10: n % 3),
        "BSL23" => Bsl(n % 3),
        "BPRS" => Bprs((2, 1 + n % 4)),
        "CADSS" => Cadss(n % 20),
        _ => Asc5D(),
    };

    private static Guid Id(JsonObject body) => Guid.Parse(body["id"]!.GetValue<string>());

    // --- reading the database file, as the checks and the kill conditions do ---

    /// <summary>A read-only connection to the database file; it may be read while the API runs (WAL).</summary>
    public static SqliteConnection Open(string databasePath) => new($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");

    /// <summary>How many of <paramref name="codes"/> wait for a safety evaluation.</summary>
    public static int Unevaluated(string databasePath, IReadOnlyCollection<string> codes)
    {
        using var c = Open(databasePath);
        return c.ExecuteScalar<int>("SELECT COUNT(*) FROM Participant WHERE SafetyEvaluatedVersion <> SafetyVersion AND Code IN @codes", new { codes });
    }
}
