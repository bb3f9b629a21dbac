namespace Trial.Core.Participants;

public static class ParticipantStatuses
{
    public const string Enrolled = "enrolled", Withdrawn = "withdrawn", Completed = "completed";
}
