using System.Text.Json.Serialization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Traceway.Hosting;
using Traceway.Models;
using Traceway.Projects;
using Traceway.Storage;
using Traceway.Traces;

namespace Traceway.Sessions;

internal static class SessionEndpoints
{
    private const int DefaultTraceLimit = 100;
    private const int MaxTraceLimit = 500;

    /// <summary>Session queries (scope <c>read</c>), always within the calling key's project.</summary>
    public static RouteGroupBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sessions").RequireScope(Scopes.Read);
        QueryParameter[] paging = [new("limit", "Traces per page: 1-500, default 100.", Microsoft.OpenApi.JsonSchemaType.Integer), new("cursor", "nextCursor of the previous page.")];
        group.MapGet("", ListSessions).WithSummary("List and filter the project's sessions").Documented(SessionFilter.Parameters);
        group.MapGet("/{sessionId}", GetSession).WithSummary("A session: its summary and its traces with spans, in start order").Documented(paging);
        group.MapGet("/{sessionId}/replay", ReplaySession).WithSummary("A session turn by turn").Documented(paging);
        app.MapGet("/api/stats/sessions", GetSessionStats).RequireScope(Scopes.Read)
            .WithSummary("User-journey statistics of the sessions matching the filters").Documented([.. SessionFilter.Parameters.Where(p => p.Name is not ("orderBy" or "order" or "limit" or "cursor"))]);
        return group;
    }

    internal static async Task<Results<Ok<SessionStats>, ValidationProblem>> GetSessionStats(HttpRequest request, ClaimsPrincipal user, SessionReader reader, CancellationToken cancellationToken)
    {
        var (filter, errors) = SessionFilter.Parse(request.Query);
        if (filter is null)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid query parameters");
        }

        var statistics = new SessionStatistics();
        await foreach (var summary in reader.StreamAsync(user.ProjectId(), filter, cancellationToken))
        {
            statistics.Add(summary);
        }

        return TypedResults.Ok(statistics.Result());
    }

    internal static async Task<Results<Ok<Page<SessionView>>, ValidationProblem>> ListSessions(HttpRequest request, ClaimsPrincipal user, SessionReader reader, CancellationToken cancellationToken)
    {
        var (filter, errors) = SessionFilter.Parse(request.Query);
        if (filter is null)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid query parameters");
        }

        var (page, cursorError) = await reader.ListAsync(user.ProjectId(), filter, request.Query["cursor"], cancellationToken);
        return page is null ? CursorProblem(cursorError!) : TypedResults.Ok(page);
    }

    internal static async Task<Results<Ok<SessionDetail>, ValidationProblem, ProblemHttpResult>> GetSession(
        string sessionId, HttpContext context, ClaimsPrincipal user, SessionReader reader, CancellationToken cancellationToken)
    {
        sessionId = RawRouteValues.Exact(context, nameof(sessionId), sessionId);
        var (session, traces, problem) = await ReadSessionAsync(sessionId, context.Request, user.ProjectId(), reader, cancellationToken);
        return problem switch
        {
            ValidationProblem invalid => invalid,
            ProblemHttpResult missing => missing,
            _ => TypedResults.Ok(new SessionDetail(session!, traces!.Items, traces.NextCursor)),
        };
    }

    internal static async Task<Results<Ok<SessionReplay>, ValidationProblem, ProblemHttpResult>> ReplaySession(
        string sessionId, HttpContext context, ClaimsPrincipal user, SessionReader reader, ModelCatalog models, CancellationToken cancellationToken)
    {
        sessionId = RawRouteValues.Exact(context, nameof(sessionId), sessionId);
        var (session, traces, problem) = await ReadSessionAsync(sessionId, context.Request, user.ProjectId(), reader, cancellationToken);
        return problem switch
        {
            ValidationProblem invalid => invalid,
            ProblemHttpResult missing => missing,
            _ => TypedResults.Ok(new SessionReplay(session!, [.. traces!.Items.Select(t => Replay.ToTurn(t, models))], traces.NextCursor)),
        };
    }

    private static async Task<(SessionView? Session, Page<TraceView>? Traces, IResult? Problem)> ReadSessionAsync(
        string sessionId, HttpRequest request, string projectId, SessionReader reader, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var limit = QueryValues.Limit(request.Query, DefaultTraceLimit, MaxTraceLimit, errors);
        if (errors.Count > 0)
        {
            return (null, null, TypedResults.ValidationProblem(errors, title: "Invalid query parameters"));
        }

        if (await reader.FindSummaryAsync(projectId, sessionId, cancellationToken) is not { } summary)
        {
            return (null, null, TypedResults.Problem(statusCode: 404, title: "Session not found", detail: $"This project has no session '{sessionId}'."));
        }

        var (traces, cursorError) = await reader.TracesAsync(projectId, sessionId, limit, request.Query["cursor"], cancellationToken);
        return traces is null ? (null, null, CursorProblem(cursorError!)) : (SessionView.From(summary), traces, null);
    }

    private static ValidationProblem CursorProblem(string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [error] }, title: "Invalid cursor");

    internal sealed record SessionDetail(SessionView Session, IReadOnlyList<TraceView> Traces, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? NextCursor);

    internal sealed record SessionReplay(SessionView Session, IReadOnlyList<Turn> Turns, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? NextCursor);
}

internal static class SessionRegistration
{
    public static IServiceCollection AddSessions(this IServiceCollection services) => services.AddSingleton<SessionReader>();
}
