using Trial.Application.Randomisation;

namespace Trial.Hosting;

/// <summary>
/// The use cases of the application layer, one class each, for every host: the API's endpoints, the jobs and any tool
/// call the same ones. They hold no state, so one of each serves every request.
/// </summary>
public static class ApplicationServices
{
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        // Randomisation and blinding
        services.AddSingleton<RecordBlindingGuess>();
        return services;
    }
}
