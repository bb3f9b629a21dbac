namespace Trial.Core.Protocol;

public sealed class ProtocolException(string message) : Exception(message);
