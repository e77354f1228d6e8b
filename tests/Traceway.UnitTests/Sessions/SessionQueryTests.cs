using System.Reflection;
using System.Text.Json;
using Traceway.Hosting;
using Traceway.Sessions;
using Traceway.Traces;
using static Traceway.Tests.Hosting.QueryStrings;

namespace Traceway.Tests.Sessions;

public sealed class SessionQueryTests
{
    [Theory]
    [InlineData("status=failed", "status", "status must be one of ok, error.")]
    [InlineData("minCost=-1", "minCost", "minCost must be a number of at least 0.")]
    [InlineData("minCost=abc", "minCost", "minCost must be a number of at least 0.")]
    [InlineData("maxCost=NaN", "maxCost", "maxCost must be a number of at least 0.")]
    [InlineData("minCost=2&maxCost=1", "maxCost", "maxCost must not be below minCost.")]
    [InlineData("from=yesterday", "from", "from must be an RFC 3339 time with a time zone, such as 2026-11-20T10:00:00Z.")]
    [InlineData("to=2026-11-20T10:00:00", "to", "to must be an RFC 3339 time with a time zone, such as 2026-11-20T10:00:00Z.")]
    [InlineData("from=2026-11-20T10:00:00Z&to=2026-11-20T11:00:00%2B01:00", "to", "to must be after from.")]
    [InlineData("orderBy=name", "orderBy", "orderBy must be one of lastActivity, startedAt, cost, tokens, duration, traceCount.")]
    [InlineData("order=up", "order", "order must be one of asc, desc.")]
    [InlineData("limit=0", "limit", "limit must be a whole number from 1 to 200.")]
    [InlineData("limit=201", "limit", "limit must be a whole number from 1 to 200.")]
    [InlineData("limit=ten", "limit", "limit must be a whole number from 1 to 200.")]
    [InlineData("limit=+5", "limit", "limit must be a whole number from 1 to 200.")]
    [InlineData("model=a&model=b", "model", "model must be given once, with a value.")]
    [InlineData("userId=", "userId", "userId must be given once, with a value.")]
    [InlineData("tag=", "tag", "each tag must be 1 to 200 characters, at most 20 of them.")]
    public void Each_bad_session_list_parameter_is_a_400_naming_it_with_what_to_fix(string query, string parameter, string message)
    {
        var errors = Errors<SessionListQuery>(query);

        Assert.Equal([parameter], errors.Keys);
        Assert.Equal([message], errors[parameter]);
    }

    [Fact]
    public void Every_bad_parameter_of_one_request_is_named_at_once()
    {
        Assert.Equal(["from", "limit", "status"], Errors<SessionListQuery>("from=x&status=x&limit=x").Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_session_list_without_parameters_is_the_latest_activity_first_50_at_a_time()
    {
        var query = Valid<SessionListQuery>("");

        Assert.Equal(("lastActivity", "desc", 50, (string?)null), (query.OrderBy, query.Order, query.Limit, query.Cursor));
        Assert.Equal(
            "SELECT * FROM c WHERE c.type = 'sessionSummary' AND c.projectId = @projectId ORDER BY c.lastActivityAt DESC, c.sessionId DESC",
            query.ToQuery("p").QueryText);
    }

    [Fact]
    public void Every_session_filter_becomes_a_condition_with_its_value_as_a_parameter()
    {
        var query = Valid<SessionListQuery>(
            "from=2026-11-20T10:00:00Z&to=2026-11-21T10:00:00Z&status=error&minCost=0.5&maxCost=2&tag=prod&tag=eu&tag=prod&model=gpt-4o&userId=u1&orderBy=cost&order=asc&limit=10&cursor=c1");

        var definition = query.ToQuery("p");

        Assert.Equal(
            "SELECT * FROM c WHERE c.type = 'sessionSummary' AND c.projectId = @projectId AND c.lastActivityAt >= @from AND c.startedAt < @to"
            + " AND c.status = @status AND c.totalCost >= @minCost AND c.totalCost <= @maxCost AND ARRAY_CONTAINS(c.models, @model)"
            + " AND ARRAY_CONTAINS(c.userIds, @userId) AND ARRAY_CONTAINS(c.tags, @tag0) AND ARRAY_CONTAINS(c.tags, @tag1)"
            + " ORDER BY c.totalCost ASC, c.sessionId ASC",
            definition.QueryText);
        Assert.Equal(
            [("@projectId", (object)"p"), ("@from", "2026-11-20T10:00:00.0000000Z"), ("@to", "2026-11-21T10:00:00.0000000Z"), ("@status", "error"),
             ("@minCost", 0.5), ("@maxCost", 2.0), ("@model", "gpt-4o"), ("@userId", "u1"), ("@tag0", "prod"), ("@tag1", "eu")],
            definition.GetQueryParameters());
        Assert.Equal((10, "c1"), (query.Limit, query.Cursor));
    }

    /// <summary>Each API sort name orders by the SessionSummary field API.md names for it, the session id breaking ties.</summary>
    [Theory]
    [InlineData("lastActivity", "lastActivityAt")]
    [InlineData("startedAt", "startedAt")]
    [InlineData("cost", "totalCost")]
    [InlineData("tokens", "totalTokens")]
    [InlineData("duration", "durationMs")]
    [InlineData("traceCount", "traceCount")]
    public void Each_session_sort_orders_by_its_summary_field(string orderBy, string field)
    {
        Assert.EndsWith($" ORDER BY c.{field} DESC, c.sessionId DESC", Valid<SessionListQuery>($"orderBy={orderBy}").ToQuery("p").QueryText, StringComparison.Ordinal);
        Assert.EndsWith($" ORDER BY c.{field} ASC, c.sessionId ASC", Valid<SessionListQuery>($"orderBy={orderBy}&order=asc").ToQuery("p").QueryText, StringComparison.Ordinal);
    }

    /// <summary>A cursor is bound to its query's scope: any filter or sort change makes another scope, the page size does not.</summary>
    [Theory]
    [InlineData("from=2026-11-20T10:00:00Z")]
    [InlineData("to=2026-11-20T10:00:00Z")]
    [InlineData("status=ok")]
    [InlineData("minCost=1")]
    [InlineData("maxCost=1")]
    [InlineData("tag=prod")]
    [InlineData("model=gpt-4o")]
    [InlineData("userId=u")]
    [InlineData("orderBy=cost")]
    [InlineData("order=asc")]
    public void A_session_list_cursor_scope_changes_with_every_filter_and_sort_but_not_the_page_size(string parameter)
    {
        var plain = Valid<SessionListQuery>("limit=5").Scope;

        Assert.Equal(plain, Valid<SessionListQuery>("limit=50").Scope);
        Assert.NotEqual(plain, Valid<SessionListQuery>(parameter).Scope);
        Assert.NotEqual(SessionPageQuery.Scope("a"), SessionPageQuery.Scope("b"));
        Assert.NotEqual(plain, SessionPageQuery.Scope(""));
    }

    [Fact]
    public void Statistics_filter_like_the_list_without_sorting_or_paging()
    {
        var filter = Valid<SessionFilter>("status=ok&tag=prod&orderBy=anything&limit=0");

        Assert.Equal(
            "SELECT * FROM c WHERE c.type = 'sessionSummary' AND c.projectId = @projectId AND c.status = @status AND ARRAY_CONTAINS(c.tags, @tag0)",
            filter.Where("p").Build().QueryText);
        Assert.Equal(["from"], Errors<SessionFilter>("from=2026-11-20").Keys);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    public void A_sessions_traces_come_1_to_500_at_a_time_100_by_default(string bad)
    {
        Assert.Equal(["limit must be a whole number from 1 to 500."], Errors<SessionPageQuery>(bad)["limit"]);
        Assert.Equal(100, Valid<SessionPageQuery>("").Limit);
        Assert.Equal((500, "c"), (Valid<SessionPageQuery>("limit=500&cursor=c").Limit, Valid<SessionPageQuery>("limit=500&cursor=c").Cursor));
    }

    /// <summary>The OpenAPI document lists the described properties; each must be a parameter the same type reads.</summary>
    [Theory]
    [InlineData(typeof(SessionListQuery))]
    [InlineData(typeof(SessionFilter))]
    [InlineData(typeof(SessionPageQuery))]
    [InlineData(typeof(TraceListQuery))]
    public void Every_documented_parameter_is_read_by_its_query_type(Type type)
    {
        var read = typeof(SessionQueryTests).GetMethod(nameof(ErrorNames), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);

        foreach (var name in OpenApiDocumentation.QueryProperties(type).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Where(n => n != "cursor"))
        {
            // Given twice, a single-valued parameter is refused; 21 tags are one too many.
            var query = name == "tag" ? string.Join('&', Enumerable.Repeat("tag=t", 21).Select((t, i) => t + i)) : $"{name}=1&{name}=2";
            Assert.Contains(name, (IEnumerable<string>)read.Invoke(null, [query])!);
        }
    }

    private static IEnumerable<string> ErrorNames<T>(string query)
        where T : class, IQueryParameters<T> => Errors<T>(query).Keys;
}
