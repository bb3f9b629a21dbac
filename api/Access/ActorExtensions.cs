using System.Security.Claims;
using Trial.Core.Access;

namespace Trial.Api.Access;

public static class ActorExtensions
{
    /// <summary>The authenticated caller of this request, with the request's id for the audit trail.</summary>
    public static Actor Actor(this HttpContext http) => http.User.Actor() with { RequestId = http.TraceIdentifier };

    /// <summary>The authenticated caller as the write pipeline knows them.</summary>
    public static Actor Actor(this ClaimsPrincipal user) => new(
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!),
        Guid.Parse(user.FindFirstValue(BearerAuthentication.TokenIdClaim)!),
        user.FindFirstValue(ClaimTypes.Name)!,
        user.FindFirstValue(ClaimTypes.Role)!,
        user.FindAll(BearerAuthentication.SiteClaim).Select(c => c.Value).ToList());
}
