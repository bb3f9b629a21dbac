using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trial.Core.Protocol;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api;

/// <summary>The protocols a fixture can run against, by their built-in names.</summary>
public static class TestProtocols
{
    /// <summary>The default protocol: double-blind, randomised, midazolam-controlled.</summary>
    public const string Blinded = ProtocolLoader.DefaultName;

    /// <summary>The single-arm, open-label protocol.</summary>
    public const string OpenLabel = ProtocolLoader.OpenLabelName;

    /// <summary>Host settings that serve the named protocol (null: the suite's protocol, see <see cref="TrialHost.SuiteProtocol"/>).</summary>
    public static IDictionary<string, string?>? Settings(string? protocol) =>
        protocol is null ? null : new Dictionary<string, string?> { ["Protocol:Path"] = protocol };
}

/// <summary>The body of POST/PUT .../infusion, field for field; fields a protocol does not take stay null.</summary>
public sealed record InfusionBody(
    decimal WeightKg, decimal? DoseMgPerKg, string? PreparationId, decimal? VolumeMl, string Route, DateTime StartUtc, DateTime EndUtc, string? Reason = null);

/// <summary>
/// Infusions the way the host's protocol records them, so the tests that give infusions run against both designs:
/// open-label with the dose (0.5 mg/kg); blinded after randomisation, by the preparation the pharmacy recorded for the
/// visit, which the kit has a pharmacist of the site record from the participant's allocation.
/// </summary>
public sealed class InfusionKit(TrialHost host, HttpClient investigator, string site = "WAW")
{
    public const decimal OpenLabelDoseMgPerKg = 0.5m;

    private HttpClient? _pharmacist;

    public bool Blinded => host.Protocol.Design.IsBlinded;

    /// <summary>The label the kit gives the preparation of this visit.</summary>
    public static string Label(string code, string visit) => $"PREP-{code}-{visit}";

    /// <summary>
    /// In a blinded protocol, randomises the participant: records the baseline visit on <paramref name="baselineDate"/>
    /// and a complete baseline MADRS when they are missing, first. Does nothing in an open-label protocol.
    /// </summary>
    public async Task RandomiseAsync(string code, DateOnly baselineDate, int madrsTotal = 30)
    {
        if (!Blinded) return;
        await TrialHost.EnsureVisitAsync(investigator, code, "BL", baselineDate);
        var assessments = await (await investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync();
        if (!assessments.Any(a => a!["visitCode"]!.GetValue<string>() == "BL" && a["instrument"]!.GetValue<string>() == "MADRS"))
            await AssessAtAsync(investigator, code, "BL", null, "MADRS", Madrs(madrsTotal, item10: 2), baselineDate.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc));
        await (await investigator.PostAsync($"/api/v1/participants/{code}/randomisation", null)).JsonAsync(HttpStatusCode.Created);
    }

    /// <summary>A body for an infusion without preparing anything (for checks that refuse it before the preparation is looked at).</summary>
    public InfusionBody Body(string code, string visit, DateTime startUtc, DateTime? endUtc = null, decimal weightKg = 61.5m, string route = "IV") =>
        Blinded
            ? new InfusionBody(weightKg, null, Label(code, visit), host.Protocol.Design.Preparation!.VolumeMl, route, startUtc, endUtc ?? startUtc.AddMinutes(40))
            : new InfusionBody(weightKg, OpenLabelDoseMgPerKg, null, null, route, startUtc, endUtc ?? startUtc.AddMinutes(40));

    /// <summary>A body for the infusion at the visit, after the pharmacy's preparation for it in a blinded protocol (recorded when missing).</summary>
    public async Task<InfusionBody> PreparedBodyAsync(string code, string visit, DateTime startUtc, decimal weightKg = 61.5m)
    {
        if (Blinded) await PrepareAsync(code, visit, weightKg);
        return Body(code, visit, startUtc, weightKg: weightKg);
    }

    /// <summary>Records the infusion (expects 201) and returns it.</summary>
    public async Task<JsonObject> InfuseAsync(string code, string visit, DateTime startUtc, decimal weightKg = 61.5m) =>
        await (await investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/{visit}/infusion", await PreparedBodyAsync(code, visit, startUtc, weightKg)))
            .JsonAsync(HttpStatusCode.Created);

    /// <summary>The pharmacist records the preparation for the participant's arm, at the protocol's dose for <paramref name="weightKg"/>.</summary>
    public async Task<JsonObject> PrepareAsync(string code, string visit, decimal weightKg = 61.5m)
    {
        var pharmacist = await PharmacistAsync();
        var url = $"/api/v1/participants/{code}/visits/{visit}/preparation";
        var existing = await pharmacist.GetAsync(url);
        if (existing.StatusCode == HttpStatusCode.OK) return await existing.JsonAsync(HttpStatusCode.OK);
        var allocation = await (await pharmacist.GetAsync($"/api/v1/participants/{code}/allocation")).JsonAsync(HttpStatusCode.OK);
        var dose = allocation["doseMgPerKg"]!.GetValue<decimal>();
        return await (await pharmacist.PostAsJsonAsync(url, new
        {
            preparationId = Label(code, visit), arm = allocation["arm"]!.GetValue<string>(), doseMgPerKg = dose,
            totalDoseMg = Math.Round(dose * weightKg, 2, MidpointRounding.AwayFromZero), volumeMl = host.Protocol.Design.Preparation!.VolumeMl, weightKg,
        })).JsonAsync(HttpStatusCode.Created);
    }

    public async Task<HttpClient> PharmacistAsync() => _pharmacist ??= await host.UserAsync("pharmacist", site);
}
