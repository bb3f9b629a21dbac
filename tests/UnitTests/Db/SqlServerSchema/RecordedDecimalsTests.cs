using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Application.Visits;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Tests.Application;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>
/// The decimal domains check (d) compares with the DECIMAL columns are enforced: a measure with more decimals than it is
/// recorded with is refused, naming the field, where SQL Server would have stored it rounded and SQLite as entered.
/// </summary>
public class RecordedDecimalsTests
{
    private static readonly Actor Investigator = UseCaseDatabase.Person(Roles.Investigator, "WAW");
    private static readonly EligibilityInput Eligible = new(3, true, true, false, false);

    private UseCaseDatabase _data = null!;

    [OneTimeSetUp]
    public async Task CreateAsync() => _data = await UseCaseDatabase.CreateAsync();

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    private static decimal WithOneDecimalTooMany(decimal value, int decimals) => value + (decimal)Math.Pow(10, -(decimals + 1));

    private static IReadOnlyDictionary<string, string[]>? Errors<T>(Outcome<T> outcome) => (outcome.Refusal as Invalid)?.Errors;

    [Test]
    public void Enrol_WeightWithOneDecimalTooMany_RefusedNamingWeight()
    {
        var enrol = new EnrolParticipant(UseCaseDatabase.Blinded);
        var input = new EnrolmentInput("WAW", "F", 1990, 70.25m, Eligible, null);

        var exact = enrol.Check(Investigator, input, _data.NowUtc);
        var tooFine = enrol.Check(Investigator, input with { WeightKg = WithOneDecimalTooMany(70.25m, RecordedDecimals.WeightKg) }, _data.NowUtc);

        Assert.That(exact.IsRefused, Is.False);
        Assert.That(Errors(tooFine), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["weightKg"] = [$"Weight (kg) is recorded with at most {RecordedDecimals.WeightKg} decimal places; got 70.251."],
        }));
    }

    [Test]
    public async Task Infusion_DoseWithOneDecimalTooMany_RefusedNamingTheDose()
    {
        var participant = await _data.EnrolAsync();
        await _data.RecordVisitAsync(participant, "INF1", UseCaseDatabase.Today);
        var record = new RecordInfusion(_data.Db, UseCaseDatabase.OpenLabel);
        var start = UseCaseDatabase.Today.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc);
        var values = new InfusionValues(60m, 0.5m, "IV", start, start.AddMinutes(40), null);

        var exact = await record.CheckAsync(Investigator, participant.Code, "INF1", values, _data.NowUtc);
        var tooFine = await record.CheckAsync(Investigator, participant.Code, "INF1",
            values with { DoseMgPerKg = WithOneDecimalTooMany(0.5m, RecordedDecimals.DoseMgPerKg) }, _data.NowUtc);

        Assert.That(exact.IsRefused, Is.False, exact.Refusal?.Detail);
        Assert.That(Errors(tooFine)?.Keys, Is.EqualTo(new[] { "doseMgPerKg" }));
    }
}
