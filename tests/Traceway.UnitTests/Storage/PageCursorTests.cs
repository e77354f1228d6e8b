using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Traceway.Hosting;
using Traceway.Sessions;
using Traceway.Storage;

namespace Traceway.Tests.Storage;

public sealed class PageCursorTests
{
    [Fact]
    public void A_cursor_gives_back_its_continuation_to_the_same_project_and_query()
    {
        var cursor = PageCursor.Encode("p", "scope", "{\"token\":\"+RID:~abc==\"}");

        Assert.Equal(("{\"token\":\"+RID:~abc==\"}", (string?)null), PageCursor.Decode(cursor, "p", "scope"));
    }

    [Fact]
    public void The_last_page_has_no_cursor_and_no_cursor_means_the_first_page()
    {
        Assert.Null(PageCursor.Encode("p", "scope", null));
        Assert.Equal(((string?)null, (string?)null), PageCursor.Decode(null, "p", "scope"));
    }

    [Fact]
    public void A_cursor_is_refused_by_another_project_another_query_or_when_it_is_not_a_cursor()
    {
        var cursor = PageCursor.Encode("p", "scope", "continuation");

        Assert.Equal("cursor belongs to another query: pass it back with the same parameters that produced it.", PageCursor.Decode(cursor, "other", "scope").Error);
        Assert.Equal("cursor belongs to another query: pass it back with the same parameters that produced it.", PageCursor.Decode(cursor, "p", "other").Error);
        Assert.Equal("cursor is not a cursor this API issued.", PageCursor.Decode("garbage!", "p", "scope").Error);
    }

    [Fact]
    public void A_session_list_cursor_is_tied_to_the_filters_and_sort_but_not_to_the_page_size()
    {
        var first = List("status=ok&tag=prod&limit=10");

        Assert.Equal(first.Scope, List("status=ok&tag=prod&limit=50").Scope);
        Assert.NotEqual(first.Scope, List("status=error&tag=prod&limit=10").Scope);
        Assert.NotEqual(first.Scope, List("status=ok&tag=prod&limit=10&order=asc").Scope);
        Assert.NotEqual(first.Scope, List("status=ok&tag=dev&limit=10").Scope);
    }

    [Fact]
    public void The_cursor_of_a_sessions_traces_is_tied_to_that_session()
    {
        var cursor = PageCursor.Encode("p", SessionPageQuery.Scope("s1"), "continuation");

        Assert.NotNull(PageCursor.Decode(cursor, "p", SessionPageQuery.Scope("s2")).Error);
        Assert.Equal("continuation", PageCursor.Decode(cursor, "p", SessionPageQuery.Scope("s1")).Continuation);
    }

    private static SessionListQuery List(string query)
    {
        Assert.True(Query<SessionListQuery>.Read(new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query))).IsValid(out var value, out _));
        return value;
    }
}
