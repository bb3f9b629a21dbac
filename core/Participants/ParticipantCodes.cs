using System.Globalization;

namespace Trial.Core.Participants;

/// <summary>A participant's code: the site's code and the participant's number at the site, at least four digits (e.g. WAW-0001).</summary>
public static class ParticipantCodes
{
    public static string Of(string siteCode, int number) => string.Create(CultureInfo.InvariantCulture, $"{siteCode}-{number:0000}");
}
