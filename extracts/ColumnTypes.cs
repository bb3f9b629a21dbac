namespace Trial.Extracts;

/// <summary>The kinds of value a column holds, as the dictionary names them.</summary>
public static class ColumnTypes
{
    public const string Text = "text", Integer = "integer", Number = "number", Date = "date", Instant = "datetime", Boolean = "boolean";
}
