using Trial.Core.Schedule;
using Trial.Db.Participants;

namespace Trial.Application.Visits;

/// <summary>A visit of a participant's plan as the protocol computes it today, with its record once the visit is recorded (whose version a correction names).</summary>
public sealed record VisitInPlan(ScheduledVisit Visit, VisitRecordRow? Record);
