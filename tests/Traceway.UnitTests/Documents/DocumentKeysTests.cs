using Traceway.Documents;

namespace Traceway.Tests.Documents;

public sealed class DocumentKeysTests
{
    [Theory]
    [InlineData("plain-id_1")]
    [InlineData("a/b\\c?d#e")]
    [InlineData("100% ~ 2F ~2F %2F")]
    [InlineData("session: émoji 🚀 \t tab")]
    public void Encoded_ids_hold_no_character_Cosmos_forbids_and_decode_to_the_original(string id)
    {
        var encoded = DocumentKeys.Encode(id);

        Assert.DoesNotContain(encoded, c => c is '/' or '\\' or '?' or '#' or '%' or ':' || char.IsControl(c));
        Assert.Equal(id, DocumentKeys.Decode(encoded));
    }

    [Fact]
    public void A_session_id_that_looks_like_a_trace_key_never_shares_a_partition_with_that_trace()
    {
        Assert.NotEqual(DocumentKeys.PartitionKey("p", null, "x"), DocumentKeys.PartitionKey("p", "t:x", "other"));
        Assert.NotEqual(DocumentKeys.PartitionKey("p", null, "x"), DocumentKeys.PartitionKey("p", "x", "other"));
    }

    [Fact]
    public void A_span_id_never_collides_with_its_trace_id_or_another_traces_span()
    {
        Assert.NotEqual(DocumentKeys.TraceDocumentId("a"), DocumentKeys.SpanDocumentId("a", "a"));
        Assert.NotEqual(DocumentKeys.SpanDocumentId("a:b", "c"), DocumentKeys.SpanDocumentId("a", "b:c"));
    }

    /// <summary>Stored documents are addressed by these keys: changing their spelling would orphan every stored trace.</summary>
    [Fact]
    public void Keys_and_ids_keep_their_stored_spelling()
    {
        Assert.Equal("p:t:x", DocumentKeys.PartitionKey("p", null, "x"));
        Assert.Equal("p:s:conv", DocumentKeys.PartitionKey("p", "conv", "x"));
        Assert.Equal("p:s:conv", DocumentKeys.SessionPartitionKey("p", "conv"));
        Assert.Equal("t:a~2Fb", DocumentKeys.TraceDocumentId("a/b"));
        Assert.Equal("s:a:b~3Ac", DocumentKeys.SpanDocumentId("a", "b:c"));
        Assert.Equal("p:t~23", DocumentKeys.TraceIndexId("p", "t#"));
        Assert.Equal("~7E~25", DocumentKeys.Encode("~%"));
    }

    [Fact]
    public void Characters_beyond_ASCII_are_kept_as_they_are_even_control_characters()
    {
        Assert.Equal("\u0080\u0085é🚀", DocumentKeys.Encode("\u0080\u0085é🚀"));
    }
}
