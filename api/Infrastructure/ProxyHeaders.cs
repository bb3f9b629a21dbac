using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Bound from the <c>ForwardedHeaders</c> section. Behind a reverse proxy that terminates TLS (docker-compose.yml's Caddy),
/// every request reaches the API over plain HTTP from the proxy's address; with this on, the API takes the caller's address
/// and scheme from the proxy's X-Forwarded-For and X-Forwarded-Proto, so the per-address limit on unauthenticated requests
/// (<see cref="Access.AddressRateLimit"/>) and the refusals' log lines name the real caller. Off by default: an API reached
/// directly (the embedded default) must not believe headers any caller can send.
/// </summary>
public sealed class ProxyHeadersOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Honour X-Forwarded-For and X-Forwarded-Proto (<c>ForwardedHeaders__Enabled</c>).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Addresses of the proxies whose headers are believed (<c>ForwardedHeaders__KnownProxies__0</c>, ...). With neither this
    /// nor <see cref="KnownNetworks"/> set, only a proxy on the loopback address is believed.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. 172.30.0.0/24) whose proxies are believed (<c>ForwardedHeaders__KnownNetworks__0</c>, ...).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row the API looks back through in X-Forwarded-For (<c>ForwardedHeaders__ForwardLimit</c>).</summary>
    public int ForwardLimit { get; set; } = 1;
}

public static class ProxyHeaders
{
    /// <summary>Reads the settings and configures ASP.NET Core's forwarded-headers middleware; returns whether it is on.</summary>
    public static bool AddProxyHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(ProxyHeadersOptions.Section).Get<ProxyHeadersOptions>() ?? new ProxyHeadersOptions();
        if (!settings.Enabled) return false;
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = Math.Max(1, settings.ForwardLimit);
            if (settings.KnownProxies.Length == 0 && settings.KnownNetworks.Length == 0) return;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in settings.KnownProxies) o.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in settings.KnownNetworks) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        return true;
    }
}
