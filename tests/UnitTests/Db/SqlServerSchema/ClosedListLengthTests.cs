using System.Reflection;
using NUnit.Framework;
using Trial.Application.Safety;
using Trial.Core.Access;
using Trial.Core.Instruments;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Core.Safety;
using Trial.Db.Audit;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>
/// Check (b) for the strings that are not typed in but picked from a list: the code's own constants (roles, actions,
/// statuses, source types), the instrument catalogue and the protocols shipped (visit codes, timepoints, arms, strata,
/// rules, routes, versions). The longest of each list must fit every column it is written to.
/// </summary>
public class ClosedListLengthTests
{
    private static readonly ProtocolDefinition[] Protocols = [ProtocolLoader.LoadDefault(), ProtocolLoader.Load(ProtocolLoader.OpenLabelName)];

    private static int Longest(IEnumerable<string> values) => values.Max(v => v.Length);

    /// <summary>The values of a class's public string constants.</summary>
    private static IEnumerable<string> Constants(Type type) => type.GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!);

    private static readonly string[] ProtocolVersionColumns =
    [
        "Participant.ProtocolVersion", "Assessment.ProtocolVersion", "ScheduledVisit.ProtocolVersion", "SafetyAlert.ProtocolVersion",
        "Allocation.ProtocolVersion", "Screening.ProtocolVersion",
    ];

    private static readonly string[] VisitCodeColumns =
    [
        "VisitRecord.VisitCode", "Infusion.VisitCode", "VitalSign.VisitCode", "Assessment.VisitCode", "ScheduledVisit.VisitCode", "SafetyAlert.VisitCode",
        "Preparation.VisitCode", "BlindingGuess.VisitCode",
    ];

    private static StringFlow[] Flows() =>
    [
        new("a role", Longest(Constants(typeof(Roles))), "AppUser.Role", "AuditEvent.Role"),
        // Alerts are reviewed by monitors and admins (the API's alert-reviewer policy); the system raises and updates them.
        new("the role of who changed an alert", Longest([Roles.Monitor, Roles.Admin, Actor.System.Role]), "SafetyAlertEvent.ActorRole"),
        new("an audit action", Longest(Constants(typeof(AuditActions))), "AuditEvent.Action"),
        new("an audited entity", Longest(Constants(typeof(AuditEntities))), "AuditEvent.EntityType"),
        new("an alert history's action", Longest(Constants(typeof(AlertLifecycle))), "SafetyAlertEvent.Action"),
        new("an alert's status", Longest(Constants(typeof(AlertStatuses))), "SafetyAlert.Status", "SafetyAlertEvent.FromStatus", "SafetyAlertEvent.ToStatus"),
        new("an alert's source type", Longest(Constants(typeof(SourceTypes))), "SafetyAlert.SourceType"),
        new("a participant's status", Longest(Constants(typeof(ParticipantStatuses))), "Participant.Status"),
        new("a disposition reason code", Longest(DispositionReasons.All), "Participant.DiscontinuationReasonCode", "Participant.WithdrawalReasonCode"),
        new("an adverse event's severity", Longest(AdverseEventRules.Severities), "AdverseEvent.Severity"),
        new("an adverse event's relatedness", Longest(AdverseEventRules.Relatedness), "AdverseEvent.Relatedness"),
        new("an adverse event's action taken", Longest(AdverseEventRules.ActionsTaken), "AdverseEvent.ActionTaken"),
        new("an adverse event's outcome", Longest(AdverseEventRules.Outcomes), "AdverseEvent.Outcome"),
        new("an adverse event's special interest", Longest(AdverseEventRules.SpecialInterests), "AdverseEvent.SpecialInterest"),
        new("every seriousness criterion, comma-joined", string.Join(",", AdverseEventRules.SeriousCriteria).Length, "AdverseEvent.SeriousCriteria"),
        new("an instrument", Longest(InstrumentCatalog.All.Select(d => d.Code)), "Assessment.Instrument"),
        new("a severity band", Longest(InstrumentCatalog.All.SelectMany(d => d.SeverityBands.Select(b => b.Name))), "Assessment.SeverityBand", "AssessmentRevision.SeverityBand"),
        new("a score's key", Longest(InstrumentCatalog.All.SelectMany(d => d.Scores.Select(s => s.Key))), "AssessmentScore.Name"),
        new("a protocol's version", Longest(Protocols.Select(p => p.Version)), ProtocolVersionColumns),
        new("a visit code", Longest(Protocols.SelectMany(p => p.Visits.Select(v => v.Code))), VisitCodeColumns),
        new("a timepoint", Longest(Protocols.SelectMany(p => p.Timepoints)), "Assessment.Timepoint", "VitalSign.Timepoint"),
        new("a route", Longest(Protocols.SelectMany(p => p.Infusion.Routes)), "Infusion.Route"),
        new("a safety rule", Longest(SafetyEngine.KnownRules.Append(EmergencyUnblinding.AlertRule)), "SafetyAlert.RuleCode"),
        new("an arm", Longest(Protocols.SelectMany(p => p.Design.Arms.Select(a => a.Code))), "Allocation.Arm", "AllocationListEntry.Arm", "Preparation.Arm"),
        // With the longest site code (CreateSite's pattern: up to 10 capital letters).
        new("a stratum", Longest(Protocols.SelectMany(p => Strata.All(p.Design.Randomisation?.Strata ?? new StrataSettings(), [new string('W', 10)]))),
            "RandomisationStratum.Stratum", "AllocationListEntry.Stratum", "Allocation.Stratum"),
    ];

    [Test]
    public void ClosedLists_TheLongestOfEach_FitsEveryColumnItIsWrittenTo()
    {
        var flows = Flows();

        Assert.That(flows.Select(f => f.MaxLength), Has.All.GreaterThan(0), "every list was read");
        Assert.That(LengthCheck.Check(Migrations.Schema, flows), Is.Empty);
    }
}
