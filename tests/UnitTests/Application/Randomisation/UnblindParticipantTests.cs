using NUnit.Framework;
using Trial.Application;
using Trial.Application.Randomisation;
using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Participants;
using Trial.Db.Randomisation;
using Trial.Db.Safety;

namespace Trial.Tests.Application.Randomisation;

/// <summary>Emergency unblinding: the arm to the investigator who asked, the participant flagged, and the UNBLINDED alert in the same write.</summary>
public class UnblindParticipantTests
{
    private static readonly Actor Investigator = UseCaseDatabase.Person(Roles.Investigator, "WAW");

    private UseCaseDatabase _data = null!;
    private UnblindParticipant _unblinding = null!;

    [OneTimeSetUp]
    public async Task CreateAsync()
    {
        _data = await UseCaseDatabase.CreateAsync();
        _unblinding = new UnblindParticipant(_data.Db, UseCaseDatabase.Blinded);
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    private async Task<Outcome<Unblinded>> UnblindAsync(ParticipantRow participant, string? reason)
    {
        var checkedRequest = await _unblinding.CheckAsync(Investigator, participant.Code, reason);
        if (checkedRequest.IsRefused) return checkedRequest.Refusal!;
        return await _data.Db.RunAsync(Investigator, UseCaseDatabase.Now, w => _unblinding.WriteAsync(w, checkedRequest.Value!));
    }

    [Test]
    public async Task WriteAsync_Randomised_TheArmToTheInvestigator_FlagAuditRowAndUnblindedAlertWithoutTheArm()
    {
        var participant = await _data.EnrolAsync();
        var arm = (await _data.RandomiseAsync(participant)).Arm;

        var unblinded = (await UnblindAsync(participant, "  Suspected overdose; the antidote depends on the drug.  ")).Value!;

        var definition = UseCaseDatabase.Blinded.Design.FindArm(arm)!;
        Assert.That((unblinded.ParticipantCode, unblinded.Arm, unblinded.ArmName, unblinded.Drug, unblinded.DoseMgPerKg, unblinded.UnblindedUtc),
            Is.EqualTo((participant.Code, arm, definition.Name, definition.Drug, definition.DoseMgPerKg, UseCaseDatabase.Now)));
        Assert.That((await _data.Db.ReadAsync(c => RandomisationQueries.FindParticipantAllocationAsync(c, participant.Id)))!.UnblindedUtc,
            Is.EqualTo(UseCaseDatabase.Now), "flagged for the extracts");
        var audit = (await _data.AuditAsync(AuditEntities.Unblinding)).Single(a => a.ParticipantCode == participant.Code);
        Assert.That((audit.NewValue, audit.Reason), Is.EqualTo((
            $"{{\"id\":\"{unblinded.Id}\",\"participantCode\":\"{participant.Code}\",\"unblindedUtc\":\"2026-03-10T12:00:00Z\"}}",
            "Suspected overdose; the antidote depends on the drug.")));

        var alert = (await _data.Db.ReadAsync(c => SafetyQueries.ForParticipantAsync(c, participant.Id))).Single();
        Assert.That((alert.RuleCode, alert.Severity, alert.SourceType, alert.SourceKey, alert.VisitCode, alert.Status), Is.EqualTo(
            ("UNBLINDED", "high", "unblinding", unblinded.Id.ToString("N"), (string?)null, "open")));
        Assert.That(alert.Message, Is.EqualTo($"{participant.Code} was unblinded in an emergency by {Investigator.Name} (investigator) at 2026-03-10 12:00 UTC. " +
                                              "Reason given: Suspected overdose; the antidote depends on the drug."));
        Assert.That(alert.ValuesJson, Is.EqualTo($"{{\"unblindedBy\":\"{Investigator.Name}\",\"unblindingId\":\"{unblinded.Id:N}\"}}"));
        var raised = (await _data.Db.ReadAsync(c => SafetyQueries.EventsAsync(c, alert.Id))).Single();
        Assert.That((raised.Action, raised.ActorId, raised.ActorRole), Is.EqualTo(("raised", (Guid?)null, "system")), "raised by the system, in the investigator's write");
        var alertAudit = (await _data.AuditAsync(AuditEntities.SafetyAlert)).Single(a => a.EntityId == alert.Id.ToString());
        Assert.That(alertAudit.NewValue, Does.Not.Contain($"\"{arm}\"").And.Not.Contain(definition.Drug));
    }

    [Test]
    public async Task WriteAsync_NotRandomised_ConflictNothingToReveal()
    {
        var participant = await _data.EnrolAsync();

        var refused = await UnblindAsync(participant, "Allergic reaction.");

        Assert.That(refused.Refusal, Is.EqualTo(new Conflict($"{participant.Code} has not been randomised: there is no arm to reveal.")));
    }

    [Test]
    public async Task CheckAsync_NoReason_InvalidReason()
    {
        var participant = await _data.EnrolAsync();

        var refused = (Invalid)(await _unblinding.CheckAsync(Investigator, participant.Code, " ")).Refusal!;

        Assert.That(refused.Errors["reason"], Is.EqualTo(new[] { "The reason for unblinding (what knowing the arm changes in the treatment) is required." }));
    }

    [Test]
    public async Task CheckAsync_OpenLabel_ConflictNothingToUnblind()
    {
        var refused = await new UnblindParticipant(_data.Db, UseCaseDatabase.OpenLabel).CheckAsync(Investigator, "WAW-0001", "Reason.");

        Assert.That(refused.Refusal!.Detail, Does.EndWith("is open-label: there is nothing to unblind."));
    }
}
