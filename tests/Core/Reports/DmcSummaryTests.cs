using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Reports;

namespace Trial.Tests.Core.Reports;

[TestFixture]
public class DmcSummaryTests
{
    private static readonly ProtocolDefinition Protocol = ProtocolLoader.LoadDefault();
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid();

    private static DmcSummaryResult Build(IReadOnlyList<DmcMadrs> madrs, IReadOnlyList<DmcAdverseEvent>? events = null, IReadOnlyList<DmcAlert>? alerts = null) =>
        DmcSummary.Build(Protocol,
            [new DmcParticipant(A, "KET", false, false, false, 2), new DmcParticipant(B, "KET", true, true, true, 1), new DmcParticipant(C, "MDZ", false, false, false, 2)],
            events ?? [], alerts ?? [], madrs);

    [Test]
    public void Build_Participants_CountedPerArmInTheProtocolsOrder()
    {
        var result = Build([]);

        Assert.That(result.Participants.Select(p => (p.Arm, p.Randomised, p.InfusionsGiven, p.Withdrawn, p.EmergencyUnblinded)),
            Is.EqualTo(new[] { ("KET", 2, 3, 1, 1), ("MDZ", 1, 2, 0, 0) }));
    }

    [Test]
    public void Build_AdverseEventsAndAlerts_ByArm()
    {
        var result = Build([],
            [new DmcAdverseEvent(A, "KET", "severe", true, null), new DmcAdverseEvent(A, "KET", "mild", false, "severe-dissociation"), new DmcAdverseEvent(C, "MDZ", "mild", false, null)],
            [new DmcAlert(A, "KET", "CADSS_SEVERE", "high"), new DmcAlert(B, "KET", "CADSS_SEVERE", "high"), new DmcAlert(C, "MDZ", "MADRS10_HIGH", "high")]);

        Assert.That(result.AdverseEvents.Select(e => (e.Arm, e.Events, e.ParticipantsWithEvent, e.SevereEvents, e.SeriousEvents, e.SpecialInterestEvents)),
            Is.EqualTo(new[] { ("KET", 2, 1, 1, 1, 1), ("MDZ", 1, 1, 0, 0, 0) }));
        // Rules in the protocol's order: MADRS10_HIGH comes before CADSS_SEVERE.
        Assert.That(result.SafetyAlerts.Select(a => (a.Rule, a.Arm, a.Alerts, a.Participants)),
            Is.EqualTo(new[] { ("MADRS10_HIGH", "MDZ", 1, 1), ("CADSS_SEVERE", "KET", 2, 2) }));
    }

    [Test]
    public void Build_Efficacy_AgainstBaselineWithTheProtocolsThresholds()
    {
        // A: BL 30 → POST24 15 (exactly 50 %: response) → FU-D7 10 (remission). B: no BL, INF1 pre 20 is the baseline → POST24 11
        // (45 %: no response). C: BL 30 → POST24 24.
        var result = Build(
        [
            new DmcMadrs(A, "KET", "BL", null, 30), new DmcMadrs(A, "KET", "POST24", null, 15), new DmcMadrs(A, "KET", "FU-D7", null, 10),
            new DmcMadrs(B, "KET", "INF1", "pre", 20), new DmcMadrs(B, "KET", "POST24", null, 11),
            new DmcMadrs(C, "MDZ", "BL", null, 30), new DmcMadrs(C, "MDZ", "POST24", null, 24),
        ]);

        Assert.That(result.Efficacy.Select(e => (e.VisitCode, e.Arm, e.Participants, e.MeanTotal, e.MeanChange, e.Responders, e.Remitters)), Is.EqualTo(new[]
        {
            ("POST24", "KET", 2, (decimal?)13m, (decimal?)-12m, 1, 0),
            ("POST24", "MDZ", 1, 24m, -6m, 0, 0),
            ("FU-D7", "KET", 1, 10m, -20m, 1, 1),
        }));
    }
}
