using Traceway.Storage;

namespace Traceway.Tests.Storage;

public sealed class QueryBuilderTests
{
    [Fact]
    public void Conditions_without_a_value_add_nothing_and_the_others_join_with_AND_as_parameters()
    {
        var query = new QueryBuilder("SELECT * FROM c WHERE c.type = 'x'")
            .Equal("projectId", "p")
            .Equal("status", null)
            .Holds("models", "model", "gpt-4o")
            .Holds("userIds", "userId", null)
            .ActiveWithin(null, null)
            .Tagged([])
            .Build();

        Assert.Equal("SELECT * FROM c WHERE c.type = 'x' AND c.projectId = @projectId AND ARRAY_CONTAINS(c.models, @model)", query.QueryText);
        Assert.Equal([("@projectId", (object)"p"), ("@model", "gpt-4o")], query.GetQueryParameters());
    }

    [Fact]
    public void The_activity_window_keeps_what_was_active_at_or_after_from_and_started_before_to_in_stored_time_format()
    {
        var from = new DateTimeOffset(2026, 11, 20, 11, 0, 0, TimeSpan.FromHours(1));

        var query = new QueryBuilder("SELECT * FROM c").ActiveWithin(from, from.AddHours(1)).Build();

        Assert.Equal("SELECT * FROM c WHERE c.lastActivityAt >= @from AND c.startedAt < @to", query.QueryText);
        Assert.Equal([("@from", (object)"2026-11-20T10:00:00.0000000Z"), ("@to", "2026-11-20T11:00:00.0000000Z")], query.GetQueryParameters());
    }

    [Fact]
    public void Every_tag_is_its_own_condition_and_parameter()
    {
        var query = new QueryBuilder("SELECT * FROM c").Tagged(["prod", "eu"]).Build();

        Assert.Equal("SELECT * FROM c WHERE ARRAY_CONTAINS(c.tags, @tag0) AND ARRAY_CONTAINS(c.tags, @tag1)", query.QueryText);
        Assert.Equal([("@tag0", (object)"prod"), ("@tag1", "eu")], query.GetQueryParameters());
    }

    [Theory]
    [InlineData(true, "SELECT * FROM c ORDER BY c.totalCost DESC, c.sessionId DESC")]
    [InlineData(false, "SELECT * FROM c ORDER BY c.totalCost ASC, c.sessionId ASC")]
    public void The_sort_is_followed_by_its_tie_breaker_in_the_same_direction(bool descending, string text)
    {
        Assert.Equal(text, new QueryBuilder("SELECT * FROM c").Build("totalCost", descending, "sessionId").QueryText);
    }
}
