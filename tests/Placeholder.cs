namespace Trial; internal static class Placeholdertests { }
