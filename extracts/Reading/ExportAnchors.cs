namespace Trial.Extracts.Reading;

/// <summary>
/// The protocol facts the queries need, passed in so the SQL names no visit or instrument: the day-0 visit (INF1) and
/// the efficacy scale's instrument and score (the MADRS total).
/// </summary>
public sealed record ExportAnchors(string DayZeroVisit, string EfficacyInstrument, string EfficacyScore);
