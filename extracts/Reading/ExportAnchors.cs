namespace Trial.Extracts.Reading;

/// <summary>
/// The protocol facts the queries need, passed in so the SQL names no visit: the reference visit of study days (INF1).
/// The efficacy endpoints are the protocol file's (efficacy.endpoints), read by the efficacy dataset itself.
/// </summary>
public sealed record ExportAnchors(string DayZeroVisit);
