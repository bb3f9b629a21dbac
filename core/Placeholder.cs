namespace Trial.Core; internal static class Placeholder { }
