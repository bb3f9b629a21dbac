namespace Trial.Core.Schedule;

public static class Urgencies
{
    public const string Overdue = "overdue", InWindow = "in-window", Upcoming = "upcoming";
}
