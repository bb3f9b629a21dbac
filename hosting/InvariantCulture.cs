using System.Globalization;

namespace Trial.Hosting;

/// <summary>
/// The processes run with the ICU culture data (SQL Server's client needs it), yet every number, date and text they write
/// must read the same whatever the machine's locale (LANG): a weight is 61.5 in a CSV on a German server too. The invariant
/// culture is set for every thread at start.
/// </summary>
public static class InvariantCulture
{
    public static void Use()
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
    }
}
