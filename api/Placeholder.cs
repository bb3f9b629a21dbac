namespace Trial; internal static class Placeholderapi { }
