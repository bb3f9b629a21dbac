using Microsoft.Kiota.Abstractions.Authentication;

namespace Trial.Client;

/// <summary>
/// A user's own Trial token (from POST /api/v1/tokens) for Kiota's bearer authentication:
/// <c>new BaseBearerTokenAuthenticationProvider(new BearerTokenProvider(token))</c>. The API's tokens are sent as they are,
/// with nothing to refresh. Given hosts, the token goes to those hosts only.
/// </summary>
public sealed class BearerTokenProvider(string token, params string[] allowedHosts) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new(allowedHosts);

    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        // An empty token is Kiota's way of sending no Authorization header.
        Task.FromResult(AllowedHostsValidator.IsUrlHostValid(uri) ? token : string.Empty);
}
