using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;

namespace Trial.Application.Randomisation;

/// <summary>
/// A randomisation as made: the participant's randomisation number, the place of their stratum's sequence they took and
/// the arm it gave. Everyone at the site may know the number and the time; only the unblinded may know the arm.
/// </summary>
public sealed record RandomisedParticipant(
    string ParticipantCode, int RandomisationNumber, string Stratum, int SequenceNumber, string Arm, decimal? BaselineMadrsTotal, DateTime RandomisedUtc);

/// <summary>The allocation as the audit trail records it: blinded readers (admins, monitors) read the trail, so never the arm.</summary>
internal sealed record AuditedAllocation(string ParticipantCode, int RandomisationNumber, string Stratum, DateTime RandomisedUtc);

/// <summary>
/// Randomisation: the investigator randomises an eligible participant after baseline and before the first infusion;
/// the next place of the participant's stratum in the concealed sequence gives the arm, which only the unblinded see.
/// </summary>
public sealed class Randomise(Database db, ProtocolDefinition protocol, ConcealedSequence sequence)
{
    /// <summary>A participant the actor may randomise, ready for the write.</summary>
    public sealed record Checked(ParticipantRow Participant);

    /// <summary>What can be decided before the write: that the protocol randomises, the participant and the actor's access.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string code)
    {
        if (protocol.Design.Randomisation is null)
            return new Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} does not randomise: it is a {protocol.Design.Blinding} design without arms to allocate.");
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        return new Checked(participant!);
    }

    /// <summary>
    /// Randomises the participant when their data allows it (eligible, not withdrawn, baseline recorded with a complete MADRS,
    /// nothing prepared or given yet, not randomised before): the stratum's next place, with its audit row.
    /// </summary>
    public async Task<Outcome<RandomisedParticipant>> WriteAsync(WriteScope w, Checked input)
    {
        var randomisation = protocol.Design.Randomisation!;
        var (p, code, now) = (input.Participant, input.Participant.Code, w.NowUtc);
        if (p.Status == ParticipantStatuses.Withdrawn)
            return new Conflict($"{code} was withdrawn from the study on {p.WithdrawnDate:yyyy-MM-dd}; a withdrawn participant is not randomised.");
        var failures = Eligibility.Failures(protocol.Eligibility, new EligibilityAnswers(p.FailedAntidepressantTrials, p.PsychotherapyWithoutResponse,
            p.BpdDiagnosis, p.PsychoticPersonalityOrganisation, p.HighSuicideRisk));
        if (failures.Count > 0)
        {
            return new Conflict($"{code} does not meet the eligibility criteria as recorded, so cannot be randomised: {string.Join(" ", failures.Select(f => f.Message))}",
                new Dictionary<string, object?> { ["criteria"] = failures.Select(f => f.Criterion).ToArray() });
        }

        if (await RandomisationQueries.FindAllocationAsync(w.Session, p.Id) is { } existing)
        {
            return new Conflict($"{code} was already randomised (randomisation number {existing.RandomisationNumber}, {existing.RandomisedUtc:yyyy-MM-dd HH:mm} UTC); a participant is randomised once.",
                new Dictionary<string, object?> { ["randomisationNumber"] = existing.RandomisationNumber });
        }

        // Randomisation comes before the first dose, not before the first visit record: a site may record INF1 and its
        // pre-infusion ratings and vital signs first. Once the pharmacy prepared or an infusion was given, the arm is fixed.
        if ((await RandomisationQueries.DosingStepsAsync(w.Session, p.Id)).FirstOrDefault() is { } dosing)
        {
            return new Conflict($"A{(dosing.Step == "infusion" ? "n" : "")} {dosing.Step} for {code} at {dosing.VisitCode} is already recorded; randomisation comes before " +
                                $"the first preparation or infusion, so {code} can no longer be randomised.",
                new Dictionary<string, object?> { ["recordedStep"] = dosing.Step, ["visitCode"] = dosing.VisitCode });
        }

        var records = await ParticipantQueries.VisitRecordsAsync(w.Session, p.Id);
        var baseline = protocol.Visits.FirstOrDefault(v => v.Kind == VisitKinds.Baseline);
        decimal? baselineMadrs = null;
        if (baseline is not null)
        {
            if (records.All(r => r.VisitCode != baseline.Code))
            {
                return new Conflict($"The baseline visit {baseline.Code} of {code} is not recorded yet; randomise after it (PUT /api/v1/participants/{code}/visits/{baseline.Code}).",
                    new Dictionary<string, object?> { ["missingVisit"] = baseline.Code });
            }

            if (baseline.Schedules("MADRS", null))
            {
                var madrs = await RandomisationQueries.BaselineMadrsAsync(w.Session, p.Id, baseline.Code);
                if (madrs is not { Complete: true, Total: not null })
                {
                    return new Conflict($"{code} needs a complete MADRS at {baseline.Code} before randomisation: its total decides the stratum." +
                                        (madrs is null ? "" : " The MADRS entered has missing items; correct it first."),
                        new Dictionary<string, object?> { ["missingAssessment"] = $"{baseline.Code}/MADRS" });
                }

                baselineMadrs = madrs.Total;
            }
        }

        var stratum = Strata.Of(randomisation.Strata, p.SiteCode, baselineMadrs);
        var number = await RandomisationQueries.TakeRandomisationNumberAsync(w.Session);
        var sequenceNumber = await RandomisationQueries.TakeSequenceNumberAsync(w.Session, stratum);
        var arm = randomisation.Method == RandomisationMethods.PermutedBlocks
            ? sequence.Of(protocol).At(stratum, sequenceNumber).Arm
            : await RandomisationQueries.ListArmAsync(w.Session, stratum, sequenceNumber);
        if (arm is null)
        {
            return new Conflict($"The imported allocation list has no place {sequenceNumber} for stratum {stratum}: the unblinded statistician must import a list that covers it.",
                new Dictionary<string, object?> { ["stratum"] = stratum });
        }

        var row = new AllocationRow
        {
            ParticipantId = p.Id, RandomisationNumber = number, Stratum = stratum, SequenceNumber = sequenceNumber, Arm = arm, Method = randomisation.Method,
            BaselineMadrsTotal = baselineMadrs, RandomisedUtc = now, RandomisedBy = w.Actor.UserId, ProtocolVersion = protocol.Version,
        };
        await RandomisationQueries.InsertAllocationAsync(w.Session, row);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Allocation, code, new AuditedAllocation(code, number, stratum, now), p.SiteCode, code));
        return new RandomisedParticipant(code, number, stratum, sequenceNumber, arm, baselineMadrs, now);
    }
}
