using System.ComponentModel;
using Traceway.Hosting;
using Traceway.Rollups;
using Traceway.Storage;

namespace Traceway.Sessions;

/// <summary>
/// The filters of <c>GET /api/stats/sessions</c>, and of <c>GET /api/sessions</c> through <see cref="SessionListQuery"/>:
/// which of the project's session summaries match.
/// </summary>
internal record SessionFilter : IQueryParameters<SessionFilter>
{
    [Description("Sessions with activity at or after this RFC 3339 time (activity overlapping [from, to)).")]
    public DateTimeOffset? From { get; init; }

    [Description("Sessions that started before this RFC 3339 time.")]
    public DateTimeOffset? To { get; init; }

    [Description("ok or error (error: some span failed).")]
    public string? Status { get; init; }

    [Description("Total cost at least this many USD.")]
    public double? MinCost { get; init; }

    [Description("Total cost at most this many USD.")]
    public double? MaxCost { get; init; }

    [Description("The session has every given tag (repeat the parameter).")]
    public IReadOnlyList<string> Tag { get; init; } = [];

    [Description("Some span of the session used this model.")]
    public string? Model { get; init; }

    [Description("Some trace of the session has this user id.")]
    public string? UserId { get; init; }

    public static SessionFilter Read(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        var (from, to) = QueryValues.Window(query, errors);
        var filter = new SessionFilter
        {
            From = from,
            To = to,
            Status = QueryValues.OneOf(query, "status", ["ok", "error"], errors),
            MinCost = QueryValues.Number(query, "minCost", errors),
            MaxCost = QueryValues.Number(query, "maxCost", errors),
            Tag = QueryValues.Texts(query, "tag", errors),
            Model = QueryValues.Text(query, "model", errors),
            UserId = QueryValues.Text(query, "userId", errors),
        };
        if (filter.MinCost is not null && filter.MaxCost is not null && filter.MaxCost < filter.MinCost)
        {
            errors["maxCost"] = ["maxCost must not be below minCost."];
        }

        return filter;
    }

    /// <summary>The project's session summaries matching every filter.</summary>
    public QueryBuilder Where(string projectId) =>
        new QueryBuilder($"SELECT * FROM c WHERE c.type = '{SessionSummary.DocumentType}'")
            .Equal("projectId", projectId)
            .ActiveWithin(From, To)
            .Equal("status", Status)
            .WhereIf(MinCost is not null, "c.totalCost >= @minCost", "@minCost", MinCost)
            .WhereIf(MaxCost is not null, "c.totalCost <= @maxCost", "@maxCost", MaxCost)
            .Holds("models", "model", Model)
            .Holds("userIds", "userId", UserId)
            .Tagged(Tag);
}
