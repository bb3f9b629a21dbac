using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Trial.Api.Assessments;
using Trial.Api.Imports;
using Trial.Api.Participants;
using Trial.Api.Visits;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Serialisation code generated at build time for the requests and responses sites send most (assessments, visits, vital
/// signs), so the hot path neither reflects over them nor builds their metadata at run time. It only supplies metadata: the
/// API's serializer options (camelCase, unknown fields refused) still apply. Other types fall back to reflection.
/// </summary>
[JsonSerializable(typeof(CreateAssessmentRequest))]
[JsonSerializable(typeof(CorrectAssessmentRequest))]
[JsonSerializable(typeof(AssessmentResponse))]
[JsonSerializable(typeof(IReadOnlyList<AssessmentResponse>))]
[JsonSerializable(typeof(RecordVisitRequest))]
[JsonSerializable(typeof(VisitResponse))]
[JsonSerializable(typeof(RecordVitalsRequest))]
[JsonSerializable(typeof(VitalsResponse))]
[JsonSerializable(typeof(ParticipantResponse))]
[JsonSerializable(typeof(ImportAssessmentLine))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
internal sealed partial class TrialJsonContext : JsonSerializerContext;
