namespace Trial.Core.Schedule;

public static class VisitStatuses
{
    public const string Scheduled = "scheduled", Done = "done", Missed = "missed";
}
