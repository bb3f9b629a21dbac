using System.Reflection;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Application;
using Trial.Application.Access;
using Trial.Application.AdverseEvents;
using Trial.Application.Coding;
using Trial.Application.ConcomitantMedications;
using Trial.Application.Participants;
using Trial.Application.Randomisation;
using Trial.Application.Safety;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Tests.Application;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>Check (b): every string the system accepts fits every column it is written to, on SQL Server, which enforces lengths.</summary>
public class LengthTests
{
    /// <summary>The longest role there is, so a message that names the actor's role is as long as it can be.</summary>
    private static readonly string LongestRole = typeof(Roles).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).MaxBy(r => r.Length)!;

    /// <summary>The UNBLINDED alert's message at its longest: the longest site code and a five-digit number, name, role and reason.</summary>
    private static readonly string LongestUnblindedMessage = UnblindParticipant.AlertMessage(
        ParticipantCodes.Of(new string('W', 10), 99_999), new Actor(Guid.Empty, Guid.Empty, new string('N', CreateUser.MaxNameLength), LongestRole, []),
        DateTime.MaxValue, new string('r', DataEntry.MaxReasonLength));

    /// <summary>
    /// The free-text strings the API accepts (and the texts made from them), their longest, and where each is written.
    /// The other strings are closed lists (roles, statuses, sexes, severities, reason codes, arms) or come from the
    /// protocol and the instrument catalogue (visit codes, timepoints, instruments), not from a request.
    /// </summary>
    private static readonly StringFlow[] Flows =
    [
        new("a reason (for a correction, a discontinuation, a withdrawal, a screening, an unblinding)", DataEntry.MaxReasonLength,
            "Participant.DiscontinuationReason", "Participant.WithdrawalReason", "AssessmentRevision.Reason", "Screening.Reason", "Unblinding.Reason", "AuditEvent.Reason"),
        new("a monitor's comment on an alert, or reason for escalating it", ReviewSafetyAlert.MaxCommentLength, "SafetyAlertEvent.Comment", "AuditEvent.Reason"),
        new("the UNBLINDED alert's message, which quotes the reason", LongestUnblindedMessage.Length, "SafetyAlert.Message", "SafetyAlertEvent.Comment"),
        new("an alert history's note of the message an update replaced", ("Was: " + LongestUnblindedMessage).Length, "SafetyAlertEvent.Comment"),
        new("a user's name", CreateUser.MaxNameLength, "AppUser.Name", "AuditEvent.UserName"),
        new("a site's name", CreateSite.MaxNameLength, "Site.Name"),
        // The site code pattern of CreateSite: 2 to 10 capital letters.
        new("a site's code", 10, "Site.Code", "UserSite.SiteCode", "Participant.SiteCode", "Screening.SiteCode", "AuditEvent.SiteCode"),
        new("a site's time zone", SiteTimeZones.MaxIdLength, "Site.TimeZone"),
        new("an adverse event's verbatim term", RecordAdverseEvent.MaxTermLength, "AdverseEvent.Term", "AdverseEvent.CodedVerbatim"),
        new("an adverse event's coded term", RecordAdverseEvent.MaxCodedTermLength, "AdverseEvent.CodedTerm"),
        new("a medication's name", RecordConcomitantMedication.MaxNameLength, "ConcomitantMedication.Name"),
        new("a medication's dose", RecordConcomitantMedication.MaxDoseLength, "ConcomitantMedication.Dose"),
        new("a medication's route", RecordConcomitantMedication.MaxRouteLength, "ConcomitantMedication.Route"),
        new("a medication's indication", RecordConcomitantMedication.MaxIndicationLength, "ConcomitantMedication.Indication"),
        new("a dictionary's name", LoadDictionary.MaxNameLength, "CodingDictionary.Name"),
        new("a dictionary's version", LoadDictionary.MaxVersionLength, "CodingDictionary.Version"),
        new("a dictionary's code", DictionaryFiles.MaxCodeLength, "CodingTerm.TermCode", "CodingTerm.PreferredTermCode", "CodingTerm.SocCode", "AdverseEvent.CodingTermCode"),
        new("a dictionary's term", DictionaryFiles.MaxTermLength, "CodingTerm.Term", "CodingTerm.PreferredTerm", "CodingTerm.Soc"),
        // An infusion names a preparation that was recorded (the write refuses any other label).
        new("a preparation's label", RecordPreparation.MaxLabelLength, "Preparation.PreparationId", "Infusion.PreparationId"),
        // Idempotency.MaxKeyLength of the API host (which these tests do not reference) refuses a longer key.
        new("an Idempotency-Key", 200, "IdempotentResponse.IdempotencyKey"),
        // RecordDeniedAccess cuts what was asked for to 100 characters before it is audited.
        new("what a denied request asked for", 100, "AuditEvent.EntityId"),
    ];

    [Test]
    public void Flows_EveryStringAccepted_FitsEveryColumnItIsWrittenTo()
    {
        var findings = LengthCheck.Check(Migrations.Schema, Flows);

        Assert.That(LongestUnblindedMessage, Has.Length.GreaterThan(DataEntry.MaxReasonLength), "the message quotes the whole reason");
        Assert.That(findings, Is.Empty);
    }

    [Test]
    public void Flows_BeforeTheAlertTextWasUnbounded_ReportTheUnblindingMessageThatFailedOnSqlServer()
    {
        var before = Migrations.Up(name => string.CompareOrdinal(name, "2026-12-05_17") < 0);

        var findings = LengthCheck.Check(before, Flows);

        var length = LongestUnblindedMessage.Length;
        Assert.That(findings, Is.EqualTo(new[]
        {
            $"the UNBLINDED alert's message, which quotes the reason ({length} characters) does not fit SafetyAlert.Message NVARCHAR(1000)",
            $"the UNBLINDED alert's message, which quotes the reason ({length} characters) does not fit SafetyAlertEvent.Comment NVARCHAR(2000)",
            $"an alert history's note of the message an update replaced ({length + 5} characters) does not fit SafetyAlertEvent.Comment NVARCHAR(2000)",
        }));
    }

    [Test]
    public void JsonColumns_AreUnbounded()
    {
        var findings = LengthCheck.CheckJson(Migrations.Schema, ["AuditEvent.OldValue", "AuditEvent.NewValue", "IdempotentResponse.Body"], new Dictionary<string, int>());

        Assert.That(Migrations.Schema.Columns.Count(c => c.Name.EndsWith("Json", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(3), "the check saw the JSON columns");
        Assert.That(findings, Is.Empty);
    }

    [Test]
    public void Check_A2000CharacterReasonCopiedIntoAMessageOf100_ReportsExactlyThatColumn()
    {
        var schema = SchemaModel.FromScripts([
            "CREATE TABLE Alert (Id UNIQUEIDENTIFIER NOT NULL, Message NVARCHAR(100) NOT NULL, Note NVARCHAR(MAX) NULL);",
            "CREATE TABLE Request (Reason NVARCHAR(2000) NOT NULL);",
        ]);

        var findings = LengthCheck.Check(schema, [new StringFlow("a reason", 2000, "Request.Reason", "Alert.Message", "Alert.Note")]);

        Assert.That(findings, Is.EqualTo(new[] { "a reason (2000 characters) does not fit Alert.Message NVARCHAR(100)" }));
    }

    [Test]
    public void CheckJson_AJsonColumnOf2000WithoutABoundShown_IsReported()
    {
        var schema = SchemaModel.FromScripts([
            "CREATE TABLE Alert (ValuesJson NVARCHAR(2000) NOT NULL, ItemsJson NVARCHAR(4000) NOT NULL, Body NVARCHAR(500) NULL, OldValue NVARCHAR(MAX) NULL);",
        ]);

        var findings = LengthCheck.CheckJson(schema, ["Alert.Body", "Alert.OldValue"], new Dictionary<string, int> { ["Alert.ItemsJson"] = 3000 });

        Assert.That(findings, Is.EquivalentTo(new[]
        {
            "Alert.ValuesJson NVARCHAR(2000) holds JSON: make it NVARCHAR(MAX) or show the longest JSON it is given fits",
            "Alert.Body NVARCHAR(500) holds JSON: make it NVARCHAR(MAX) or show the longest JSON it is given fits",
        }));
    }
}

/// <summary>
/// The fix, shown on a real write: an emergency unblinding with the longest reason accepted, by an investigator with the
/// longest name, stored on SQLite, then every value stored held against the SQL Server schema's lengths.
/// </summary>
public class LongestUnblindingTests
{
    private UseCaseDatabase _data = null!;
    private Unblinded _unblinded = null!;
    private string _reason = null!;

    [OneTimeSetUp]
    public async Task UnblindAsync()
    {
        _data = await UseCaseDatabase.CreateAsync();
        var participant = await _data.EnrolAsync();
        await _data.RandomiseAsync(participant);
        var investigator = new Actor(Guid.NewGuid(), Guid.NewGuid(), new string('N', CreateUser.MaxNameLength), Roles.Investigator, ["WAW"]);
        // Clinical words, some outside ASCII, cut to the longest reason accepted; no space at the end, which would be trimmed.
        var words = string.Concat(Enumerable.Repeat("Wstrząs anafilaktyczny po wlewie; leczenie zależy od leku. ", 50));
        _reason = words[..(DataEntry.MaxReasonLength - 1)].TrimEnd().PadRight(DataEntry.MaxReasonLength, '.');
        var unblinding = new UnblindParticipant(_data.Db, UseCaseDatabase.Blinded);

        var checkedRequest = await unblinding.CheckAsync(investigator, participant.Code, _reason);
        Assert.That(checkedRequest.IsRefused, Is.False, "the longest reason is accepted");
        _unblinded = (await _data.Db.RunAsync(investigator, UseCaseDatabase.Now, w => unblinding.WriteAsync(w, checkedRequest.Value!))).Value!;
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _data.DisposeAsync();

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_data.Db.ConnectionString);
        connection.Open();
        return connection;
    }

    [Test]
    public void Unblind_LongestReason_TheArmIsGivenAndEveryValueStoredFitsItsSqlServerColumn()
    {
        using var connection = Open();

        var findings = StoredValuesCheck.Check(Migrations.Schema, connection);

        Assert.That(_reason, Has.Length.EqualTo(DataEntry.MaxReasonLength));
        Assert.That(_unblinded.Arm, Is.Not.Empty);
        Assert.That(findings, Is.Empty);
    }

    [Test]
    public void Unblind_LongestReason_OnTheSchemaBeforeTheFix_OverflowsTheAlertsMessageAndItsHistorysComment()
    {
        using var connection = Open();
        var before = Migrations.Up(name => string.CompareOrdinal(name, "2026-12-05_17") < 0);

        var findings = StoredValuesCheck.Check(before, connection);

        Assert.That(findings, Has.Count.EqualTo(2));
        Assert.That(findings[0], Does.StartWith("SafetyAlert.Message holds a value of ").And.EndWith("NVARCHAR(1000) holds 1000"));
        Assert.That(findings[1], Does.StartWith("SafetyAlertEvent.Comment holds a value of ").And.EndWith("NVARCHAR(2000) holds 2000"));
    }
}
