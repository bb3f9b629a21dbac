using System.Globalization;

namespace Trial.Extracts.Writing;

/// <summary>
/// Keeps a spreadsheet from running a cell as a formula (CSV injection): a text cell that begins with =, +, -, @, a tab
/// or a carriage return gets a leading apostrophe, which spreadsheets take as "this is text" and do not show. Numbers
/// (-1.5, +2) are left as they are: they are values, not formulas, and analysis tools must read them as numbers.
/// Free text a site typed (an AE term such as =HYPERLINK(...)) is the case this is for; every text cell goes through it
/// since any column may one day hold text a person typed.
/// </summary>
public static class SpreadsheetSafety
{
    public const string Note =
        "Text cells beginning with =, +, -, @, a tab or a carriage return (and not a number) are written with a leading apostrophe (') so "
        + "that a spreadsheet shows them as text instead of running them as a formula; remove one leading apostrophe from such a cell to get "
        + "the value as entered.";

    public static string? Neutralise(string? cell)
    {
        if (string.IsNullOrEmpty(cell) || !StartsLikeAFormula(cell[0]) || IsNumber(cell)) return cell;
        return "'" + cell;
    }

    private static bool StartsLikeAFormula(char first) => first is '=' or '+' or '-' or '@' or '\t' or '\r';

    private static bool IsNumber(string cell) =>
        decimal.TryParse(cell, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);
}
