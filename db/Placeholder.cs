namespace Trial; internal static class Placeholderdb { }
