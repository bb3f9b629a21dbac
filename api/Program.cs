using System.Text.Json.Serialization;
using Hangfire;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Trial.Api.Access;
using Trial.Api.AdverseEvents;
using Trial.Api.Assessments;
using Trial.Api.Audit;
using Trial.Api.Coding;
using Trial.Api.ConcomitantMedications;
using Trial.Api.Exports;
using Trial.Api.Health;
using Trial.Api.Imports;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Api.Randomisation;
using Trial.Api.Reports;
using Trial.Api.Safety;
using Trial.Api.Screening;
using Trial.Api.Visits;
using Trial.Application.Access;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Hosting;

InvariantCulture.Use();
var builder = WebApplication.CreateBuilder(args);

// Request limits: a body larger than any real form is refused (413) before it is read, and a client that sends too slowly
// is cut off by Kestrel's minimum data rate.
var limits = builder.Configuration.GetSection("Limits").Get<RequestLimits>() ?? new RequestLimits();
builder.WebHost.ConfigureKestrel(k =>
{
    k.Limits.MaxRequestBodySize = limits.MaxRequestBodyKilobytes * 1024L;
    k.Limits.MinRequestBodyDataRate = new MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(limits.MinRequestBodyGraceSeconds));
});

// Per-request Information logs cost CPU on every call; warnings and errors still show.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Logging.AddFilter("Hangfire", LogLevel.Warning);
// The host's own report of a failed start is a stack trace; the failure itself still surfaces (below: one line for a port
// in use; anything else as the unhandled exception it is).
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);

// The database, protocol, clock and background jobs (Hangfire): shared with the worker. Jobs run in-process on the
// embedded default; the API only enqueues when Jobs:RunServer is false.
builder.Services.AddTrial(builder.Configuration, isWorkerProcess: false);

// Access: tokens, sites, request limits; the one write path (audit, idempotency, derived work).
// Bound at start, so that a malformed setting (an approver that is not a user id) stops the start instead of every request.
builder.Services.AddOptions<AccessOptions>().Bind(builder.Configuration.GetSection("Access")).ValidateOnStart();
builder.Services.Configure<SiteOptions>(builder.Configuration.GetSection("Sites"));
builder.Services.Configure<RateLimitOptions>(builder.Configuration.GetSection("RateLimit"));
builder.Services.AddSingleton<TokenCache>();
builder.Services.AddSingleton<DeniedAccess>();
builder.Services.AddSingleton<TokenRateLimit>();
builder.Services.AddSingleton<AddressRateLimit>();
builder.Services.AddSingleton<KeyedLocks>();
builder.Services.AddSingleton<IdempotentWrites>();
builder.Services.AddSingleton<Idempotency>();
// Imports: a larger body limit of their own, and how many rows an atomic import may hold.
builder.Services.Configure<ImportOptions>(builder.Configuration.GetSection("Imports"));

// Randomisation: the secret the concealed allocation sequence is generated from (configured, or made once and kept owner-only).
builder.Services.AddRandomisation(builder.Configuration);

// HTTP: problem+json for every error, strict JSON, bearer tokens, OpenAPI.
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ErrorHandling>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.Configure<JsonOptions>(o =>
{
    o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, TrialJsonContext.Default);
    o.SerializerOptions.Converters.Add(new AcceptedDateOnlyConverter());
    o.SerializerOptions.Converters.Add(new AcceptedDateTimeConverter());
});
builder.Services.AddAuthentication(BearerAuthentication.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, BearerAuthentication>(BearerAuthentication.SchemeName, null);
// The policies that let a role see arms also require that a second person approved the user's access (ArmAccess.cs).
builder.Services.AddSingleton<IAuthorizationHandler, ArmAccessApprovedHandler>();
builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ArmAccessResultHandler>();
builder.Services.AddAuthorizationBuilder()
    .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
    .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
    .AddPolicy(Policies.Investigator, p => p.RequireRole(Roles.Investigator))
    .AddPolicy(Policies.AlertReviewer, p => p.RequireRole(Roles.Monitor, Roles.Admin))
    .AddPolicy(Policies.ClinicalReader, p => p.RequireRole(Roles.Investigator, Roles.Monitor, Roles.Admin))
    .AddPolicy(Policies.AuditReader, p => p.RequireRole(Roles.Monitor, Roles.Admin))
    .AddPolicy(Policies.ExtractReader, p => p.RequireRole(Roles.Statistician, Roles.UnblindedStatistician, Roles.Admin).AddRequirements(ArmAccessApproved.Requirement))
    .AddPolicy(Policies.Pharmacist, p => p.RequireRole(Roles.Pharmacist).AddRequirements(ArmAccessApproved.Requirement))
    .AddPolicy(Policies.UnblindedStatistician, p => p.RequireRole(Roles.UnblindedStatistician).AddRequirements(ArmAccessApproved.Requirement))
    .AddPolicy(Policies.AllocationReader, p => p.RequireRole(Roles.Pharmacist, Roles.UnblindedStatistician).AddRequirements(ArmAccessApproved.Requirement))
    .AddPolicy(Policies.DmcOpenReader, p => p.RequireRole(Roles.UnblindedStatistician, Roles.Admin, Roles.Monitor))
    .AddPolicy(Policies.Coding, p => p.RequireRole(Roles.Coder, Roles.Admin));
builder.Services.AddTrialOpenApi();
// Behind a TLS-terminating proxy: the caller's address and scheme from X-Forwarded-For/-Proto, when configured (off by default).
var behindProxy = builder.Services.AddProxyHeaders(builder.Configuration);
builder.Services.AddExports();

var app = builder.Build();

// Fails start-up with a message naming the problem when the protocol file is broken.
app.Services.GetRequiredService<ProtocolDefinition>();
await TrialSetup.PrepareDatabaseAsync(app);
// Fails start-up when a randomising protocol has no usable secret; makes and keeps one on the embedded default.
app.Services.GetRequiredService<RandomisationSecret>();

// First, so that everything after it (the limits per address, the logs of refusals) sees the caller, not the proxy.
if (behindProxy) app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages(ErrorHandling.StatusCodePageAsync);
app.UseSwagger();
app.UseSwaggerUI(o => o.SwaggerEndpoint("/swagger/v1/swagger.json", "Trial API v1"));
// Callers without a valid token are limited per address before anything is looked up; refusals (401, 403) are
// logged and audited; then who is calling, how often, and whether they may.
app.Use((http, next) => app.Services.GetRequiredService<AddressRateLimit>().InvokeAsync(http, next));
app.Use((http, next) => app.Services.GetRequiredService<DeniedAccess>().InvokeAsync(http, next));
app.UseAuthentication();
app.Use((http, next) => app.Services.GetRequiredService<TokenRateLimit>().InvokeAsync(http, next));
app.UseAuthorization();
app.Use((http, next) => app.Services.GetRequiredService<Idempotency>().InvokeAsync(http, next));

app.MapHealth();
app.MapAccess();
app.MapParticipants();
app.MapScreenings();
app.MapVisits();
app.MapAssessments();
app.MapImports();
app.MapOdmImport();
app.MapSchedules();
app.MapAdverseEvents();
app.MapCoding();
app.MapConcomitantMedications();
app.MapSafetyAlerts();
app.MapAudit();
app.MapExports();
app.MapRandomisation();
app.MapPreparations();
app.MapUnblinding();
app.MapBlindingGuesses();
app.MapReports();
app.MapDmcReports();
app.MapConsortReport();
// Read-only: deleting or triggering a job there (the SAE clock, the sweeps) would change the study's background work
// without an audit row. The jobs are the system's own; nobody needs to change them by hand.
// Prometheus scrapes here with an admin's token; not part of the study's API, so not in the OpenAPI document
// (docs/operations.md).
app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Policies.Admin).ExcludeFromDescription();
app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [], IgnoreAntiforgeryToken = true, IsReadOnlyFunc = _ => true })
    .RequireAuthorization(Policies.Admin);
TrialJobs.RegisterRecurringJobs(app.Services.GetRequiredService<IRecurringJobManager>(), app.Services.GetRequiredService<JobOptions>(),
    app.Services.GetRequiredService<Trial.Hosting.Audit.AuditOptions>());

try
{
    app.Run();
}
catch (IOException bind) when (bind.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse }
                               || bind.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    // Another process (often a first API) holds the port: one line that says what to do, not a stack trace.
    Console.Error.WriteLine($"The API cannot listen: {bind.Message} Stop the other process, or choose another address with --urls (e.g. --urls http://localhost:5001).");
    Environment.ExitCode = 1;
}

/// <summary>Entry point, public so integration tests can host the real application.</summary>
public partial class Program;

