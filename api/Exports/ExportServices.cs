using Trial.Extracts;

namespace Trial.Api.Exports;

public static class ExportServices
{
    public static IServiceCollection AddExports(this IServiceCollection services) =>
        services.AddSingleton<ExtractCatalog>().AddSingleton<ExportRecording>().AddSingleton<PullExtract>();
}
