using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api;

/// <summary>
/// Who may call what, declared once per operation of the served OpenAPI document and checked by calling each operation as
/// every role: on a record of the caller's own site, on one of another site, and on one that does not exist. An operation
/// added without a declared expectation fails <see cref="EveryServedOperation_HasADeclaredExpectation"/>. It runs on the
/// default, double-blind protocol, where every operation can succeed; the import of an allocation list, which that
/// protocol refuses (its sequence is generated from the secret), is checked on a second host whose protocol imports one.
/// </summary>
public class AuthorizationMatrixTests
{
    private const string Own = "WAW", Other = "KRK";
    private static readonly string[] Roles = ["admin", "investigator", "monitor", "statistician", "pharmacist", "unblinded-statistician", "coder"];
    private static readonly string[] Everyone = Roles;
    private static readonly string[] Readers = ["admin", "investigator", "monitor"];
    private static readonly string[] Investigators = ["investigator"];
    private static readonly string[] Reviewers = ["admin", "monitor"];
    private static readonly string[] Admins = ["admin"];
    private static readonly string[] ExtractReaders = ["admin", "statistician", "unblinded-statistician"];
    private static readonly string[] Pharmacists = ["pharmacist"];
    private static readonly string[] AllocationReaders = ["pharmacist", "unblinded-statistician"];
    private static readonly string[] UnblindedStatisticians = ["unblinded-statistician"];
    private static readonly string[] DmcOpenReaders = ["admin", "monitor", "unblinded-statistician"];
    private static readonly string[] Coders = ["admin", "coder"];

    private static TrialHost _host = null!, _listHost = null!;
    private static readonly TempFolder ListProtocolFolder = new();
    private static readonly Dictionary<string, HttpClient> Investigator = [];
    private static readonly Dictionary<string, InfusionKit> Kit = [];
    private static readonly Dictionary<string, HttpClient> Callers = [];
    private static readonly Dictionary<string, HttpClient> ListCallers = [];
    private static readonly Dictionary<string, Subject> Shared = [];

    /// <summary>A randomised participant with data of every kind (INF1 prepared and given), at one site.</summary>
    private sealed record Subject(string Code, Guid AssessmentId, Guid AdverseEventId, string AlertId);

    /// <summary>One request: what is sent, and who sends it when not the role under test's shared client.</summary>
    private sealed record Call(HttpMethod Method, string Url, object? Body = null, string? IfMatch = null, HttpClient? Caller = null, string? Csv = null, string? Ndjson = null,
        string? Xml = null);

    /// <summary>
    /// Which roles may call the operation, whether it is bound to the sites of the caller (then a record of another site is
    /// 403 for everyone but admins), what success looks like, and how to build the call at a site (null site: a record that
    /// does not exist, when the operation names one).
    /// </summary>
    private sealed record Expectation(string[] Allowed, bool SiteBound, HttpStatusCode Success, Func<string, string?, Task<Call>> Build, bool NamesARecord = true);

    private static readonly Dictionary<string, Expectation> Declared = new()
    {
        ["Live"] = new(Everyone, false, HttpStatusCode.OK, (_, _) => Get("/health/live"), NamesARecord: false),
        ["Ready"] = new(Everyone, false, HttpStatusCode.OK, (_, _) => Get("/health/ready"), NamesARecord: false),
        ["ListInstruments"] = new(Everyone, false, HttpStatusCode.OK, (_, _) => Get("/api/v1/instruments"), NamesARecord: false),
        ["RevokeOwnToken"] = new(Everyone, false, HttpStatusCode.NoContent, async (role, _) =>
            new Call(HttpMethod.Delete, "/api/v1/users/me/token", Caller: await _host.UserAsync(role, Own)), NamesARecord: false),

        ["CreateSite"] = new(Admins, false, HttpStatusCode.Created, (_, _) =>
            Task.FromResult(new Call(HttpMethod.Post, "/api/v1/sites", new { code = NewSiteCode(), name = "New site" })), NamesARecord: false),
        ["ListSites"] = new(Admins, false, HttpStatusCode.OK, (_, _) => Get("/api/v1/sites"), NamesARecord: false),
        ["CreateUser"] = new(Admins, false, HttpStatusCode.Created, (_, _) =>
            Task.FromResult(new Call(HttpMethod.Post, "/api/v1/users", new { name = "New user", role = "monitor", sites = new[] { Own } })), NamesARecord: false),
        ["ListUsers"] = new(Admins, false, HttpStatusCode.OK, (_, _) => Get("/api/v1/users"), NamesARecord: false),
        ["RevokeUserToken"] = new(Admins, false, HttpStatusCode.NoContent, async (_, site) =>
            new Call(HttpMethod.Delete, $"/api/v1/users/{(site is null ? Guid.NewGuid() : await NewUserIdAsync())}/token")),
        ["IssueActivationCode"] = new(Admins, false, HttpStatusCode.Created, async (_, site) =>
            new Call(HttpMethod.Post, $"/api/v1/users/{(site is null ? Guid.NewGuid() : await NewUserIdAsync())}/activation")),
        // Anonymous: whoever holds a code (here each role's caller, who also has a token of their own) gets the token of the
        // user it was given for; unknown and used codes are ActivationTests'.
        ["Activate"] = new(Everyone, false, HttpStatusCode.Created, async (_, _) =>
            new Call(HttpMethod.Post, "/api/v1/tokens", new { activationCode = await NewActivationCodeAsync() }), NamesARecord: false),
        ["ListOwnTokens"] = new(Everyone, false, HttpStatusCode.OK, (_, _) => Get("/api/v1/users/me/tokens"), NamesARecord: false),
        // A fresh user of the role revokes their own token by its id; an id that is none of the caller's is 404.
        ["RevokeOwnTokenById"] = new(Everyone, false, HttpStatusCode.NoContent, async (role, site) =>
        {
            if (site is null) return new Call(HttpMethod.Delete, $"/api/v1/users/me/tokens/{Guid.NewGuid()}");
            var caller = await _host.UserAsync(role, Own);
            var id = (await (await caller.GetAsync("/api/v1/users/me/tokens")).JsonArrayAsync()).Single()!["id"]!.GetValue<string>();
            return new Call(HttpMethod.Delete, $"/api/v1/users/me/tokens/{id}", Caller: caller);
        }),
        ["ChangeUserAccess"] = new(Admins, false, HttpStatusCode.OK, async (_, site) =>
            new Call(HttpMethod.Put, $"/api/v1/users/{(site is null ? Guid.NewGuid() : await NewUserIdAsync())}/access",
                new { role = "investigator", sites = new[] { Own }, reason = "Now enrols participants." })),
        // A pharmacist the second admin asked for, so that the admin under test is the second person (the configured
        // approver, who may be of any role, is not set on this host).
        ["ApproveUserAccess"] = new(Admins, false, HttpStatusCode.OK, async (_, site) =>
            new Call(HttpMethod.Post, $"/api/v1/users/{(site is null ? Guid.NewGuid() : await PendingPharmacistIdAsync())}/approval")),

        ["EnrolParticipant"] = new(Investigators, true, HttpStatusCode.Created, (_, site) =>
            Task.FromResult(new Call(HttpMethod.Post, "/api/v1/participants", TrialHost.EligibleParticipant(site ?? Own))), NamesARecord: false),
        ["ListParticipants"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants?site={site}"), NamesARecord: false),
        ["GetParticipant"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}")),
        ["WithdrawParticipant"] = new(Investigators, true, HttpStatusCode.OK, async (_, site) =>
            new Call(HttpMethod.Post, $"/api/v1/participants/{await FreshCodeAsync(site)}/withdrawal", new { date = "2026-03-05", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "Moved away." })),
        ["DiscontinueInfusions"] = new(Investigators, true, HttpStatusCode.OK, async (_, site) =>
            new Call(HttpMethod.Post, $"/api/v1/participants/{await FreshCodeAsync(site)}/discontinuation", new { date = "2026-03-05", reasonCode = "ADVERSE EVENT", reason = "Dissociation." })),
        ["RecordScreening"] = new(Investigators, true, HttpStatusCode.Created, (_, site) =>
            Task.FromResult(new Call(HttpMethod.Post, "/api/v1/screenings", Screening(site ?? Own))), NamesARecord: false),
        ["ListScreenings"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/screenings?site={site}"), NamesARecord: false),
        ["GetScreening"] = new(Readers, true, HttpStatusCode.OK, async (_, site) =>
            new Call(HttpMethod.Get, $"/api/v1/screenings/{(site is null ? "WAW-S9999" : await ScreeningNumberAsync(site))}")),
        ["ParticipantHistory"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}/history")),

        ["GetVisitSchedule"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}/visits")),
        ["GetVisit"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}/visits/BL")),
        ["RecordVisit"] = new(Investigators, true, HttpStatusCode.OK, async (_, site) =>
            new Call(HttpMethod.Put, $"/api/v1/participants/{await FreshCodeAsync(site)}/visits/INF1", new { actualDate = "2026-03-02" })),
        ["VisitsDue"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/visits/due?site={site}"), NamesARecord: false),
        ["RecordInfusion"] = new(Investigators, true, HttpStatusCode.Created, async (_, site) =>
        {
            var code = await FreshCodeAsync(site, "INF1", randomised: true);
            if (site is not null) await Kit[site].PrepareAsync(code, "INF1");
            return new Call(HttpMethod.Post, $"/api/v1/participants/{code}/visits/INF1/infusion", Infusion(code));
        }),
        ["GetInfusion"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}/visits/INF1/infusion")),
        ["CorrectInfusion"] = new(Investigators, true, HttpStatusCode.OK, async (_, site) =>
        {
            var code = await FreshCodeAsync(site, "INF1", randomised: true, withInfusion: true);
            var url = $"/api/v1/participants/{code}/visits/INF1/infusion";
            return new Call(HttpMethod.Put, url, Infusion(code, "Weighed again."), await ETagAsync(site, url));
        }),
        ["RecordVitals"] = new(Investigators, true, HttpStatusCode.Created, async (_, site) =>
            new Call(HttpMethod.Post, $"/api/v1/participants/{await FreshCodeAsync(site, "INF1")}/visits/INF1/vitals", Vitals("pre"))),
        ["GetVitals"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}/visits/INF1/vitals/pre")),
        ["CorrectVitals"] = new(Investigators, true, HttpStatusCode.OK, async (_, site) =>
        {
            var code = await FreshCodeAsync(site, "INF1");
            if (site is not null) await VitalsAsync(Investigator[site], code, "INF1", "pre", 120, 80, 70, 98);
            var url = $"/api/v1/participants/{code}/visits/INF1/vitals/pre";
            return new Call(HttpMethod.Put, url, Vitals(null, "Transcription."), await ETagAsync(site, url));
        }),

        ["CreateAssessment"] = new(Investigators, true, HttpStatusCode.Created, async (_, site) =>
            new Call(HttpMethod.Post, AssessmentsUrl(await FreshCodeAsync(site, "BL"), "BL"), Madrs20(null))),
        // Investigators import for their sites row by row: the route answers 200 to any investigator, and a row for another
        // site's participant is refused in its result with the single POST's 403 (AssessmentImportTests).
        ["ImportAssessments"] = new(Investigators, false, HttpStatusCode.OK, async (_, site) =>
        {
            var line = JsonSerializer.Serialize(new
            {
                participantCode = await FreshCodeAsync(site, "BL"), visitCode = "BL", instrument = "MADRS",
                administeredUtc = At("BL", null), items = Madrs(20, item10: 1)
            });
            return new Call(HttpMethod.Post, "/api/v1/imports/assessments", Ndjson: line + "\n");
        }, NamesARecord: false),
        // The same for an ODM document: an empty ClinicalData of this study is 200 with no records for any investigator.
        ["ImportOdm"] = new(Investigators, false, HttpStatusCode.OK, (_, _) => Task.FromResult(new Call(HttpMethod.Post, "/api/v1/imports/odm",
            Xml: "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v1.3\" ODMVersion=\"1.3.2\" FileType=\"Snapshot\" FileOID=\"F\" CreationDateTime=\"2026-03-10T00:00:00Z\">" +
                 $"<ClinicalData StudyOID=\"{_host.Protocol.ProtocolId}\" MetaDataVersionOID=\"MDV.{_host.Protocol.Version}\"/></ODM>")), NamesARecord: false),
        ["ListAssessments"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}/assessments")),
        ["GetAssessment"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/assessments/{AssessmentId(site)}")),
        ["AssessmentRevisions"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/assessments/{AssessmentId(site)}/revisions")),
        ["CorrectAssessment"] = new(Investigators, true, HttpStatusCode.OK, async (_, site) =>
        {
            var id = site is null ? Guid.NewGuid() : await AssessAsync(Investigator[site], await FreshCodeAsync(site), "BL", null, "MADRS", Madrs(20, item10: 1));
            var url = $"/api/v1/assessments/{id}";
            return new Call(HttpMethod.Put, url, Madrs20("Re-rated."), await ETagAsync(site, url));
        }),

        ["RecordAdverseEvent"] = new(Investigators, true, HttpStatusCode.Created, (_, site) =>
            Task.FromResult(new Call(HttpMethod.Post, $"/api/v1/participants/{Code(site)}/adverse-events", AdverseEvent("Headache")))),
        ["ListAdverseEvents"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/adverse-events?site={site}"), NamesARecord: false),
        ["GetAdverseEvent"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/adverse-events/{AdverseEventId(site)}")),
        ["UpdateAdverseEvent"] = new(Investigators, true, HttpStatusCode.OK, async (_, site) =>
        {
            var id = site is null ? Guid.NewGuid() : Guid.Parse((await RecordAdverseEventAsync(Investigator[site], Code(site), AdverseEvent("Nausea")))["id"]!.GetValue<string>());
            var url = $"/api/v1/adverse-events/{id}";
            return new Call(HttpMethod.Put, url, AdverseEvent("Nausea") with { Severity = "mild", Reason = "Milder than reported." }, await ETagAsync(site, url));
        }),

        // Coding: the coder (blinded, bound to their sites) codes adverse events to the dictionary an admin loads.
        ["LoadCodingDictionary"] = new(Admins, false, HttpStatusCode.Created, (_, _) =>
            Task.FromResult(new Call(HttpMethod.Post, $"/api/v1/coding/dictionaries?name=Test&version={Interlocked.Increment(ref _dictionaryVersion)}", Csv: DictionaryCsv)),
            NamesARecord: false),
        ["ListCodingDictionaries"] = new(Coders, false, HttpStatusCode.OK, (_, _) => Get("/api/v1/coding/dictionaries"), NamesARecord: false),
        ["ListUncodedAdverseEvents"] = new(Coders, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/coding/uncoded?site={site}"), NamesARecord: false),
        ["CodeAdverseEvent"] = new(Coders, true, HttpStatusCode.OK, async (_, site) =>
        {
            var id = site is null ? Guid.NewGuid() : Guid.Parse((await RecordAdverseEventAsync(Investigator[site], Code(site), AdverseEvent("Vertigo")))["id"]!.GetValue<string>());
            return new Call(HttpMethod.Put, $"/api/v1/adverse-events/{id}/coding", new { dictionaryTermCode = "T001", reason = (string?)null },
                await ETagAsync(site, $"/api/v1/adverse-events/{id}"));
        }),
        ["RecordConcomitantMedication"] = new(Investigators, true, HttpStatusCode.Created, (_, site) =>
            Task.FromResult(new Call(HttpMethod.Post, $"/api/v1/participants/{Code(site)}/concomitant-medications", Medication(null)))),
        ["ListConcomitantMedications"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}/concomitant-medications")),
        ["GetConcomitantMedication"] = new(Readers, true, HttpStatusCode.OK, async (_, site) =>
            new Call(HttpMethod.Get, $"/api/v1/participants/{Code(site)}/concomitant-medications/{await MedicationIdAsync(site)}")),
        ["CorrectConcomitantMedication"] = new(Investigators, true, HttpStatusCode.OK, async (_, site) =>
        {
            var url = $"/api/v1/participants/{Code(site)}/concomitant-medications/{await MedicationIdAsync(site)}";
            return new Call(HttpMethod.Put, url, Medication("Dose misread."), await ETagAsync(site, url));
        }),

        ["ListSafetyAlerts"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/safety-alerts?site={site}"), NamesARecord: false),
        ["GetSafetyAlert"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/safety-alerts/{AlertId(site)}")),
        ["AcknowledgeSafetyAlert"] = new(Reviewers, true, HttpStatusCode.OK, async (_, site) =>
            new Call(HttpMethod.Post, $"/api/v1/safety-alerts/{await FreshAlertAsync(site)}/acknowledge", new { comment = "Seen." })),
        ["ResolveSafetyAlert"] = new(Reviewers, true, HttpStatusCode.OK, async (_, site) =>
            new Call(HttpMethod.Post, $"/api/v1/safety-alerts/{await FreshAlertAsync(site, acknowledged: true)}/resolve", new { comment = "Handled." })),
        ["EscalateSafetyAlert"] = new(Reviewers, true, HttpStatusCode.OK, async (_, site) =>
            new Call(HttpMethod.Post, $"/api/v1/safety-alerts/{await FreshAlertAsync(site)}/escalate", new { reason = "Urgent." })),

        ["ListAudit"] = new(Reviewers, false, HttpStatusCode.OK, (_, _) => Get("/api/v1/audit"), NamesARecord: false),
        ["ExportDataset"] = new(ExtractReaders, true, HttpStatusCode.OK, (_, site) =>
            Get(site is null ? $"/api/v1/exports/no-such-dataset.csv?site={Own}" : $"/api/v1/exports/participants.csv?site={site}")),
        // The datasets a caller may pull: no clinical data, so not bound to sites (what each role sees listed is ExportListTests').
        ["ListExports"] = new(ExtractReaders, false, HttpStatusCode.OK, (_, _) => Get("/api/v1/exports"), NamesARecord: false),
        ["ExportBundle"] = new(ExtractReaders, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/exports/bundle.zip?site={site}"), NamesARecord: false),
        ["ExportOdm"] = new(ExtractReaders, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/exports/odm.xml?site={site}"), NamesARecord: false),
        // The unblinded bundle (arms and the randomisation list): the unblinded statistician's alone, admins included among those refused.
        ["ExportUnblindedBundle"] = new(UnblindedStatisticians, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/exports/unblinded.zip?site={site}"),
            NamesARecord: false),
        ["VerifyAudit"] = new(Admins, false, HttpStatusCode.OK, (_, _) => Get("/api/v1/audit/verify"), NamesARecord: false),

        // Randomisation and blinding. Blinded roles see that and when a participant was randomised, never the arm.
        ["Randomise"] = new(Investigators, true, HttpStatusCode.Created, async (_, site) =>
            new Call(HttpMethod.Post, $"/api/v1/participants/{await FreshCodeAsync(site, readyToRandomise: true)}/randomisation")),
        ["GetRandomisation"] = new(Readers, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}/randomisation")),
        ["GetAllocation"] = new(AllocationReaders, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}/allocation")),
        ["ListAllocations"] = new(AllocationReaders, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/randomisation/allocations?site={site}"), NamesARecord: false),
        // The stratum names its site: another site's stratum is refused like another site's list.
        ["GetAllocationSequence"] = new(UnblindedStatisticians, true, HttpStatusCode.OK, (_, site) =>
            Get($"/api/v1/randomisation/list?stratum={Uri.EscapeDataString($"{site}/MADRS<35")}&count=4"), NamesARecord: false),
        // On the host whose protocol imports its list (the default protocol generates its sequence from the secret and
        // refuses every import with 409). Nobody is randomised there, so the list can be replaced by each success.
        ["ImportAllocationList"] = new(UnblindedStatisticians, true, HttpStatusCode.Created, (role, site) =>
            Task.FromResult(new Call(HttpMethod.Post, "/api/v1/randomisation/list", new
            {
                entries = new[]
                {
                    new { stratum = $"{site}/MADRS<35", sequenceNumber = 1, arm = "KET" },
                    new { stratum = $"{site}/MADRS<35", sequenceNumber = 2, arm = "MDZ" },
                },
            }, Caller: ListCallers[role])), NamesARecord: false),
        ["RecordPreparation"] = new(Pharmacists, true, HttpStatusCode.Created, async (_, site) =>
        {
            var code = await FreshCodeAsync(site, randomised: true);
            return new Call(HttpMethod.Post, $"/api/v1/participants/{code}/visits/INF1/preparation", await PreparationAsync(site, code));
        }),
        ["GetPreparation"] = new(AllocationReaders, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/participants/{Code(site)}/visits/INF1/preparation")),
        ["EmergencyUnblinding"] = new(Investigators, true, HttpStatusCode.Created, async (_, site) =>
            new Call(HttpMethod.Post, $"/api/v1/participants/{await FreshCodeAsync(site, randomised: true)}/unblinding",
                new { reason = "Severe hypotension: the treatment depends on the drug." })),
        // INF1 given, then infusions stopped: INF1 is the last infusion, when the arm is guessed.
        ["RecordBlindingGuess"] = new(Investigators, true, HttpStatusCode.Created, async (_, site) =>
        {
            var code = await FreshCodeAsync(site, "INF1", randomised: true, withInfusion: true);
            if (site is not null)
            {
                (await Investigator[site].PostAsJsonAsync($"/api/v1/participants/{code}/discontinuation", new { date = "2026-03-03", reasonCode = "ADVERSE EVENT", reason = "Stopped after one infusion." }))
                    .EnsureSuccessStatusCode();
            }

            return new Call(HttpMethod.Post, $"/api/v1/participants/{code}/visits/INF1/blinding-guess", new { guesser = "rater", guess = "unknown" });
        }),
        ["DmcReport"] = new(UnblindedStatisticians, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/reports/dmc?site={site}"), NamesARecord: false),
        ["DmcOpenReport"] = new(DmcOpenReaders, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/reports/dmc/open?site={site}"), NamesARecord: false),
        // Pooled for the blinded readers, by arm for the unblinded statistician (ConsortReportTests).
        ["ConsortReport"] = new(ExtractReaders, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/reports/consort?site={site}"), NamesARecord: false),
        ["BlindingIndexReport"] = new(UnblindedStatisticians, true, HttpStatusCode.OK, (_, site) => Get($"/api/v1/reports/blinding-index?site={site}"), NamesARecord: false),
    };

    [OneTimeSetUp]
    public static async Task StartAsync()
    {
        _host = TrialHost.Start(settings: new Dictionary<string, string?>(TestProtocols.Settings(TestProtocols.Blinded)!) { ["RateLimit:PermitsPerWindow"] = "0" });
        foreach (var site in new[] { Own, Other })
        {
            await _host.CreateSiteAsync(site);
            Investigator[site] = await _host.UserAsync("investigator", site);
            Kit[site] = new InfusionKit(_host, Investigator[site], site);
            Shared[site] = await SubjectAsync(site);
        }
        Callers["admin"] = _host.Admin;
        foreach (var role in Roles.Where(r => r != "admin")) Callers[role] = await _host.UserAsync(role, Own);
        (await _host.Admin.PostAsync("/api/v1/coding/dictionaries?name=Test&version=1", new StringContent(DictionaryCsv, System.Text.Encoding.UTF8, "text/csv")))
            .EnsureSuccessStatusCode();

        var listProtocol = ListProtocolFolder.File("imported-list-protocol.json");
        await File.WriteAllTextAsync(listProtocol, ProtocolFiles.ImportedList());
        _listHost = TrialHost.Start(settings: new Dictionary<string, string?> { ["Protocol:Path"] = listProtocol, ["RateLimit:PermitsPerWindow"] = "0" });
        foreach (var site in new[] { Own, Other }) await _listHost.CreateSiteAsync(site);
        ListCallers["admin"] = _listHost.Admin;
        foreach (var role in Roles.Where(r => r != "admin")) ListCallers[role] = await _listHost.UserAsync(role, Own);
    }

    [OneTimeTearDown]
    public static async Task StopAsync()
    {
        await _host.DisposeAsync();
        await _listHost.DisposeAsync();
        ListProtocolFolder.Dispose();
    }

    private static async Task<Subject> SubjectAsync(string site)
    {
        var investigator = Investigator[site];
        var code = await FreshCodeAsync(site);
        // A baseline MADRS with item 10 high (it raises MADRS10_HIGH) that also decides the stratum; then randomised, INF1 prepared and given.
        var assessment = await AssessAsync(investigator, code, "BL", null, "MADRS", Madrs(30, item10: 5));
        await Kit[site].RandomiseAsync(code, BaselineDay);
        await TrialHost.RecordVisitAsync(investigator, code, "INF1", DateOnly.FromDateTime(Inf1Start));
        await Kit[site].InfuseAsync(code, "INF1", Inf1Start);
        await VitalsAsync(investigator, code, "INF1", "pre", 120, 80, 70, 98);
        var ae = await RecordAdverseEventAsync(investigator, code, AdverseEvent("Dizziness"));
        await WaitEvaluatedAsync(_host, code);
        var alert = (await AlertsAsync(_host.Admin, code)).First(a => Rule(a) == "MADRS10_HIGH")!["id"]!.GetValue<string>();
        return new Subject(code, assessment, Guid.Parse(ae["id"]!.GetValue<string>()), alert);
    }

    private static Task<Call> Get(string url) => Task.FromResult(new Call(HttpMethod.Get, url));

    private static object Medication(string? reason) => new
    {
        name = "Sertraline", atcCode = "N06AB06", dose = "50 mg daily", route = "oral", startDate = "2026-01-10", ongoing = true, indication = "depression", reason,
    };

    /// <summary>A medication just recorded for the site's shared participant; a made-up id for no site.</summary>
    private static async Task<Guid> MedicationIdAsync(string? site)
    {
        if (site is null) return Guid.NewGuid();
        var created = await (await Investigator[site].PostAsJsonAsync($"/api/v1/participants/{Code(site)}/concomitant-medications", Medication(null)))
            .JsonAsync(HttpStatusCode.Created);
        return Guid.Parse(created["id"]!.GetValue<string>());
    }

    private static object Screening(string site) => new
    {
        siteCode = site, date = "2026-03-01",
        eligibility = new { failedAntidepressantTrials = 1, psychotherapyWithoutResponse = true, bpdDiagnosis = true, psychoticPersonalityOrganisation = false, highSuicideRisk = false },
    };

    /// <summary>A screening recorded at the site by its investigator.</summary>
    private static async Task<string> ScreeningNumberAsync(string site) =>
        (await (await Investigator[site].PostAsJsonAsync("/api/v1/screenings", Screening(site))).JsonAsync(HttpStatusCode.Created))["screeningNumber"]!.GetValue<string>();
    private static string Code(string? site) => site is null ? "WAW-9999" : Shared[site].Code;
    private static Guid AssessmentId(string? site) => site is null ? Guid.NewGuid() : Shared[site].AssessmentId;
    private static Guid AdverseEventId(string? site) => site is null ? Guid.NewGuid() : Shared[site].AdverseEventId;
    private static string AlertId(string? site) => site is null ? Guid.NewGuid().ToString() : Shared[site].AlertId;

    private static int _siteCounter, _dictionaryVersion = 100;

    private const string DictionaryCsv = "termCode,term,socCode,soc\nT001,Test term A,S01,Test class one\n";

    /// <summary>SAA, SAB, … : a code no other call used.</summary>
    private static string NewSiteCode()
    {
        var n = Interlocked.Increment(ref _siteCounter);
        return $"S{(char)('A' + n / 26 % 26)}{(char)('A' + n % 26)}";
    }

    private static async Task<Guid> NewUserIdAsync() => (await UserWithIdAsync(_host, "monitor", Own)).Id;

    private static async Task<string> PendingPharmacistIdAsync() =>
        (await (await (await _host.SecondAdminAsync()).PostAsJsonAsync("/api/v1/users", new { name = "Pending pharmacist", role = "pharmacist", sites = new[] { Own } }))
            .JsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();

    /// <summary>The activation code of a new monitor, as the admin who created them was given it.</summary>
    private static async Task<string> NewActivationCodeAsync() =>
        (await (await _host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "New monitor", role = "monitor", sites = new[] { Own } })).JsonAsync(HttpStatusCode.Created))
        ["activationCode"]!.GetValue<string>();

    private static readonly DateOnly BaselineDay = new(2026, 3, 1);
    private static readonly DateTime Inf1Start = new(2026, 3, 2, 8, 10, 0, DateTimeKind.Utc);

    /// <summary>The blinded infusion body at INF1: the kit's label for the participant's preparation, its volume, never a dose.</summary>
    private static InfusionBody Infusion(string code, string? reason = null) =>
        Kit[Own].Body(code, "INF1", Inf1Start) with { Reason = reason };

    /// <summary>The preparation for INF1 of the participant's arm at the protocol's dose, as the site's pharmacist reads the allocation.</summary>
    private static async Task<object> PreparationAsync(string? site, string code)
    {
        var (arm, dose) = ("KET", 0.5m);
        if (site is not null)
        {
            var allocation = await (await (await Kit[site].PharmacistAsync()).GetAsync($"/api/v1/participants/{code}/allocation")).JsonAsync(HttpStatusCode.OK);
            (arm, dose) = (allocation["arm"]!.GetValue<string>(), allocation["doseMgPerKg"]!.GetValue<decimal>());
        }
        return new
        {
            preparationId = InfusionKit.Label(code, "INF1"), arm, doseMgPerKg = dose, totalDoseMg = Math.Round(dose * 61.5m, 2, MidpointRounding.AwayFromZero),
            volumeMl = _host.Protocol.Design.Preparation!.VolumeMl, weightKg = 61.5m,
        };
    }

    private static object Vitals(string? timepoint, string? reason = null) => new { timepoint, systolic = 121, diastolic = 80, heartRate = 70, spo2 = 98, reason };

    private static object Madrs20(string? reason) => new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = At("BL", null), items = Madrs(20, item10: 1), reason };

    /// <summary>
    /// A new participant of the site with BL (and the given visits) recorded; the unknown code when <paramref name="site"/> is null.
    /// <paramref name="readyToRandomise"/>: with the baseline MADRS randomisation needs; <paramref name="randomised"/>: randomised
    /// too (before INF1 is recorded, as the protocol requires); <paramref name="withInfusion"/>: INF1 prepared and given.
    /// </summary>
    private static async Task<string> FreshCodeAsync(string? site, string? visit = null, bool withInfusion = false, bool randomised = false, bool readyToRandomise = false)
    {
        if (site is null) return "WAW-9999";
        var investigator = Investigator[site];
        var code = await TrialHost.EnrolAsync(investigator, site);
        await TrialHost.RecordVisitAsync(investigator, code, "BL", BaselineDay);
        if (readyToRandomise && !randomised)
            await AssessAtAsync(investigator, code, "BL", null, "MADRS", Madrs(30, item10: 2), BaselineDay.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc));
        if (randomised || withInfusion) await Kit[site].RandomiseAsync(code, BaselineDay);
        if (visit is "INF1") await TrialHost.RecordVisitAsync(investigator, code, "INF1", DateOnly.FromDateTime(Inf1Start));
        if (withInfusion) await Kit[site].InfuseAsync(code, "INF1", Inf1Start);
        return code;
    }

    private static async Task<string> FreshAlertAsync(string? site, bool acknowledged = false)
    {
        if (site is null) return Guid.NewGuid().ToString();
        var code = await FreshCodeAsync(site);
        await AssessAsync(Investigator[site], code, "BL", null, "MADRS", Madrs(30, item10: 5));
        var alert = (await SettledAlertsAsync(_host, _host.Admin, code)).Single()!["id"]!.GetValue<string>();
        if (acknowledged) (await _host.Admin.PostAsJsonAsync($"/api/v1/safety-alerts/{alert}/acknowledge", new { })).EnsureSuccessStatusCode();
        return alert;
    }

    /// <summary>The record's ETag as its site's investigator reads it; a made-up one for a record that does not exist.</summary>
    private static async Task<string> ETagAsync(string? site, string url) =>
        site is null ? "\"1\"" : (await Investigator[site].GetAsync(url)).Headers.ETag!.ToString();

    private static async Task<HttpResponseMessage> SendAsync(string role, Call call)
    {
        var request = new HttpRequestMessage(call.Method, call.Url);
        if (call.Body is not null) request.Content = JsonContent.Create(call.Body, call.Body.GetType(), options: JsonSerializerOptions.Web);
        if (call.Csv is not null) request.Content = new StringContent(call.Csv, System.Text.Encoding.UTF8, "text/csv");
        if (call.Ndjson is not null) request.Content = new StringContent(call.Ndjson, System.Text.Encoding.UTF8, "application/x-ndjson");
        if (call.Xml is not null) request.Content = new StringContent(call.Xml, System.Text.Encoding.UTF8, "application/vnd.cdisc.odm+xml");
        if (call.IfMatch is not null) request.Headers.IfMatch.ParseAdd(call.IfMatch);
        return await (call.Caller ?? Callers[role]).SendAsync(request);
    }

    public static IEnumerable<TestCaseData> Operations() =>
        Declared.Keys.Order(StringComparer.Ordinal).Select(name => new TestCaseData(name).SetName($"Operation_{name}_AnswersEachRoleAsDeclared"));

    [TestCaseSource(nameof(Operations))]
    public async Task Operation_AnswersEachRoleAsDeclared(string operation)
    {
        var expectation = Declared[operation];
        var failures = new List<string>();
        // A call that was refused changed nothing, so the next role is sent the same one on the same fresh record; a call
        // that succeeded used its record up, and the next role gets one built anew.
        var unused = new Dictionary<string, Call>();
        foreach (var role in Roles)
        {
            var allowed = expectation.Allowed.Contains(role);
            var cases = new List<(string What, string? Site, HttpStatusCode Expected)>
            {
                ("own site", Own, allowed ? expectation.Success : HttpStatusCode.Forbidden),
                ("other site", Other, !allowed ? HttpStatusCode.Forbidden
                    : expectation.SiteBound && role != "admin" ? HttpStatusCode.Forbidden : expectation.Success),
            };
            if (expectation.NamesARecord) cases.Add(("no such record", null, allowed ? HttpStatusCode.NotFound : HttpStatusCode.Forbidden));
            foreach (var (what, site, expected) in cases)
            {
                var call = unused.Remove(what, out var kept) ? kept : await expectation.Build(role, site);
                var response = await SendAsync(role, call);
                if ((int)response.StatusCode >= 400 && call.Caller is null) unused[what] = call;
                if (response.StatusCode != expected)
                    failures.Add($"{role}, {what}: expected {(int)expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                else if ((int)expected >= 400)
                    Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), $"{operation}, {role}, {what}");
            }
        }
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public async Task EveryServedOperation_HasADeclaredExpectation()
    {
        var document = JsonNode.Parse(await _host.Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var served = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(m => m.Value!["operationId"]?.GetValue<string>() ?? $"{m.Key.ToUpperInvariant()} {p.Key} (no name)"))
            .ToList();
        Assert.That(served, Is.Unique);
        Assert.That(served.Order(StringComparer.Ordinal), Is.EqualTo(Declared.Keys.Order(StringComparer.Ordinal)),
            "every operation needs a declared expectation here, and every declared one must still be served");
    }

    [Test]
    public void EveryRole_IsInTheMatrix() =>
        Assert.That(Roles, Is.EquivalentTo(Trial.Core.Access.Roles.All), "a new role must be called on every operation here");

    private static IEnumerable<string> ReachableBy(string role) =>
        Declared.Where(d => d.Value.Allowed.Contains(role)).Select(d => d.Key).Order(StringComparer.Ordinal);

    /// <summary>What every role may call: health, the instruments' definitions, activating with a code, and listing and giving up their own tokens.</summary>
    private static readonly string[] Common = ["Activate", "ListInstruments", "ListOwnTokens", "Live", "Ready", "RevokeOwnToken", "RevokeOwnTokenById"];

    /// <summary>The operations that show or take a participant's arm (or the sequence of arms, or outcomes by arm).</summary>
    private static readonly string[] Unblinding =
        ["BlindingIndexReport", "DmcReport", "EmergencyUnblinding", "ExportUnblindedBundle", "GetAllocation", "GetAllocationSequence", "GetPreparation", "ImportAllocationList",
         "ListAllocations", "RecordPreparation"];

    /// <summary>The declaration (which the matrix holds the API to) gives statisticians nothing clinical outside the extracts.</summary>
    [Test]
    public void Statistician_ReachesNoClinicalDataOutsideExtracts()
    {
        Assert.That(ReachableBy("statistician"), Is.EqualTo(Common.Concat(["ConsortReport", "ExportBundle", "ExportDataset", "ExportOdm", "ListExports"]).Order(StringComparer.Ordinal)));
    }

    /// <summary>Pharmacists: the allocations and preparations of their sites' participants, and nothing of the clinical record.</summary>
    [Test]
    public void Pharmacist_ReachesOnlyAllocationsAndPreparationsOfTheirSites()
    {
        Assert.That(ReachableBy("pharmacist"), Is.EqualTo(Common.Concat(["GetAllocation", "GetPreparation", "ListAllocations", "RecordPreparation"]).Order(StringComparer.Ordinal)));
        Assert.That(ReachableBy("pharmacist").Except(Common).Where(o => !Declared[o].SiteBound), Is.Empty, "bound to their sites");
    }

    /// <summary>Unblinded statisticians: allocations, the sequence and its import, the by-arm reports and the pooled DMC report, the (unblinded) extracts; nothing of the clinical record.</summary>
    [Test]
    public void UnblindedStatistician_ReachesAllocationsSequenceAndReportsButNoClinicalRecord()
    {
        Assert.That(ReachableBy("unblinded-statistician"), Is.EqualTo(Common.Concat(
            ["BlindingIndexReport", "ConsortReport", "DmcOpenReport", "DmcReport", "ExportBundle", "ExportDataset", "ExportOdm", "ExportUnblindedBundle", "GetAllocation",
             "GetAllocationSequence", "GetPreparation", "ImportAllocationList", "ListAllocations", "ListExports"]).Order(StringComparer.Ordinal)));
        // The list of datasets is the one exception: it holds no clinical data of any site.
        Assert.That(ReachableBy("unblinded-statistician").Except(Common).Where(o => o != "ListExports" && !Declared[o].SiteBound), Is.Empty, "bound to their sites");
    }

    /// <summary>
    /// A pharmacist or unblinded statistician whose access awaits a second admin's approval is refused every operation their
    /// role reaches beyond what everyone may call, with a problem saying so; the one exception is the pooled, open-session
    /// DMC report, which tells nothing of the arms.
    /// </summary>
    [TestCase("pharmacist")]
    [TestCase("unblinded-statistician")]
    public async Task AwaitingApproval_UnblindedRole_IsRefusedEveryOperationThatCouldShowAnArm(string role)
    {
        var awaiting = new Dictionary<TrialHost, HttpClient>();
        foreach (var host in new[] { _host, _listHost })
        {
            var created = await (await host.Admin.PostAsJsonAsync("/api/v1/users", new { name = $"Awaiting {role}", role, sites = new[] { Own } })).JsonAsync(HttpStatusCode.Created);
            awaiting[host] = host.Client(await host.ActivateAsync(created["activationCode"]!.GetValue<string>()));
        }
        var failures = new List<string>();
        var operations = ReachableBy(role).Except(Common).Where(o => o != "DmcOpenReport").ToList();
        foreach (var operation in operations)
        {
            var call = await Declared[operation].Build(role, Own);
            var client = operation == "ImportAllocationList" ? awaiting[_listHost] : awaiting[_host];
            var response = await SendAsync(role, call with { Caller = client });
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.Forbidden || !text.Contains("awaits a second admin's approval", StringComparison.Ordinal))
                failures.Add($"{operation}: {(int)response.StatusCode} {text}");
        }
        Assert.That(operations, Does.Contain("GetAllocation").And.Contain("ListAllocations").And.Contain("GetPreparation"));
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
        if (role == "unblinded-statistician")
            Assert.That((await awaiting[_host].GetAsync($"/api/v1/reports/dmc/open?site={Own}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>Coders: the events to code at their sites, the dictionary loads, and coding; nothing else of the clinical record.</summary>
    [Test]
    public void Coder_ReachesOnlyCoding()
    {
        Assert.That(ReachableBy("coder"), Is.EqualTo(Common.Concat(["CodeAdverseEvent", "ListCodingDictionaries", "ListUncodedAdverseEvents"]).Order(StringComparer.Ordinal)));
        Assert.That(ReachableBy("coder").Except(Common).Where(o => o != "ListCodingDictionaries" && !Declared[o].SiteBound), Is.Empty, "bound to their sites");
    }

    /// <summary>The blinded roles reach nothing that shows an arm, except the investigator's emergency unblinding.</summary>
    [Test]
    public void BlindedRoles_ReachNoArmButByEmergencyUnblinding()
    {
        foreach (var role in new[] { "admin", "investigator", "monitor", "statistician", "coder" })
            Assert.That(ReachableBy(role).Intersect(Unblinding), Is.EqualTo(role == "investigator" ? new[] { "EmergencyUnblinding" } : Array.Empty<string>()), role);
    }
}
