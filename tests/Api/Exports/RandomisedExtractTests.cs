using System.Globalization;
using NUnit.Framework;
using static Trial.Tests.Api.Exports.ExportTestKit;

namespace Trial.Tests.Api.Exports;

/// <summary>The extracts of a randomised, double-blind study, as the blinded and the unblinded read them.</summary>
public class RandomisedExtractTests : RandomisedExportScenario
{
    [Test]
    public async Task Participants_EmergencyUnblinding_MarkedForBlindedRolesToo()
    {
        foreach (var (role, client) in new[] { ("statistician", Statistician), ("admin", _host.Admin) })
        {
            var csv = await CsvAsync(client, "participants");
            Assert.That(csv.Rows.Select(r => r["participant_code"]), Is.EquivalentTo(Everyone), role);
            foreach (var code in Everyone)
            {
                var row = csv.Single(("participant_code", code));
                var expected = code == EmergencyUnblinded ? ("TRUE", UnblindedUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : ("FALSE", "");
                Assert.That((row["emergency_unblinded"], row["emergency_unblinded_date"]), Is.EqualTo(expected), $"{role}: {code}");
            }
        }
    }

    [Test]
    public async Task Participants_Incremental_AParticipantUnblindedSinceIsPulledAgain()
    {
        var since = await CsvAsync(Statistician, "participants", $"?since={Instant(BeforeUnblindingUtc)}");
        Assert.That(since.Rows.Select(r => (r["participant_code"], r["emergency_unblinded"])), Is.EqualTo(new[] { (EmergencyUnblinded, "TRUE") }));
    }
}
