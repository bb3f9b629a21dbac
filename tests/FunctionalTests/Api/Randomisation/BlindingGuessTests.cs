using System.Net;
using NUnit.Framework;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// Recording a guess of the arm: when it may be made (after the infusion it follows ended, never after an emergency
/// unblinding), what is stored with it (the infusion number and the time since that infusion ended) and what the audit
/// trail keeps (all of that, never the guess). INF1 is given 08:10-08:50 UTC on 2026-03-02; the host's clock reads
/// 2026-03-10T12:00Z.
/// </summary>
public class BlindingGuessTests : BlindedStudyFixture
{
    private static readonly DateTime Inf1End = Inf1Start.AddMinutes(40);

    private static string Url(string code, string visit = "INF1") => $"/api/v1/participants/{code}/visits/{visit}/blinding-guess";

    /// <summary>Randomised, INF1 recorded and given; infusions go on unless <paramref name="stopAfterInf1"/>.</summary>
    private async Task<string> InfusedAsync(bool stopAfterInf1 = false)
    {
        var code = await RandomisedAsync();
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
        await _infusions.InfuseAsync(code, "INF1", Inf1Start);
        if (stopAfterInf1) await DiscontinueAsync(code, "2026-03-03");
        return code;
    }

    private async Task DiscontinueAsync(string code, string date) =>
        await (await PostAsync(_investigator, $"/api/v1/participants/{code}/discontinuation", new { date, reasonCode = "ADVERSE EVENT", reason = "Stopped infusions." })).JsonAsync(HttpStatusCode.OK);

    [Test]
    public async Task Guess_AtInf1WhileInfusionsGoOn_StoredAsFollowingInfusionOne()
    {
        // INF1 is a guess visit of its own now, not only when it is the last infusion given.
        var code = await InfusedAsync();

        var guess = await (await PostAsync(_investigator, Url(code), new { guesser = "participant", guess = "unknown", guessedUtc = "2026-03-02T10:05:00Z" }))
            .JsonAsync(HttpStatusCode.Created);

        Assert.That((guess["visitCode"]!.GetValue<string>(), guess["infusionNumber"]!.GetValue<int>(), guess["infusionVisitCode"]!.GetValue<string>(),
                guess["minutesAfterInfusionEnd"]!.GetValue<int>()), Is.EqualTo(("INF1", 1, "INF1", 75)));
        Assert.That(guess["guessedUtc"]!.GetValue<DateTime>(), Is.EqualTo(new DateTime(2026, 3, 2, 10, 5, 0, DateTimeKind.Utc)));
        Assert.That(guess["recordedUtc"]!.GetValue<DateTime>(), Is.EqualTo(TrialHost.StartTime.UtcDateTime));
    }

    [Test]
    public async Task Guess_WithoutGuessedUtc_MadeNowByTheServersClock()
    {
        var code = await InfusedAsync();

        var guess = await (await PostAsync(_investigator, Url(code), new { guesser = "rater", guess = "unknown" })).JsonAsync(HttpStatusCode.Created);

        var now = _host.Clock.GetUtcNow().UtcDateTime;
        Assert.That(guess["guessedUtc"]!.GetValue<DateTime>(), Is.EqualTo(now));
        Assert.That(guess["minutesAfterInfusionEnd"]!.GetValue<int>(), Is.EqualTo((int)(now - Inf1End).TotalMinutes));
    }

    [Test]
    public async Task Guess_AfterTheParticipantsEmergencyUnblinding_409SayingWhyWithoutTheArm()
    {
        var code = await InfusedAsync(stopAfterInf1: true);
        await (await PostAsync(_investigator, Url(code), new { guesser = "rater", guess = "unknown" })).JsonAsync(HttpStatusCode.Created);
        await (await PostAsync(_investigator, $"/api/v1/participants/{code}/unblinding", new { reason = "Emergency surgery." })).JsonAsync(HttpStatusCode.Created);

        var problem = await (await PostAsync(_investigator, Url(code), new { guesser = "participant", guess = "unknown" })).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("unblinded in an emergency"));
        Assert.That(problem["unblindedUtc"], Is.Not.Null);
        Assert.That(problem.ToJsonString(), Does.Not.Contain("KET").And.Not.Contain("MDZ").And.Not.Contain("etamine").And.Not.Contain("idazolam"));
        // Even dated before the unblinding: the site knows the arm now, so the guess can no longer be taken as made blind.
        await (await PostAsync(_investigator, Url(code), new { guesser = "participant", guess = "unknown", guessedUtc = "2026-03-02T10:00:00Z" }))
            .ProblemAsync(HttpStatusCode.Conflict);
        var guesses = (await HistoryAsync(code)).Where(r => r!["entityType"]!.GetValue<string>() == "blinding-guess").ToList();
        Assert.That(guesses, Has.Count.EqualTo(1), "the refused guess left nothing behind");
    }

    [Test]
    public async Task Guess_InfusionOfTheVisitNotRecorded_409NamingTheMissingInfusion()
    {
        var code = await RandomisedAsync();
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);

        var problem = await (await PostAsync(_investigator, Url(code), new { guesser = "rater", guess = "unknown" })).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["missingInfusion"]!.GetValue<string>(), Is.EqualTo("INF1"));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("infusion at INF1 is not recorded"));
    }

    [Test]
    public async Task Guess_GuessedBeforeTheInfusionEnded_422OnGuessedUtc()
    {
        var code = await InfusedAsync();

        var problem = await (await PostAsync(_investigator, Url(code), new { guesser = "rater", guess = "unknown", guessedUtc = "2026-03-02T08:49:00Z" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);

        problem.AssertField("guessedUtc");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("before the infusion at INF1 ended (2026-03-02T08:50:00Z)"));
    }

    [Test]
    public async Task Guess_GuessedAtInf1AfterInf2Started_422OnGuessedUtc()
    {
        var code = await InfusedAsync();
        await TrialHost.RecordVisitAsync(_investigator, code, "INF2", Inf1Day.AddDays(3));
        await _infusions.InfuseAsync(code, "INF2", Inf1Start.AddDays(3));

        var problem = await (await PostAsync(_investigator, Url(code), new { guesser = "rater", guess = "unknown", guessedUtc = "2026-03-05T09:00:00Z" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);

        problem.AssertField("guessedUtc");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("after the infusion at INF2 started"));
    }

    [TestCase("2026-03-10T12:01:00Z", "in the future")]
    [TestCase("2026-03-02T10:00:00", "time zone")]
    public async Task Guess_GuessedUtcInTheFutureOrWithoutTimeZone_422OnGuessedUtc(string guessedUtc, string message)
    {
        var code = await InfusedAsync();

        var problem = await (await PostAsync(_investigator, Url(code), new { guesser = "rater", guess = "unknown", guessedUtc }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);

        problem.AssertField("guessedUtc");
        Assert.That(problem.ToJsonString(), Does.Contain(message));
    }

    [Test]
    public async Task Guess_AtFollowUpWithNoInfusionGiven_409()
    {
        // INF1 happened as a visit, but no infusion was given; infusions then stopped and FU-D7 took place.
        var code = await RandomisedAsync();
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
        await DiscontinueAsync(code, "2026-03-02");
        await TrialHost.RecordVisitAsync(_investigator, code, "FU-D7", Inf1Day.AddDays(7));

        var problem = await (await PostAsync(_investigator, Url(code, "FU-D7"), new { guesser = "rater", guess = "unknown" })).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("No infusion is recorded before FU-D7"));
        Assert.That(problem["missingInfusion"]!.GetValue<string>(), Is.EqualTo("INF1"));
    }

    [Test]
    public async Task Guess_AtFollowUpAfterTheLastInfusion_FollowsItsNumber()
    {
        var code = await InfusedAsync(stopAfterInf1: true);
        await TrialHost.RecordVisitAsync(_investigator, code, "FU-D7", Inf1Day.AddDays(7));

        var guess = await (await PostAsync(_investigator, Url(code, "FU-D7"), new { guesser = "rater", guess = "unknown", guessedUtc = "2026-03-09T09:50:00Z" }))
            .JsonAsync(HttpStatusCode.Created);

        // Seven days and one hour after INF1 ended.
        Assert.That((guess["infusionNumber"]!.GetValue<int>(), guess["infusionVisitCode"]!.GetValue<string>(), guess["minutesAfterInfusionEnd"]!.GetValue<int>()),
            Is.EqualTo((1, "INF1", 7 * 24 * 60 + 60)));
        var early = await (await PostAsync(_investigator, Url(code, "FU-D7"), new { guesser = "participant", guess = "unknown", guessedUtc = "2026-03-08T09:50:00Z" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        early.AssertField("guessedUtc");
    }

    [Test]
    public async Task Guess_RefusedAtTheWrongVisitTwiceWithAnUnknownAnswerOrByAMonitor()
    {
        var code = await InfusedAsync(stopAfterInf1: true);
        await (await PostAsync(_investigator, Url(code), new { guesser = "rater", guess = "unknown" })).JsonAsync(HttpStatusCode.Created);

        (await (await PostAsync(_investigator, Url(code, "INF2"), new { guesser = "participant", guess = "unknown" })).ProblemAsync(HttpStatusCode.UnprocessableEntity))
            .AssertField("visitCode");
        var unrecorded = await (await PostAsync(_investigator, Url(code, "FU-D7"), new { guesser = "participant", guess = "unknown" })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(unrecorded["missingVisit"]!.GetValue<string>(), Is.EqualTo("FU-D7"));
        await (await PostAsync(_investigator, Url(code), new { guesser = "rater", guess = "unknown" })).ProblemAsync(HttpStatusCode.Conflict);
        var wrong = await (await PostAsync(_investigator, Url(code), new { guesser = "nurse", guess = "placebo" })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        wrong.AssertField("guesser");
        wrong.AssertField("guess");
        await (await PostAsync(_monitor, Url(code), new { guesser = "participant", guess = "unknown" })).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Guess_Audited_WithTheInfusionAndTimingButNeverTheGuess()
    {
        var code = await InfusedAsync();
        var arm = (await AllocationAsync(code))["arm"]!.GetValue<string>();
        // The guess names the participant's own arm: the trail must not repeat it.
        await (await PostAsync(_investigator, Url(code), new { guesser = "participant", guess = arm, guessedUtc = "2026-03-02T09:20:00Z" })).JsonAsync(HttpStatusCode.Created);

        var row = (await HistoryAsync(code)).Single(r => r!["entityType"]!.GetValue<string>() == "blinding-guess")!;
        var audited = row["newValue"]!.AsObject();

        Assert.That((audited["guesser"]!.GetValue<string>(), audited["visitCode"]!.GetValue<string>(), audited["infusionNumber"]!.GetValue<int>(),
                audited["infusionVisitCode"]!.GetValue<string>(), audited["minutesAfterInfusionEnd"]!.GetValue<int>()),
            Is.EqualTo(("participant", "INF1", 1, "INF1", 30)));
        Assert.That(audited["guessedUtc"]!.GetValue<DateTime>(), Is.EqualTo(new DateTime(2026, 3, 2, 9, 20, 0, DateTimeKind.Utc)));
        Assert.That(audited.ContainsKey("guess"), Is.False);
        foreach (var (role, client) in Blinded().Where(b => b.Role is "monitor" or "admin"))
        {
            var trail = await (await client.GetAsync($"/api/v1/audit?entity=blinding-guess&limit=1000")).Content.ReadAsStringAsync();
            Assert.That(trail, Does.Not.Contain("KET").And.Not.Contain("MDZ").And.Not.Contain("unknown"), role);
        }
    }
}
