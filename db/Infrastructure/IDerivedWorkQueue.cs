namespace Trial.Db.Infrastructure;

/// <summary>
/// Background work a committed write makes necessary. The write scope has already recorded it in the
/// database (the participant's version markers), so the recurring sweeps redo it if this signal is lost.
/// </summary>
public interface IDerivedWorkQueue
{
    void SafetyDataChanged(Guid participantId);

    void ScheduleDataChanged(Guid participantId);
}
