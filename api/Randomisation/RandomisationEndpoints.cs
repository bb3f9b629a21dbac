using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;
using Trial.Db.Visits;

namespace Trial.Api.Randomisation;

/// <summary>What everyone at the site may know of a randomisation: that it happened, its number and when. Never the arm.</summary>
public sealed record RandomisationResponse(int RandomisationNumber, DateTime RandomisedUtc);

/// <summary>A participant's allocation, for the unblinded (pharmacist, unblinded statistician) only.</summary>
public sealed record AllocationResponse(
    string ParticipantCode, string SiteCode, string Arm, string ArmName, string Drug, decimal DoseMgPerKg, string Stratum, int SequenceNumber,
    int RandomisationNumber, DateTime RandomisedUtc, decimal LatestWeightKg, DateTime? UnblindedUtc);

public sealed record AllocationListItem(
    string ParticipantCode, string SiteCode, string Arm, string Stratum, int SequenceNumber, int RandomisationNumber, DateTime RandomisedUtc, DateTime? UnblindedUtc)
{
    public static AllocationListItem From(ParticipantAllocation a) =>
        new(a.ParticipantCode, a.SiteCode, a.Arm, a.Stratum, a.SequenceNumber, a.RandomisationNumber, a.RandomisedUtc, a.UnblindedUtc);
}

/// <summary>One place of a stratum's sequence; block fields are empty for an imported list.</summary>
public sealed record SequenceEntry(int SequenceNumber, int? BlockIndex, int? BlockSize, int? PositionInBlock, string Arm, string? ParticipantCode);

public sealed record SequenceResponse(string Stratum, string Method, IReadOnlyList<SequenceEntry> Entries);

public sealed record AllocationListEntryDto(string? Stratum, int? SequenceNumber, string? Arm);

public sealed record ImportAllocationListRequest(IReadOnlyList<AllocationListEntryDto>? Entries);

public sealed record ImportedStratum(string Stratum, int Entries);

public sealed record ImportAllocationListResponse(int Entries, IReadOnlyList<ImportedStratum> Strata, DateTime ImportedUtc);

/// <summary>The allocation as the audit trail records it: blinded readers (admins, monitors) read the trail, so never the arm.</summary>
internal sealed record AuditedAllocation(string ParticipantCode, int RandomisationNumber, string Stratum, DateTime RandomisedUtc);

/// <summary>
/// Randomisation: the investigator randomises an eligible participant after baseline and before the first infusion;
/// the next place of the participant's stratum in the concealed sequence gives the arm, which only the unblinded see.
/// </summary>
public static class RandomisationEndpoints
{
    public const int MaxListEntries = 100_000;
    public const int MaxRegeneratedEntries = 10_000;

    public static IEndpointRouteBuilder MapRandomisation(this IEndpointRouteBuilder app)
    {
        var participant = app.MapGroup("/api/v1/participants/{code}").WithTags("Randomisation");
        participant.MapPost("/randomisation", RandomiseAsync).RequireAuthorization(Policies.Investigator).WithName("Randomise")
            .WithSummary("Randomise a participant of your site (investigator): eligible, baseline visit recorded with a complete MADRS (it decides the stratum), " +
                         "no preparation or infusion recorded yet (visit records, pre-infusion ratings and vital signs do not block it). Takes the next place of the " +
                         "participant's stratum in the concealed sequence. The response holds the randomisation number and time only: the arm is never shown to " +
                         "blinded roles. 409 when not yet possible, after the first preparation or infusion (recordedStep names it), or a second time.")
            .Produces<RandomisationResponse>(StatusCodes.Status201Created).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        participant.MapGet("/randomisation", GetRandomisationAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetRandomisation")
            .WithSummary("Whether and when the participant was randomised, and their randomisation number (never the arm).")
            .Produces<RandomisationResponse>().ProducesProblem(404).ProducesProblem(403);
        participant.MapGet("/allocation", GetAllocationAsync).RequireAuthorization(Policies.AllocationReader).WithName("GetAllocation")
            .WithSummary("The participant's arm, its drug and dose per kg, stratum and randomisation number, and the latest weight recorded " +
                         "(pharmacist or unblinded statistician of the participant's site).")
            .Produces<AllocationResponse>().ProducesProblem(404).ProducesProblem(403);

        var group = app.MapGroup("/api/v1/randomisation").WithTags("Randomisation");
        group.MapGet("/allocations", ListAllocationsAsync).RequireAuthorization(Policies.AllocationReader).WithName("ListAllocations")
            .WithSummary("Every allocation at your sites, optionally of one site, in the order of randomisation (pharmacist or unblinded statistician).")
            .Produces<IReadOnlyList<AllocationListItem>>().ProducesProblem(403);
        group.MapGet("/list", SequenceAsync).RequireAuthorization(Policies.UnblindedStatistician).WithName("GetAllocationSequence")
            .WithSummary("A stratum's allocation sequence for audit (unblinded statistician): regenerated from the secret (permuted blocks: each place " +
                         "with its block and block size) or the imported list, with the participant who took each place. stratum as in the allocations " +
                         "(e.g. WAW/MADRS<35); count places from the first (default 100). The access is audited.")
            .Produces<SequenceResponse>().ProducesValidationProblem(422).ProducesProblem(403).ProducesProblem(409);
        group.MapPost("/list", ImportListAsync).RequireAuthorization(Policies.UnblindedStatistician).WithName("ImportAllocationList")
            .WithSummary("Import the allocation list (unblinded statistician), for protocols whose randomisation method is imported-list: JSON " +
                         "{ entries: [{ stratum, sequenceNumber, arm }] } or text/csv with the header stratum,sequenceNumber,arm. Each stratum's places " +
                         "run 1, 2, 3, … without gaps. Replaces an earlier list; refused (409) once any allocation has been made.")
            .Accepts<ImportAllocationListRequest>("application/json", "text/csv")
            .Produces<ImportAllocationListResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(400).ProducesProblem(403)
            .ProducesProblem(409).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<IResult> RandomiseAsync(string code, Database db, WritePath writes, ProtocolDefinition protocol, RandomisationSecret secret,
        TimeProvider clock, HttpContext http)
    {
        var randomisation = protocol.Design.Randomisation;
        if (randomisation is null)
            return Problems.Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} does not randomise: it is a {protocol.Design.Blinding} design without arms to allocate.");
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.Actor());
        if (error is not null) return error.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, async w =>
        {
            var p = participant!;
            if (p.Status == ParticipantStatuses.Withdrawn)
                return Problems.Conflict($"{code} was withdrawn from the study on {p.WithdrawnDate:yyyy-MM-dd}; a withdrawn participant is not randomised.");
            var failures = Eligibility.Failures(protocol.Eligibility, new EligibilityAnswers(p.FailedAntidepressantTrials, p.PsychotherapyWithoutResponse,
                p.BpdDiagnosis, p.PsychoticPersonalityOrganisation, p.HighSuicideRisk));
            if (failures.Count > 0)
            {
                return Problems.Conflict($"{code} does not meet the eligibility criteria as recorded, so cannot be randomised: {string.Join(" ", failures.Select(f => f.Message))}",
                    new Dictionary<string, object?> { ["criteria"] = failures.Select(f => f.Criterion).ToArray() });
            }

            if (await RandomisationQueries.FindAllocationAsync(w.Session, p.Id) is { } existing)
            {
                return Problems.Conflict($"{code} was already randomised (randomisation number {existing.RandomisationNumber}, {existing.RandomisedUtc:yyyy-MM-dd HH:mm} UTC); a participant is randomised once.",
                    new Dictionary<string, object?> { ["randomisationNumber"] = existing.RandomisationNumber });
            }

            // Randomisation comes before the first dose, not before the first visit record: a site may record INF1 and its
            // pre-infusion ratings and vital signs first. Once the pharmacy prepared or an infusion was given, the arm is fixed.
            if ((await RandomisationQueries.DosingStepsAsync(w.Session, p.Id)).FirstOrDefault() is { } dosing)
            {
                return Problems.Conflict($"A{(dosing.Step == "infusion" ? "n" : "")} {dosing.Step} for {code} at {dosing.VisitCode} is already recorded; randomisation comes before " +
                                         $"the first preparation or infusion, so {code} can no longer be randomised.",
                    new Dictionary<string, object?> { ["recordedStep"] = dosing.Step, ["visitCode"] = dosing.VisitCode });
            }

            var records = await ParticipantQueries.VisitRecordsAsync(w.Session, p.Id);
            var baseline = protocol.Visits.FirstOrDefault(v => v.Kind == VisitKinds.Baseline);
            decimal? baselineMadrs = null;
            if (baseline is not null)
            {
                if (records.All(r => r.VisitCode != baseline.Code))
                {
                    return Problems.Conflict($"The baseline visit {baseline.Code} of {code} is not recorded yet; randomise after it (PUT /api/v1/participants/{code}/visits/{baseline.Code}).",
                        new Dictionary<string, object?> { ["missingVisit"] = baseline.Code });
                }

                if (baseline.Schedules("MADRS", null))
                {
                    var madrs = await RandomisationQueries.BaselineMadrsAsync(w.Session, p.Id, baseline.Code);
                    if (madrs is not { Complete: true, Total: not null })
                    {
                        return Problems.Conflict($"{code} needs a complete MADRS at {baseline.Code} before randomisation: its total decides the stratum." +
                                                 (madrs is null ? "" : " The MADRS entered has missing items; correct it first."),
                            new Dictionary<string, object?> { ["missingAssessment"] = $"{baseline.Code}/MADRS" });
                    }

                    baselineMadrs = madrs.Total;
                }
            }

            var stratum = Strata.Of(randomisation.Strata, p.SiteCode, baselineMadrs);
            var number = await RandomisationQueries.TakeRandomisationNumberAsync(w.Session);
            var sequenceNumber = await RandomisationQueries.TakeSequenceNumberAsync(w.Session, stratum);
            var arm = randomisation.Method == RandomisationMethods.PermutedBlocks
                ? secret.Sequence(protocol).At(stratum, sequenceNumber).Arm
                : await RandomisationQueries.ListArmAsync(w.Session, stratum, sequenceNumber);
            if (arm is null)
            {
                return Problems.Conflict($"The imported allocation list has no place {sequenceNumber} for stratum {stratum}: the unblinded statistician must import a list that covers it.",
                    new Dictionary<string, object?> { ["stratum"] = stratum });
            }

            var row = new AllocationRow
            {
                ParticipantId = p.Id, RandomisationNumber = number, Stratum = stratum, SequenceNumber = sequenceNumber, Arm = arm, Method = randomisation.Method,
                BaselineMadrsTotal = baselineMadrs, RandomisedUtc = now, RandomisedBy = w.Actor.UserId, ProtocolVersion = protocol.Version,
            };
            await RandomisationQueries.InsertAllocationAsync(w.Session, row);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Allocation, code, new AuditedAllocation(code, number, stratum, now), p.SiteCode, code));
            return Results.Created($"/api/v1/participants/{code}/randomisation", new RandomisationResponse(number, now));
        });
    }

    private static async Task<IResult> GetRandomisationAsync(string code, Database db, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error.ToResult();
        var allocation = await db.ReadAsync(c => RandomisationQueries.FindAllocationAsync(c, participant!.Id));
        return allocation is null
            ? Problems.NotFound($"{code} has not been randomised.")
            : Results.Ok(new RandomisationResponse(allocation.RandomisationNumber, allocation.RandomisedUtc));
    }

    private static async Task<IResult> GetAllocationAsync(string code, Database db, ProtocolDefinition protocol, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error.ToResult();
        var allocation = await db.ReadAsync(c => RandomisationQueries.FindParticipantAllocationAsync(c, participant!.Id));
        if (allocation is null) return Problems.NotFound($"{code} has not been randomised.");
        var arm = protocol.Design.FindArm(allocation.Arm);
        var weight = await LatestWeightAsync(db, participant!);
        return Results.Ok(new AllocationResponse(code, allocation.SiteCode, allocation.Arm, arm?.Name ?? allocation.Arm, arm?.Drug ?? "", arm?.DoseMgPerKg ?? 0,
            allocation.Stratum, allocation.SequenceNumber, allocation.RandomisationNumber, allocation.RandomisedUtc, weight, allocation.UnblindedUtc));
    }

    /// <summary>The weight at the latest infusion recorded, else at enrolment: what the next dose is calculated for.</summary>
    public static async Task<decimal> LatestWeightAsync(Database db, ParticipantRow participant)
    {
        var infusions = await db.ReadAsync(c => InfusionAndVitalsQueries.InfusionsAsync(c, participant.Id));
        return infusions.Count == 0 ? participant.WeightKg : infusions.MaxBy(i => i.StartUtc)!.WeightKg;
    }

    private static async Task<IResult> ListAllocationsAsync(string? site, Database db, HttpContext http)
    {
        var (sites, siteError) = ParticipantAccess.SiteScope(http.User.Actor(), site);
        if (siteError is not null) return siteError.ToResult();
        var rows = await db.ReadAsync(c => RandomisationQueries.AllocationsAsync(c, sites));
        return Results.Ok(rows.Select(AllocationListItem.From));
    }

    private static async Task<IResult> SequenceAsync(string? stratum, int? count, Database db, ProtocolDefinition protocol, RandomisationSecret secret,
        TimeProvider clock, HttpContext http)
    {
        var randomisation = protocol.Design.Randomisation;
        if (randomisation is null) return Problems.Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} does not randomise.");
        var actor = http.Actor();
        var (sites, allSites) = await SitesAsync(db, actor);
        var strata = Strata.All(randomisation.Strata, sites);
        var errors = new FieldErrors();
        var key = errors.Required(stratum?.Trim(), "stratum", "The stratum");
        if (key is not null && !strata.Contains(key))
        {
            if (OtherSitesStratum(randomisation.Strata, allSites, key) is { } refused) return refused;
            errors.Add("stratum", $"'{key}' is not a stratum of your sites; they are {string.Join(", ", strata)}.");
        }
        var places = count ?? 100;
        if (places is < 1 or > MaxRegeneratedEntries) errors.Add("count", $"count must be between 1 and {MaxRegeneratedEntries}; got {places}.");
        if (errors.Any) return errors.ToResult();

        IReadOnlyList<SequenceEntry> entries = [.. (await db.ReadAsync(c => AllocationList.PlacesAsync(c, protocol, secret, key!, places)))
            .Select(p => new SequenceEntry(p.SequenceNumber, p.BlockIndex, p.BlockSize, p.PositionInBlock, p.Arm, p.TakenBy?.ParticipantCode))];

        // Reading the concealed sequence is itself recorded (without the arms: admins and monitors read the trail).
        var now = clock.GetUtcNow().UtcDateTime;
        await db.WriteAsync(actor, now, w => w.AuditAsync(new AuditEntry(AuditEntities.AllocationList, key!, AuditActions.Export, Strata.SiteOf(randomisation.Strata, key!),
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { stratum = key, method = randomisation.Method, places = entries.Count, readUtc = now })))));
        return Results.Ok(new SequenceResponse(key!, randomisation.Method, entries));
    }

    /// <summary>The sites whose strata the actor may read or import (theirs; every site for an admin), and every site of the study.</summary>
    private static async Task<(IReadOnlyList<string> Allowed, IReadOnlyList<string> All)> SitesAsync(Database db, Actor actor)
    {
        var all = (await db.ReadAsync(AccessQueries.ListSitesAsync)).Select(s => s.Code).ToList();
        return ([.. all.Where(actor.CanAccessSite)], all);
    }

    /// <summary>
    /// The 403 for a stratum of a site of the study that is not one of the caller's (as for another site's records and
    /// lists); null for a stratum of theirs or one the study does not have (a 422 for the caller to correct).
    /// </summary>
    private static IResult? OtherSitesStratum(StrataSettings settings, IReadOnlyList<string> allSites, string stratum) =>
        Strata.SiteOf(settings, stratum) is { } site && Strata.All(settings, allSites).Contains(stratum)
            ? Problems.Forbidden($"Stratum {stratum} belongs to site {site}, which is not one of your sites.")
            : null;

    private static async Task<IResult> ImportListAsync(Database db, WritePath writes, ProtocolDefinition protocol, TimeProvider clock, IOptions<JsonOptions> json,
        HttpContext http)
    {
        var randomisation = protocol.Design.Randomisation;
        if (randomisation?.Method != RandomisationMethods.ImportedList)
        {
            return Problems.Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} does not randomise from an imported list" +
                                     (randomisation is null ? "." : $" (its method is {randomisation.Method}: the sequence is generated from the study's secret)."));
        }

        var (entries, parseError) = await ReadListAsync(http.Request, json.Value.SerializerOptions);
        if (parseError is not null) return parseError;

        var actor = http.Actor();
        var (sites, allSites) = await SitesAsync(db, actor);
        var strata = Strata.All(randomisation.Strata, sites).ToHashSet();
        foreach (var other in entries.Select(e => e?.Stratum).OfType<string>().Where(s => !strata.Contains(s)).Distinct())
            if (OtherSitesStratum(randomisation.Strata, allSites, other) is { } refused) return refused;
        var errors = new FieldErrors();
        var arms = protocol.Design.Arms.Select(a => a.Code).ToList();
        if (entries.Count == 0) errors.Add("entries", "The list is empty.");
        if (entries.Count > MaxListEntries) errors.Add("entries", $"The list may hold at most {MaxListEntries} entries.");
        for (var i = 0; i < entries.Count && !errors.Any; i++)
        {
            var e = entries[i];
            var at = $"entries[{i}]";
            if (e is null)
            {
                errors.Add(at, $"Entry {i + 1} is null; each entry is {{ \"stratum\", \"sequenceNumber\", \"arm\" }}.");
                continue;
            }
            if (errors.Required(e.Stratum, $"{at}.stratum", $"Entry {i + 1}: the stratum") is { } s && !strata.Contains(s))
                errors.Add($"{at}.stratum", $"Entry {i + 1}: '{s}' is not a stratum of your sites ({string.Join(", ", strata.Order(StringComparer.Ordinal))}).");
            if (errors.Required(e.SequenceNumber, $"{at}.sequenceNumber", $"Entry {i + 1}: the sequence number") is < 1)
                errors.Add($"{at}.sequenceNumber", $"Entry {i + 1}: sequence numbers start at 1.");
            if (errors.Required(e.Arm, $"{at}.arm", $"Entry {i + 1}: the arm") is { } arm && !arms.Contains(arm))
                errors.Add($"{at}.arm", $"Entry {i + 1}: arm must be one of {string.Join(", ", arms)}; got '{arm}'.");
        }
        if (errors.Any) return errors.ToResult();
        foreach (var group in entries.GroupBy(e => e.Stratum!))
        {
            var numbers = group.Select(e => e.SequenceNumber!.Value).Order().ToList();
            if (!numbers.SequenceEqual(Enumerable.Range(1, numbers.Count)))
                errors.Add("entries", $"The places of stratum {group.Key} must run 1 to {numbers.Count} once each, without gaps.");
        }
        if (errors.Any) return errors.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        var counts = entries.GroupBy(e => e.Stratum!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ImportedStratum(g.Key, g.Count())).ToList();
        return await writes.RunAsync(http, now, async w =>
        {
            // Queued behind any randomisation in progress, so none can take a place of the old list while it is replaced.
            await RandomisationQueries.LockRandomisationAsync(w.Session);
            var made = await RandomisationQueries.CountAllocationsAsync(w.Session);
            if (made > 0)
                return Problems.Conflict($"{made} participant(s) were already randomised from the current list; it can no longer be replaced.");
            await RandomisationQueries.ReplaceListAsync(w.Session, entries.Select(e => new AllocationListEntryRow
            {
                Stratum = e.Stratum!, SequenceNumber = e.SequenceNumber!.Value, Arm = e.Arm!, ImportedUtc = now, ImportedBy = w.Actor.UserId,
            }));
            await w.AuditAsync(AuditEntry.Created(AuditEntities.AllocationList, "list",
                new { entries = entries.Count, strata = counts.ToDictionary(c => c.Stratum, c => c.Entries), importedUtc = now }, null, null));
            return Results.Created("/api/v1/randomisation/list", new ImportAllocationListResponse(entries.Count, counts, now));
        });
    }

    private static async Task<(IReadOnlyList<AllocationListEntryDto> Entries, IResult? Error)> ReadListAsync(HttpRequest request, JsonSerializerOptions options)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType == "text/csv")
        {
            using var reader = new StreamReader(request.Body);
            var lines = (await reader.ReadToEndAsync()).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            if (lines.Count == 0 || lines[0].Replace(" ", "", StringComparison.Ordinal) != "stratum,sequenceNumber,arm")
                return ([], Problems.Validation("entries", "The CSV must start with the header stratum,sequenceNumber,arm."));
            var entries = new List<AllocationListEntryDto>();
            foreach (var (line, i) in lines.Skip(1).Select((l, i) => (l, i)))
            {
                var cells = line.Split(',').Select(c => c.Trim()).ToArray();
                if (cells.Length != 3 || !int.TryParse(cells[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    return ([], Problems.Validation($"entries[{i}]", $"CSV line {i + 2} must be stratum,sequenceNumber,arm with a whole sequence number; got '{line}'."));
                entries.Add(new AllocationListEntryDto(cells[0], n, cells[2]));
            }
            return (entries, null);
        }
        if (mediaType != "application/json")
        {
            return ([], Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.",
                detail: "Send the list as application/json ({ \"entries\": [...] }) or text/csv (stratum,sequenceNumber,arm).",
                extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" }));
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync<ImportAllocationListRequest>(request.Body, options);
            return (body?.Entries ?? [], null);
        }
        catch (JsonException ex)
        {
            return ([], ErrorHandling.MalformedJson(ex));
        }
    }
}
