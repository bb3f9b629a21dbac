using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Trial.Application.Access;
using Trial.Application.AdverseEvents;
using Trial.Application.Assessments;
using Trial.Application.Audit;
using Trial.Application.Coding;
using Trial.Application.ConcomitantMedications;
using Trial.Application.Health;
using Trial.Application.Participants;
using Trial.Application.Randomisation;
using Trial.Application.Reports;
using Trial.Application.Safety;
using Trial.Application.Schedules;
using Trial.Application.Screening;
using Trial.Application.Visits;

namespace Trial.Hosting;

/// <summary>
/// The use cases of the application layer, one class each, for every host: the API's endpoints, the jobs and any tool
/// call the same ones. They hold no state, so one of each serves every request.
/// </summary>
public static class ApplicationServices
{
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        AddParticipantsAndVisits(services);
        AddRandomisationAndSafety(services);
        AddAccessAndAudit(services);
        return services;
    }

    // Participants, visits, infusions, vital signs, assessments, schedules.
    private static void AddParticipantsAndVisits(IServiceCollection services)
    {
        services.AddSingleton<RecordScreening>();
        services.AddSingleton<ReadScreenings>();
        services.AddSingleton<EnrolParticipant>();
        services.AddSingleton<ReadParticipants>();
        services.AddSingleton<WithdrawParticipant>();
        services.AddSingleton<DiscontinueInfusions>();
        services.AddSingleton<ListVisitsDue>();
        services.AddSingleton<RebuildSchedule>();
        services.AddSingleton<ReadVisitPlan>();
        services.AddSingleton<RecordVisit>();
        services.AddSingleton<RecordInfusion>();
        services.AddSingleton<ReadInfusion>();
        services.AddSingleton<CorrectInfusion>();
        services.AddSingleton<RecordVitals>();
        services.AddSingleton<ReadVitals>();
        services.AddSingleton<CorrectVitals>();
        services.AddSingleton<EnterAssessment>();
        services.AddSingleton<CorrectAssessment>();
        services.AddSingleton<ReadAssessments>();
    }

    // Randomisation, preparation, unblinding, blinding guesses, reports, adverse events, safety evaluation and the alert life cycle.
    private static void AddRandomisationAndSafety(IServiceCollection services)
    {
        // A host that resolves the study's secret (the API) replaces this: without it, no sequence can be generated here.
        services.TryAddSingleton(ConcealedSequence.None);
        services.AddSingleton<Randomise>();
        services.AddSingleton<ReadAllocations>();
        services.AddSingleton<ReadAllocationSequence>();
        services.AddSingleton<ImportAllocationList>();
        services.AddSingleton<RecordPreparation>();
        services.AddSingleton<UnblindParticipant>();
        services.AddSingleton<RecordBlindingGuess>();
        services.AddSingleton<ReadBlindingIndex>();
        services.AddSingleton<PullDmcReport>();
        services.AddSingleton<PullConsortReport>();
        services.AddSingleton<RecordAdverseEvent>();
        services.AddSingleton<UpdateAdverseEvent>();
        services.AddSingleton<ReadAdverseEvents>();
        services.AddSingleton<LoadDictionary>();
        services.AddSingleton<CodeAdverseEvent>();
        services.AddSingleton<ReadCoding>();
        services.AddSingleton<RecordConcomitantMedication>();
        services.AddSingleton<CorrectConcomitantMedication>();
        services.AddSingleton<ReadConcomitantMedications>();
        services.AddSingleton<ReadSafetyAlerts>();
        services.AddSingleton<ReviewSafetyAlert>();
        services.AddSingleton<EvaluateSafety>();
    }

    // Sites, users and tokens, the audit trail, health.
    private static void AddAccessAndAudit(IServiceCollection services)
    {
        // As bound from the Access and Sites sections by the host that configures them; their defaults elsewhere.
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AccessOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SiteOptions>>().Value);
        services.AddSingleton<CreateSite>();
        services.AddSingleton<ListSites>();
        services.AddSingleton<CreateUser>();
        services.AddSingleton<ListUsers>();
        services.AddSingleton<ChangeAccess>();
        services.AddSingleton<ApproveAccess>();
        services.AddSingleton<IssueActivationCode>();
        services.AddSingleton<Activate>();
        services.AddSingleton<ListOwnTokens>();
        services.AddSingleton<RevokeUserTokens>();
        services.AddSingleton<RevokeOwnToken>();
        services.AddSingleton<BootstrapAdmin>();
        services.AddSingleton<RecordDeniedAccess>();
        services.AddSingleton<ReadAuditTrail>();
        services.AddSingleton<VerifyAuditTrail>();
        services.AddSingleton<WriteAuditAnchor>();
        services.AddSingleton<ReadParticipantHistory>();
        services.AddSingleton<CheckReadiness>();
    }
}
