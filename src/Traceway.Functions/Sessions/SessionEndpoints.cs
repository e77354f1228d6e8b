using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Traceway.Hosting;
using Traceway.Models;
using Traceway.Projects;
using Traceway.Rollups;
using Traceway.Storage;
using Traceway.Traces;

namespace Traceway.Sessions;

internal static class SessionEndpoints
{
    /// <summary>Session queries (scope <c>read</c>), always within the calling key's project.</summary>
    public static RouteGroupBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sessions").RequireScope(Scopes.Read);
        group.MapGet("", ListSessions).WithSummary("List and filter the project's sessions");
        group.MapGet("/{sessionId}", GetSession).WithSummary("A session: its summary and its traces with spans, in start order");
        group.MapGet("/{sessionId}/replay", ReplaySession).WithSummary("A session turn by turn");
        app.MapGet("/api/stats/sessions", GetSessionStats).RequireScope(Scopes.Read)
            .WithSummary("User-journey statistics of the sessions matching the filters");
        return group;
    }

    internal static async Task<Results<Ok<SessionStats>, ValidationProblem>> GetSessionStats(
        Query<SessionFilter> query, ClaimsPrincipal user, SessionReader reader, CancellationToken cancellationToken)
    {
        if (!query.IsValid(out var filter, out var problem))
        {
            return problem;
        }

        var statistics = new SessionStatistics();
        await foreach (var summary in reader.StreamAsync(user.ProjectId(), filter, cancellationToken))
        {
            statistics.Add(summary);
        }

        return TypedResults.Ok(statistics.Result());
    }

    internal static async Task<Results<Ok<Page<SessionView>>, ValidationProblem>> ListSessions(
        Query<SessionListQuery> query, ClaimsPrincipal user, SessionReader reader, CancellationToken cancellationToken)
    {
        if (!query.IsValid(out var parameters, out var problem))
        {
            return problem;
        }

        var (page, cursorError) = await reader.ListAsync(user.ProjectId(), parameters, cancellationToken);
        return page is null ? CursorProblem(cursorError!) : TypedResults.Ok(page);
    }

    internal static async Task<Results<Ok<SessionDetail>, ValidationProblem, ProblemHttpResult>> GetSession(
        string sessionId, Query<SessionPageQuery> query, HttpContext context, ClaimsPrincipal user, SessionReader reader, CancellationToken cancellationToken)
    {
        sessionId = RawRouteValues.Exact(context, nameof(sessionId), sessionId);
        var (session, traces, problem) = await ReadSessionAsync(sessionId, query, user.ProjectId(), reader, cancellationToken);
        return problem switch
        {
            ValidationProblem invalid => invalid,
            ProblemHttpResult missing => missing,
            _ => TypedResults.Ok(new SessionDetail(session!, traces!.Items, traces.NextCursor)),
        };
    }

    internal static async Task<Results<Ok<SessionReplay>, ValidationProblem, ProblemHttpResult>> ReplaySession(
        string sessionId, Query<SessionPageQuery> query, HttpContext context, ClaimsPrincipal user, SessionReader reader, ModelCatalog models, CancellationToken cancellationToken)
    {
        sessionId = RawRouteValues.Exact(context, nameof(sessionId), sessionId);
        var (session, traces, problem) = await ReadSessionAsync(sessionId, query, user.ProjectId(), reader, cancellationToken);
        return problem switch
        {
            ValidationProblem invalid => invalid,
            ProblemHttpResult missing => missing,
            _ => TypedResults.Ok(new SessionReplay(session!, [.. traces!.Items.Select(t => Replay.ToTurn(t, models))], traces.NextCursor)),
        };
    }

    private static async Task<(SessionView? Session, Page<TraceView>? Traces, IResult? Problem)> ReadSessionAsync(
        string sessionId, Query<SessionPageQuery> query, string projectId, SessionReader reader, CancellationToken cancellationToken)
    {
        if (!query.IsValid(out var paging, out var invalid))
        {
            return (null, null, invalid);
        }

        if (await reader.FindSummaryAsync(projectId, sessionId, cancellationToken) is not { } summary)
        {
            return (null, null, TypedResults.Problem(statusCode: 404, title: "Session not found", detail: $"This project has no session '{sessionId}'."));
        }

        var (traces, cursorError) = await reader.TracesAsync(projectId, sessionId, paging, cancellationToken);
        return traces is null ? (null, null, CursorProblem(cursorError!)) : (summary, traces, null);
    }

    private static ValidationProblem CursorProblem(string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [error] }, title: "Invalid cursor");

    internal sealed record SessionDetail(SessionView Session, IReadOnlyList<TraceView> Traces, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? NextCursor);

    internal sealed record SessionReplay(SessionView Session, IReadOnlyList<Turn> Turns, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? NextCursor);
}
