using NUnit.Framework;
using Trial.Application;
using Trial.Application.AdverseEvents;
using Trial.Core.Access;
using Trial.Core.Safety;
using Trial.Db.Audit;
using Trial.Db.Participants;
using Trial.Db.Safety;

namespace Trial.Tests.Application.AdverseEvents;

/// <summary>Adverse events: recorded and updated with their audit rows and safety evaluation, and read with their SUSAR status and SAE deadline.</summary>
public class AdverseEventTests
{
    private static readonly DateTime Now = UseCaseDatabase.Now;
    private static readonly Actor Investigator = UseCaseDatabase.Person(Roles.Investigator, "WAW");

    private UseCaseDatabase _data = null!;
    private RecordAdverseEvent _record = null!;
    private UpdateAdverseEvent _update = null!;
    private ReadAdverseEvents _read = null!;

    [OneTimeSetUp]
    public async Task CreateAsync()
    {
        _data = await UseCaseDatabase.CreateAsync();
        _record = new RecordAdverseEvent(_data.Db, UseCaseDatabase.Blinded);
        _update = new UpdateAdverseEvent(_data.Db, UseCaseDatabase.Blinded);
        _read = new ReadAdverseEvents(_data.Db, UseCaseDatabase.Blinded);
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    /// <summary>A serious, unexpected, probably related hospitalisation: a SUSAR (15 days), the site aware an hour ago.</summary>
    private static AdverseEventInput Serious(string? reason = null) => new(
        "Severe agitation", null, UseCaseDatabase.Today, null, "severe", true, ["hospitalisation"], "probable", false, "interrupted", "recovering",
        UseCaseDatabase.Today, null, null, reason, Now.AddHours(-1));

    private async Task<Outcome<AdverseEventDetails>> RecordAsync(ParticipantRow participant, AdverseEventInput input)
    {
        var checkedEvent = await _record.CheckAsync(Investigator, participant.Code, input, Now);
        if (checkedEvent.IsRefused) return checkedEvent.Refusal!;
        return await _data.Db.RunAsync(Investigator, Now, w => _record.WriteAsync(w, checkedEvent.Value!));
    }

    private async Task<Outcome<AdverseEventDetails>> UpdateAsync(Guid id, string? ifMatch, AdverseEventInput input)
    {
        var checkedChange = await _update.CheckAsync(Investigator, id, ifMatch, input, Now.AddHours(1));
        if (checkedChange.IsRefused) return checkedChange.Refusal!;
        return await _data.Db.RunAsync(Investigator, Now.AddHours(1), w => _update.WriteAsync(w, checkedChange.Value!));
    }

    [Test]
    public async Task RecordAsync_SeriousSusar_StoredWithItsDeadlines_AuditedWhole_AndTheParticipantToEvaluate()
    {
        var participant = await _data.EnrolAsync();

        var recorded = (await RecordAsync(participant, Serious())).Value!;

        Assert.That((recorded.ParticipantCode, recorded.Ongoing, recorded.Version, recorded.SaeReportDueUtc, recorded.Susar),
            Is.EqualTo((participant.Code, true, 1, (DateTime?)Now.AddHours(23), new SusarStatus(true, 15, UseCaseDatabase.Today.AddDays(15)))));
        Assert.That((await _read.GetAsync(Investigator, recorded.Id)).Value! with { SeriousCriteria = recorded.SeriousCriteria }, Is.EqualTo(recorded));
        var audit = (await _data.AuditAsync(AuditEntities.AdverseEvent)).Single(a => a.EntityId == recorded.Id.ToString());
        Assert.That((audit.Action, audit.Reason, audit.Flag), Is.EqualTo((AuditActions.Create, (string?)null, (string?)null)));
        Assert.That(audit.NewValue, Is.EqualTo(
            "{\"actionTaken\":\"interrupted\",\"awareDate\":\"2026-03-10\",\"awareUtc\":\"2026-03-10T11:00:00Z\",\"codedTerm\":null,\"endDate\":null,\"expected\":false," +
            $"\"id\":\"{recorded.Id}\",\"ongoing\":true,\"onsetDate\":\"2026-03-10\",\"outcome\":\"recovering\",\"participantCode\":\"{participant.Code}\"," +
            "\"recordedUtc\":\"2026-03-10T12:00:00Z\",\"relatedness\":\"probable\",\"saeReportDueUtc\":\"2026-03-11T11:00:00Z\",\"serious\":true," +
            "\"seriousCriteria\":[\"hospitalisation\"],\"severity\":\"severe\",\"siteCode\":\"WAW\",\"specialInterest\":null,\"sponsorReportedUtc\":null," +
            "\"susar\":{\"dueDate\":\"2026-03-25\",\"isSusar\":true,\"reportingClockDays\":15},\"term\":\"Severe agitation\",\"updatedUtc\":\"2026-03-10T12:00:00Z\",\"version\":1}"));
        Assert.That(await _data.Db.ReadAsync(c => SafetyQueries.UnevaluatedParticipantsAsync(c)), Does.Contain(participant.Id));
    }

    [Test]
    public async Task UpdateAsync_ReportedToTheSponsor_NewVersionAuditedAsTheFieldsThatChanged()
    {
        var participant = await _data.EnrolAsync();
        var recorded = (await RecordAsync(participant, Serious())).Value!;

        var updated = (await UpdateAsync(recorded.Id, "\"1\"", Serious("Reported by phone.") with { SponsorReportedUtc = Now.AddMinutes(30) })).Value!;

        Assert.That((updated.Version, updated.SponsorReportedUtc, updated.RecordedUtc, updated.UpdatedUtc), Is.EqualTo((2, (DateTime?)Now.AddMinutes(30), Now, Now.AddHours(1))));
        var audit = (await _data.AuditAsync(AuditEntities.AdverseEvent)).Single(a => a.EntityId == recorded.Id.ToString() && a.Action == AuditActions.Update);
        Assert.That((audit.OldValue, audit.NewValue, audit.Reason), Is.EqualTo((
            $"{{\"id\":\"{recorded.Id}\",\"sponsorReportedUtc\":null,\"updatedUtc\":\"2026-03-10T12:00:00Z\",\"version\":1}}",
            $"{{\"id\":\"{recorded.Id}\",\"sponsorReportedUtc\":\"2026-03-10T12:30:00Z\",\"updatedUtc\":\"2026-03-10T13:00:00Z\",\"version\":2}}",
            "Reported by phone.")));
    }

    [Test]
    public async Task CheckAsync_UpdateWithoutIfMatchOrAnOldVersion_VersionRequiredOrStale()
    {
        var participant = await _data.EnrolAsync();
        var recorded = (await RecordAsync(participant, Serious())).Value!;

        var missing = await _update.CheckAsync(Investigator, recorded.Id, "", Serious("Why."), Now);
        var stale = await _update.CheckAsync(Investigator, recorded.Id, "\"7\"", Serious("Why."), Now);

        Assert.That(missing.Refusal, Is.EqualTo(new VersionRequired(
            "Send If-Match with the ETag of the version of the adverse event you changed (currently \"1\"); read it with GET first.")));
        Assert.That(stale.Refusal, Is.EqualTo(new VersionStale(
            "The adverse event was changed since you read it (current ETag \"1\"); read it again and re-apply your change. Nothing was stored.", "adverse event", 1)));
    }

    [Test]
    public async Task CheckAsync_UpdateWithoutReason_InvalidReason()
    {
        var participant = await _data.EnrolAsync();
        var recorded = (await RecordAsync(participant, Serious())).Value!;

        var refused = (Invalid)(await _update.CheckAsync(Investigator, recorded.Id, "\"1\"", Serious(), Now)).Refusal!;

        Assert.That(refused.Errors["reason"], Is.EqualTo(new[] { "A reason for the change is required." }));
    }

    [Test]
    public async Task CheckAsync_MissingFieldsAndFutureOnset_FieldErrors()
    {
        var participant = await _data.EnrolAsync();

        var missing = (Invalid)(await _record.CheckAsync(Investigator, participant.Code, Serious() with { Term = " ", Serious = null }, Now)).Refusal!;
        var future = (Invalid)(await _record.CheckAsync(Investigator, participant.Code, Serious() with { OnsetDate = UseCaseDatabase.Today.AddDays(1) }, Now)).Refusal!;

        Assert.That((missing.Errors["term"], missing.Errors["serious"]),
            Is.EqualTo((new[] { "The adverse event term is required." }, new[] { "Whether the event is serious is required." })));
        Assert.That(future.Errors.Keys, Does.Contain("onsetDate"));
    }

    [Test]
    public async Task CheckAsync_WithdrawnWithoutReason_ConflictNamesTheField()
    {
        var enrolled = await _data.EnrolAsync();
        await _data.Db.WriteDerivedAsync(Now, w => ParticipantQueries.WithdrawAsync(w.Session, enrolled.Id, UseCaseDatabase.Today, "WITHDRAWAL BY SUBJECT", "Moved abroad", Now, Investigator.UserId));
        var participant = (await _data.Db.ReadAsync(c => ParticipantQueries.FindByIdAsync(c, enrolled.Id)))!;

        var refused = (Conflict)(await _record.CheckAsync(Investigator, participant.Code, Serious(), Now)).Refusal!;

        Assert.That(refused.Extensions!["field"], Is.EqualTo("reason"));
        Assert.That(refused.Detail, Does.StartWith($"{participant.Code} was withdrawn from the study on 2026-03-10"));
    }

    [Test]
    public async Task ReadAsync_AnotherSitesEventOrUnknownId_RefusedAndTheListOfOneParticipant()
    {
        var other = await _data.EnrolAsync("KRK");
        var krk = UseCaseDatabase.Person(Roles.Investigator, "KRK");
        var checkedEvent = await _record.CheckAsync(krk, other.Code, Serious(), Now);
        var theirs = (await _data.Db.RunAsync(krk, Now, w => _record.WriteAsync(w, checkedEvent.Value!))).Value!;
        var mine = await _data.EnrolAsync();
        var recorded = (await RecordAsync(mine, Serious())).Value!;
        var missing = Guid.NewGuid();

        Assert.That((await _read.GetAsync(Investigator, theirs.Id)).Refusal,
            Is.EqualTo(new Forbidden($"Participant {other.Code} belongs to site KRK, which is not one of your sites.")));
        Assert.That((await _read.GetAsync(Investigator, missing)).Refusal, Is.EqualTo(new NotFound($"No adverse event with id {missing}.")));
        Assert.That((await _read.ListAsync(Investigator, null, mine.Code)).Value!.Items.Select(e => e.Id), Is.EqualTo(new[] { recorded.Id }));
        Assert.That((await _read.ListAsync(Investigator, "KRK", null)).Refusal, Is.EqualTo(new Forbidden("Site KRK is not one of your sites.")));
    }
}
