using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Trial.Hosting;

/// <summary>
/// OpenTelemetry for the API and the worker: metrics of ASP.NET Core, HttpClient, the SQL client, the .NET runtime's own
/// meters and the study's (<see cref="TrialMetrics"/>, <see cref="WorkerMetrics"/>); traces of the same requests and queries.
/// The API serves the metrics to Prometheus at <c>/metrics</c> (admins only); with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, both
/// hosts also push metrics and traces there by OTLP (the worker has no HTTP endpoint, so that is how its metrics leave it).
/// Without an OTLP endpoint no trace is recorded at all.
/// </summary>
public static class Telemetry
{
    /// <summary>The standard OpenTelemetry variable naming the collector; its siblings (protocol, headers) are read by the exporter.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddTrialTelemetry(this IServiceCollection services, IConfiguration configuration, bool isWorkerProcess)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
        var prometheus = !isWorkerProcess;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName: isWorkerProcess ? "trial-worker" : "trial-api"))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddSqlClientInstrumentation()
                    .AddMeter(TrialMetrics.MeterName, WorkerMetrics.MeterName, "System.Runtime");
                if (prometheus) m.AddPrometheusExporter();
                if (otlp) m.AddOtlpExporter();
            });
        if (otlp)
        {
            telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddSqlClientInstrumentation()
                .AddOtlpExporter());
        }
        return services;
    }
}
