using System.Net;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Safety;

/// <summary>
/// A participant whose course is what the protocol expects from ketamine in TRD with BPD: dissociation during the
/// infusion that settles, a small BPRS+ rise, normal vital signs, depression improving. No rule may fire.
/// The clock follows the course day by day, so every record is entered when it happened and no window closes unrecorded.
/// Run against both designs: in the blinded one the participant is randomised after baseline and each infusion is the
/// pharmacy's preparation.
/// </summary>
[TestFixture(TestProtocols.Blinded)]
[TestFixture(TestProtocols.OpenLabel)]
public class OrdinaryCourseTests(string protocol)
{
    [Test]
    public async Task OrdinaryCourse_ThroughTwoInfusions_RaisesNoAlertAtAll()
    {
        await using var host = TrialHost.Start(settings: TestProtocols.Settings(protocol));
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var monitor = await host.UserAsync("monitor", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        var infusions = new InfusionKit(host, investigator);

        async Task RecordVisitAsync(string visit, DateTime day) =>
            await (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/{visit}", new { actualDate = day.ToString("yyyy-MM-dd") }))
                .JsonAsync(HttpStatusCode.OK);
        // The evening of the visit day, so the day's records are in the past when entered.
        void EveningOf(DateTime day) => host.Clock.SetUtcNow(new DateTimeOffset(day.AddHours(18)));
        Task<Guid> AssessOnAsync(DateTime day, string visit, string? timepoint, string instrument, decimal?[] items)
        {
            var minutes = timepoint switch { "t40" => 50, "t120" => 130, "t240" => 250, _ => 0 };
            return AssessAtAsync(investigator, code, visit, timepoint, instrument, items, day.AddHours(8).AddMinutes(minutes));
        }
        async Task InfuseAsync(DateTime day, string visit)
        {
            await RecordVisitAsync(visit, day);
            await infusions.InfuseAsync(code, visit, day.AddHours(8).AddMinutes(10));
        }

        var bl = new DateTime(2026, 3, 9, 0, 0, 0, DateTimeKind.Utc);
        await RecordVisitAsync("BL", bl);
        await AssessOnAsync(bl, "BL", null, "MADRS", Madrs(30, item10: 2));
        await AssessOnAsync(bl, "BL", null, "BSL23", Bsl(2)); // mean 2: high
        await AssessOnAsync(bl, "BL", null, "BPRS", Bprs((2, 3), (6, 2), (9, 4), (11, 2)));
        await AssessOnAsync(bl, "BL", null, "CADSS", Cadss(2));
        await infusions.RandomiseAsync(code, DateOnly.FromDateTime(bl));

        var inf1 = bl.AddDays(1);
        EveningOf(inf1);
        await InfuseAsync(inf1, "INF1");
        await AssessOnAsync(inf1, "INF1", "pre", "MADRS", Madrs(28, item10: 2));
        await AssessOnAsync(inf1, "INF1", "pre", "BSL23", Bsl(2, (1, 1), (2, 1))); // mean 1.91: still high
        await AssessOnAsync(inf1, "INF1", "pre", "CADSS", Cadss(3));
        await AssessOnAsync(inf1, "INF1", "pre", "BPRS", Bprs((2, 3), (9, 4), (11, 2))); // BPRS+ 5
        await AssessOnAsync(inf1, "INF1", "t40", "CADSS", Cadss(20));
        await AssessOnAsync(inf1, "INF1", "t40", "BPRS", Bprs((2, 2), (4, 2), (9, 4), (11, 2), (12, 2))); // BPRS+ 7: +2
        await AssessOnAsync(inf1, "INF1", "t120", "CADSS", Cadss(3));
        await AssessOnAsync(inf1, "INF1", "t120", "BPRS", Bprs((9, 3), (11, 2), (12, 2))); // BPRS+ 6
        await AssessOnAsync(inf1, "INF1", "t240", "ASC5D", Asc5D());
        await VitalsAsync(investigator, code, "INF1", "pre", 124, 79, 72, 98);
        await VitalsAsync(investigator, code, "INF1", "t40", 142, 88, 86, 96);
        await VitalsAsync(investigator, code, "INF1", "t120", 130, 82, 78, 97);
        await VitalsAsync(investigator, code, "INF1", "t240", 122, 78, 70, 98);

        var post24 = inf1.AddDays(1);
        EveningOf(post24);
        await RecordVisitAsync("POST24", post24);
        await AssessOnAsync(post24, "POST24", null, "MADRS", Madrs(18, item10: 1));

        var inf2 = inf1.AddDays(3);
        EveningOf(inf2);
        await InfuseAsync(inf2, "INF2");
        await AssessOnAsync(inf2, "INF2", "pre", "MADRS", Madrs(14, item10: 1));
        await AssessOnAsync(inf2, "INF2", "pre", "CADSS", Cadss(2));
        await AssessOnAsync(inf2, "INF2", "pre", "BPRS", Bprs((9, 3))); // BPRS+ 4
        await AssessOnAsync(inf2, "INF2", "t40", "CADSS", Cadss(17));
        await AssessOnAsync(inf2, "INF2", "t40", "BPRS", Bprs((9, 3), (4, 2), (12, 2))); // BPRS+ 6: +2
        await AssessOnAsync(inf2, "INF2", "t120", "CADSS", Cadss(2));
        await AssessOnAsync(inf2, "INF2", "t120", "BPRS", Bprs((9, 3)));
        await AssessOnAsync(inf2, "INF2", "t240", "ASC5D", Asc5D());
        await VitalsAsync(investigator, code, "INF2", "pre", 120, 76, 70, 98);
        await VitalsAsync(investigator, code, "INF2", "t40", 138, 86, 82, 97);
        await VitalsAsync(investigator, code, "INF2", "t120", 126, 80, 74, 98);
        await VitalsAsync(investigator, code, "INF2", "t240", 121, 77, 69, 99);

        var alerts = await SettledAlertsAsync(host, monitor, code, includeSuperseded: true);

        Assert.That(alerts, Is.Empty, alerts.ToJsonString());
        var schedule = await (await investigator.GetAsync($"/api/v1/participants/{code}/visits")).JsonArrayAsync();
        Assert.That(schedule.Select(v => v!["status"]!.GetValue<string>()), Has.None.EqualTo("missed"), "every window so far was kept");
        Assert.That(await (await investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync(), Has.Count.EqualTo(22));
    }
}
