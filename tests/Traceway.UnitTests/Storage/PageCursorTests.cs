using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using Traceway.Hosting;
using Traceway.Sessions;
using Traceway.Storage;

namespace Traceway.Tests.Storage;

public sealed class PageCursorTests
{
    private static readonly PageCursor Cursors = Deployment(("Traceway:AdminKey", "admin-key"));

    [Fact]
    public void An_edited_cursor_naming_the_callers_own_project_and_query_is_refused()
    {
        var cursor = Cursors.Encode("p", "scope", "continuation-1")!;
        var payload = cursor.Split('.')[0];
        var forged = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(payload)).Replace("continuation-1", "continuation-2", StringComparison.Ordinal)));

        Assert.Contains("changed", Cursors.Decode(forged + "." + cursor.Split('.')[1], "p", "scope").Error, StringComparison.Ordinal);
        Assert.NotNull(Cursors.Decode(payload, "p", "scope").Error);
        Assert.NotNull(Cursors.Decode(cursor[..^2] + (cursor[^2] == 'A' ? "B" : "A") + cursor[^1], "p", "scope").Error);
    }

    [Fact]
    public void Instances_of_one_deployment_read_each_others_cursors_and_another_deployments_are_refused()
    {
        var cursor = Cursors.Encode("p", "scope", "continuation")!;

        Assert.Equal("continuation", Deployment(("Traceway:AdminKey", "admin-key")).Decode(cursor, "p", "scope").Continuation);
        Assert.NotNull(Deployment(("Traceway:AdminKey", "another-admin-key")).Decode(cursor, "p", "scope").Error);
        var configured = Deployment(("Traceway:CursorKey", "k1"), ("Traceway:AdminKey", "admin-key")).Encode("p", "scope", "c")!;
        Assert.Equal("c", Deployment(("Traceway:CursorKey", "k1"), ("Traceway:AdminKey", "rotated")).Decode(configured, "p", "scope").Continuation);
        Assert.NotNull(Cursors.Decode(configured, "p", "scope").Error);
    }

    private static PageCursor Deployment(params (string Key, string Value)[] settings) =>
        PageCursor.ForDeployment(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void A_cursor_gives_back_its_continuation_to_the_same_project_and_query()
    {
        var cursor = Cursors.Encode("p", "scope", "{\"token\":\"+RID:~abc==\"}");

        Assert.Equal(("{\"token\":\"+RID:~abc==\"}", (string?)null), Cursors.Decode(cursor, "p", "scope"));
    }

    [Fact]
    public void The_last_page_has_no_cursor_and_no_cursor_means_the_first_page()
    {
        Assert.Null(Cursors.Encode("p", "scope", null));
        Assert.Equal(((string?)null, (string?)null), Cursors.Decode(null, "p", "scope"));
    }

    [Fact]
    public void A_cursor_is_refused_by_another_project_another_query_or_when_it_is_not_a_cursor()
    {
        var cursor = Cursors.Encode("p", "scope", "continuation");

        Assert.Equal("cursor belongs to another query: pass it back with the same parameters that produced it.", Cursors.Decode(cursor, "other", "scope").Error);
        Assert.Equal("cursor belongs to another query: pass it back with the same parameters that produced it.", Cursors.Decode(cursor, "p", "other").Error);
        Assert.Equal("cursor is not a cursor this API issued.", Cursors.Decode("garbage!", "p", "scope").Error);
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
        var cursor = Cursors.Encode("p", SessionPageQuery.Scope("s1"), "continuation");

        Assert.NotNull(Cursors.Decode(cursor, "p", SessionPageQuery.Scope("s2")).Error);
        Assert.Equal("continuation", Cursors.Decode(cursor, "p", SessionPageQuery.Scope("s1")).Continuation);
    }

    private static SessionListQuery List(string query)
    {
        Assert.True(Query<SessionListQuery>.Read(new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query))).IsValid(out var value, out _));
        return value;
    }
}
