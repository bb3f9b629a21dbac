namespace Trial.Core.Protocol;

public static class BlindingLevels
{
    public const string OpenLabel = "open-label";

    /// <summary>Participants, investigators, raters, monitors and the blinded statisticians never see the arm.</summary>
    public const string DoubleBlind = "double-blind";

    public static readonly IReadOnlyList<string> All = [OpenLabel, DoubleBlind];
}
