using Traceway.Documents;
using Traceway.Traces;
using static Traceway.Tests.Hosting.QueryStrings;

namespace Traceway.Tests.Traces;

public sealed class TraceListQueryTests
{
    [Theory]
    [InlineData("status=broken", "status")]
    [InlineData("from=2026-11-20T10:00", "from")]
    [InlineData("from=2026-11-20T10:00:00Z&to=2026-11-20T10:00:00Z", "to")]
    [InlineData("orderBy=traceCount", "orderBy")]
    [InlineData("order=sideways", "order")]
    [InlineData("limit=201", "limit")]
    [InlineData("sessionId=a&sessionId=b", "sessionId")]
    [InlineData("name=", "name")]
    public void Each_bad_trace_list_parameter_is_a_400_naming_it(string query, string parameter)
    {
        Assert.Equal([parameter], Errors<TraceListQuery>(query).Keys);
    }

    [Fact]
    public void Trace_filters_share_the_session_clauses_and_stay_in_one_sessions_partition()
    {
        var query = Valid<TraceListQuery>("sessionId=s1&from=2026-11-20T10:00:00Z&status=ok&tag=prod&model=gpt-4o&userId=u&name=chat&orderBy=tokens&order=asc");

        Assert.Equal(
            "SELECT * FROM c WHERE c.type = 'traceSummary' AND c.projectId = @projectId AND c.sessionId = @sessionId AND c.lastActivityAt >= @from"
            + " AND c.status = @status AND ARRAY_CONTAINS(c.models, @model) AND c.userId = @userId AND c.name = @name AND ARRAY_CONTAINS(c.tags, @tag0)"
            + " ORDER BY c.totalTokens ASC, c.traceId ASC",
            query.ToQuery("p").QueryText);
        Assert.Equal(DocumentKeys.SessionPartitionKey("p", "s1"), query.PartitionKey("p"));
        Assert.Null(Valid<TraceListQuery>("").PartitionKey("p"));
    }

    [Fact]
    public void A_trace_list_without_parameters_is_the_latest_start_first_50_at_a_time()
    {
        var query = Valid<TraceListQuery>("");

        Assert.Equal(("startedAt", "desc", 50), (query.OrderBy, query.Order, query.Limit));
        Assert.EndsWith("ORDER BY c.startedAt DESC, c.traceId DESC", query.ToQuery("p").QueryText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("startedAt", "startedAt")]
    [InlineData("cost", "totalCost")]
    [InlineData("tokens", "totalTokens")]
    [InlineData("duration", "durationMs")]
    public void Each_trace_sort_orders_by_its_summary_field(string orderBy, string field)
    {
        Assert.EndsWith($" ORDER BY c.{field} DESC, c.traceId DESC", Valid<TraceListQuery>($"orderBy={orderBy}").ToQuery("p").QueryText, StringComparison.Ordinal);
        Assert.EndsWith($" ORDER BY c.{field} ASC, c.traceId ASC", Valid<TraceListQuery>($"orderBy={orderBy}&order=asc").ToQuery("p").QueryText, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_and_cursor_are_read_as_sent()
    {
        var query = Valid<TraceListQuery>("status=error&cursor=next-page");

        Assert.Equal(("error", "next-page"), (query.Status, query.Cursor));
        Assert.Equal("ok", Valid<TraceListQuery>("status=ok").Status);
    }

    [Theory]
    [InlineData("sessionId=s")]
    [InlineData("from=2026-11-20T10:00:00Z")]
    [InlineData("to=2026-11-20T10:00:00Z")]
    [InlineData("status=ok")]
    [InlineData("tag=prod")]
    [InlineData("model=gpt-4o")]
    [InlineData("userId=u")]
    [InlineData("name=chat")]
    [InlineData("orderBy=cost")]
    [InlineData("order=asc")]
    public void A_trace_list_cursor_scope_changes_with_every_filter_and_sort_but_not_the_page_size(string parameter)
    {
        var plain = Valid<TraceListQuery>("limit=5").Scope;

        Assert.Equal(plain, Valid<TraceListQuery>("limit=50").Scope);
        Assert.NotEqual(plain, Valid<TraceListQuery>(parameter).Scope);
    }
}
