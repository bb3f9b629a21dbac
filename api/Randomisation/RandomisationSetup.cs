using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Trial.Core.Protocol;
using Trial.Db.Infrastructure;

namespace Trial.Api.Randomisation;

public static class RandomisationSetup
{
    public static IServiceCollection AddRandomisation(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RandomisationOptions>(configuration.GetSection("Randomisation"));
        services.AddSingleton(sp => RandomisationSecret.Resolve(
            sp.GetRequiredService<IOptions<RandomisationOptions>>().Value.Secret,
            sp.GetRequiredService<ProtocolDefinition>(),
            sp.GetRequiredService<DatabaseOptions>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RandomisationSecret).FullName!)));
        // The use cases that allocate from the generated sequence, or regenerate it for audit, take it from this secret.
        services.Replace(ServiceDescriptor.Singleton(sp => sp.GetRequiredService<RandomisationSecret>().Sequences));
        return services;
    }
}
