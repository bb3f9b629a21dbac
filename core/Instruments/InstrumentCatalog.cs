namespace Trial.Core.Instruments;

// Temporary stand-in until the instrument definitions land on this branch.
public static class InstrumentCatalog
{
    public static bool TryGet(string code, out string definition)
    {
        definition = code;
        return code is "MADRS" or "BSL23" or "CADSS" or "BPRS" or "ASC5D";
    }
}
