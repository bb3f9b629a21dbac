using System.Text.Json.Serialization;
using Hangfire;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Trial.Api.Access;
using Trial.Api.AdverseEvents;
using Trial.Api.Safety;
using Trial.Api.Assessments;
using Trial.Api.Exports;
using Trial.Api.Health;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Api.Visits;
using Trial.Core.Protocol;
using Trial.Db.Infrastructure;
using Trial.Worker.Hosting;

var builder = WebApplication.CreateBuilder(args);

// Per-request Information logs cost CPU on every call; warnings and errors still show.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Logging.AddFilter("Hangfire", LogLevel.Warning);

// Configuration: database, protocol, tokens.
builder.Services.AddSingleton(sp => TrialSetup.DatabaseOptionsFrom(sp.GetRequiredService<IConfiguration>()));
builder.Services.AddSingleton<Database>();
builder.Services.AddSingleton(sp => TrialSetup.LoadProtocol(sp.GetRequiredService<IConfiguration>()));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.Configure<AccessOptions>(builder.Configuration.GetSection("Access"));

// HTTP: problem+json for every error, strict JSON, bearer tokens, OpenAPI.
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ErrorHandling>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.Configure<JsonOptions>(o =>
{
    o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
});
builder.Services.AddAuthentication(BearerAuthentication.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, BearerAuthentication>(BearerAuthentication.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
    .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
    .AddPolicy(Policies.Investigator, p => p.RequireRole(Roles.Investigator))
    .AddPolicy(Policies.AlertReviewer, p => p.RequireRole(Roles.Monitor, Roles.Admin))
    .AddPolicy(Policies.ClinicalReader, p => p.RequireRole(Roles.Investigator, Roles.Monitor, Roles.Admin))
    .AddPolicy(Policies.ExtractReader, p => p.RequireRole(Roles.Statistician, Roles.Admin));
builder.Services.AddTrialOpenApi();

// Background jobs (Hangfire): in-process on the embedded default; enqueue-only when Jobs:RunServer is false.
builder.Services.AddTrialJobs(builder.Configuration, isWorkerProcess: false);
builder.Services.AddSingleton<JobQueue>();
builder.Services.AddExports();

var app = builder.Build();

// Fails start-up with a message naming the problem when the protocol file is broken.
app.Services.GetRequiredService<ProtocolDefinition>();
await TrialSetup.PrepareDatabaseAsync(app);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSwagger();
app.UseSwaggerUI(o => o.SwaggerEndpoint("/swagger/v1/swagger.json", "Trial API v1"));
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapAccess();
app.MapParticipants();
app.MapVisits();
app.MapAssessments();
app.MapSchedules();
app.MapAdverseEvents();
app.MapSafetyAlerts();
app.MapExports();
app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [], IgnoreAntiforgeryToken = true })
    .RequireAuthorization(Policies.Admin);
TrialJobs.RegisterRecurringJobs(app.Services.GetRequiredService<IRecurringJobManager>(), app.Services.GetRequiredService<JobOptions>());

app.Run();

/// <summary>Entry point, public so integration tests can host the real application.</summary>
public partial class Program;
