namespace Trial; internal static class Placeholderbench { }
