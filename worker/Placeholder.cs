namespace Trial; internal static class Placeholderworker { }
