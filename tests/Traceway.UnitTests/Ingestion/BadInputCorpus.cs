namespace Traceway.Tests.Ingestion;

/// <summary>
/// The bad-input corpus: each case is one bad item, the field it must be refused by, and why it is bad. A valid
/// trace <see cref="ValidTrace"/> (id "valid", session "s", one nested span "v-span") is sent beside each.
/// </summary>
public static class BadInputCorpus
{
    public const string T = "\"2026-11-20T10:00:00Z\"";
    public const string ValidTrace = $$"""{"id":"valid","sessionId":"s","name":"chat-turn","startedAt":{{T}},"spans":[{"id":"v-span","name":"step","startedAt":{{T}}}]}""";

    private static readonly string Deep200 = new string('[', 200) + new string(']', 200);
    private static readonly string TenThousandTags = "[" + string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"\"t{i}\"")) + "]";

    /// <summary>A bad trace (id "bad" where it has one).</summary>
    public static TheoryData<string, string, string> BadTraces => new()
    {
        { "missing id", $$"""{"startedAt":{{T}}}""", "id" },
        { "empty id", $$"""{"id":"","startedAt":{{T}}}""", "id" },
        { "numeric id", $$"""{"id":42,"startedAt":{{T}}}""", "id" },
        { "id over 128 characters", $$"""{"id":"{{new string('x', 129)}}","startedAt":{{T}}}""", "id" },
        { "id with a control character", $$"""{"id":"ba\u0001d","startedAt":{{T}}}""", "id" },
        { "missing startedAt", """{"id":"bad"}""", "startedAt" },
        { "startedAt not a time", """{"id":"bad","startedAt":"yesterday"}""", "startedAt" },
        { "startedAt without a time zone", """{"id":"bad","startedAt":"2026-11-20T10:00:00"}""", "startedAt" },
        { "startedAt as epoch number", """{"id":"bad","startedAt":1763632800}""", "startedAt" },
        { "impossible date", """{"id":"bad","startedAt":"2026-02-30T10:00:00Z"}""", "startedAt" },
        { "endedAt before startedAt", $$"""{"id":"bad","startedAt":{{T}},"endedAt":"2026-11-20T09:59:59Z"}""", "endedAt" },
        { "empty sessionId", $$"""{"id":"bad","sessionId":"","startedAt":{{T}}}""", "sessionId" },
        { "sessionId over 200 characters", $$"""{"id":"bad","sessionId":"{{new string('s', 201)}}","startedAt":{{T}}}""", "sessionId" },
        { "sessionId with a newline", $$"""{"id":"bad","sessionId":"a\nb","startedAt":{{T}}}""", "sessionId" },
        { "numeric sessionId", $$"""{"id":"bad","sessionId":7,"startedAt":{{T}}}""", "sessionId" },
        { "unknown status", $$"""{"id":"bad","status":"failed","startedAt":{{T}}}""", "status" },
        { "tags not an array", $$"""{"id":"bad","tags":"prod","startedAt":{{T}}}""", "tags" },
        { "51 tags", $$"""{"id":"bad","tags":[{{string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"t{i}\""))}}],"startedAt":{{T}}}""", "tags" },
        { "10,000 tags", $$"""{"id":"bad","tags":{{TenThousandTags}},"startedAt":{{T}}}""", "tags" },
        { "tag over 200 characters", $$"""{"id":"bad","tags":["{{new string('t', 201)}}"],"startedAt":{{T}}}""", "tags" },
        { "numeric tag", $$"""{"id":"bad","tags":[1],"startedAt":{{T}}}""", "tags" },
        { "metadata not an object", $$"""{"id":"bad","metadata":"k=v","startedAt":{{T}}}""", "metadata" },
        { "input nested 200 deep", $$"""{"id":"bad","input":{{Deep200}},"startedAt":{{T}}}""", "input" },
        { "name over 512 characters", $$"""{"id":"bad","name":"{{new string('n', 513)}}","startedAt":{{T}}}""", "name" },
        { "spans not an array", $$"""{"id":"bad","spans":{"id":"x"},"startedAt":{{T}}}""", "spans" },
        { "trace not an object", "\"just text\"", "" },
        { "trace null", "null", "" },
        { "duplicate trace id in one request", $$"""{"id":"valid","sessionId":"s","name":"evil","startedAt":{{T}}}""", "id" },
        { "id '.'", $$"""{"id":".","startedAt":{{T}}}""", "id" },
        { "id '..'", $$"""{"id":"..","startedAt":{{T}}}""", "id" },
        { "sessionId '.'", $$"""{"id":"bad","sessionId":".","startedAt":{{T}}}""", "sessionId" },
        { "sessionId '..'", $$"""{"id":"bad","sessionId":"..","startedAt":{{T}}}""", "sessionId" },
        { "lone surrogate in id", $$"""{"id":"bad\ud800","startedAt":{{T}}}""", "id" },
        { "lone surrogate in sessionId", $$"""{"id":"bad","sessionId":"s\udc00","startedAt":{{T}}}""", "sessionId" },
        { "lone surrogate in name", $$"""{"id":"bad","name":"\ud800","startedAt":{{T}}}""", "name" },
        { "lone surrogate in userId", $$"""{"id":"bad","userId":"u\uDBFF","startedAt":{{T}}}""", "userId" },
        { "lone surrogate in status", $$"""{"id":"bad","status":"\ud800","startedAt":{{T}}}""", "status" },
        { "lone surrogate in startedAt", """{"id":"bad","startedAt":"2026-11-20T10:00:00Z\ud800"}""", "startedAt" },
        { "lone surrogate in endedAt", $$"""{"id":"bad","startedAt":{{T}},"endedAt":"\ud800"}""", "endedAt" },
        { "lone surrogate in a tag", $$"""{"id":"bad","tags":["ok","\ud800"],"startedAt":{{T}}}""", "tags" },
        { "lone surrogate deep in input", $$"""{"id":"bad","input":{"messages":[{"content":"hi \ud800 there"}]},"startedAt":{{T}}}""", "input" },
        { "lone surrogate in output", $$"""{"id":"bad","output":"\udfff","startedAt":{{T}}}""", "output" },
        { "lone surrogate in a metadata value", $$"""{"id":"bad","metadata":{"k":"\ud800"},"startedAt":{{T}}}""", "metadata" },
        { "lone surrogate in a metadata key", $$"""{"id":"bad","metadata":{"\ud800":1},"startedAt":{{T}}}""", "metadata" },
        { "lone surrogate in a key of the trace", $$"""{"id":"bad","\ud800x":1,"startedAt":{{T}}}""", "" },
        { "reversed surrogate pair", $$"""{"id":"bad","name":"\udc00\ud800","startedAt":{{T}}}""", "name" },
        { "duplicate key in the trace", $$"""{"id":"bad","name":"a","name":"b","startedAt":{{T}}}""", "name" },
        { "duplicate key in metadata", $$"""{"id":"bad","metadata":{"k":1,"k":2},"startedAt":{{T}}}""", "metadata" },
        { "duplicate key deep in metadata", $$"""{"id":"bad","metadata":{"a":[{"k":1,"k":1}]},"startedAt":{{T}}}""", "metadata" },
        { "duplicate key in input", $$"""{"id":"bad","input":{"role":"user","role":"system"},"startedAt":{{T}}}""", "input" },
        { "duplicate key deep in output", $$"""{"id":"bad","output":[[{"a":{"b":1,"b":2} }]],"startedAt":{{T}}}""", "output" },
        { "duplicate spans key", $$"""{"id":"bad","spans":[],"spans":[],"startedAt":{{T}}}""", "spans" },
    };

    /// <summary>A bad top-level span of the valid trace.</summary>
    public static TheoryData<string, string, string> BadSpans => new()
    {
        { "missing name", $$"""{"id":"bad-span","traceId":"valid","startedAt":{{T}}}""", "name" },
        { "numeric name", $$"""{"id":"bad-span","traceId":"valid","name":5,"startedAt":{{T}}}""", "name" },
        { "missing traceId", $$"""{"id":"bad-span","name":"x","startedAt":{{T}}}""", "traceId" },
        { "negative tokens", $$"""{"id":"bad-span","traceId":"valid","name":"x","inputTokens":-1,"startedAt":{{T}}}""", "inputTokens" },
        { "fractional tokens", $$"""{"id":"bad-span","traceId":"valid","name":"x","inputTokens":1.5,"startedAt":{{T}}}""", "inputTokens" },
        { "tokens over 10^9", $$"""{"id":"bad-span","traceId":"valid","name":"x","outputTokens":1000000001,"startedAt":{{T}}}""", "outputTokens" },
        { "tokens as a string", $$"""{"id":"bad-span","traceId":"valid","name":"x","inputTokens":"12","startedAt":{{T}}}""", "inputTokens" },
        { "negative cost", $$"""{"id":"bad-span","traceId":"valid","name":"x","cost":-0.01,"startedAt":{{T}}}""", "cost" },
        { "huge cost", $$"""{"id":"bad-span","traceId":"valid","name":"x","cost":1e308,"startedAt":{{T}}}""", "cost" },
        { "cost beyond double", $$"""{"id":"bad-span","traceId":"valid","name":"x","cost":1e400,"startedAt":{{T}}}""", "cost" },
        { "NaN cost as a string", $$"""{"id":"bad-span","traceId":"valid","name":"x","cost":"NaN","startedAt":{{T}}}""", "cost" },
        { "unknown kind", $$"""{"id":"bad-span","traceId":"valid","name":"x","kind":"robot","startedAt":{{T}}}""", "kind" },
        { "span endedAt before startedAt", $$"""{"id":"bad-span","traceId":"valid","name":"x","startedAt":{{T}},"endedAt":"2026-11-19T10:00:00Z"}""", "endedAt" },
        { "empty parentId", $$"""{"id":"bad-span","traceId":"valid","name":"x","parentId":"","startedAt":{{T}}}""", "parentId" },
        { "error as an object", $$"""{"id":"bad-span","traceId":"valid","name":"x","error":{"code":1},"startedAt":{{T}}}""", "error" },
        { "attributes as an array", $$"""{"id":"bad-span","traceId":"valid","name":"x","attributes":[1],"startedAt":{{T}}}""", "attributes" },
        { "output nested 200 deep", $$"""{"id":"bad-span","traceId":"valid","name":"x","output":{{Deep200}},"startedAt":{{T}}}""", "output" },
        { "sessionId contradicting its trace's", $$"""{"id":"bad-span","traceId":"valid","sessionId":"other","name":"x","startedAt":{{T}}}""", "sessionId" },
        { "duplicate span id in one request", $$"""{"id":"v-span","traceId":"valid","name":"evil","startedAt":{{T}}}""", "id" },
        { "traceId '.'", $$"""{"id":"bad-span","traceId":".","name":"x","startedAt":{{T}}}""", "traceId" },
        { "traceId '..'", $$"""{"id":"bad-span","traceId":"..","name":"x","startedAt":{{T}}}""", "traceId" },
        { "sessionId '..' on a span", $$"""{"id":"bad-span","traceId":"elsewhere","sessionId":"..","name":"x","startedAt":{{T}}}""", "sessionId" },
        { "lone surrogate in a span id", $$"""{"id":"bad-span\ud800","traceId":"valid","name":"x","startedAt":{{T}}}""", "id" },
        { "lone surrogate in traceId", $$"""{"id":"bad-span","traceId":"valid\ud800","name":"x","startedAt":{{T}}}""", "traceId" },
        { "lone surrogate in a span's sessionId", $$"""{"id":"bad-span","traceId":"valid","sessionId":"\ud800","name":"x","startedAt":{{T}}}""", "sessionId" },
        { "lone surrogate in parentId", $$"""{"id":"bad-span","traceId":"valid","parentId":"\ud800","name":"x","startedAt":{{T}}}""", "parentId" },
        { "lone surrogate in a span name", $$"""{"id":"bad-span","traceId":"valid","name":"x\ud800","startedAt":{{T}}}""", "name" },
        { "lone surrogate in kind", $$"""{"id":"bad-span","traceId":"valid","name":"x","kind":"\ud800","startedAt":{{T}}}""", "kind" },
        { "lone surrogate in model", $$"""{"id":"bad-span","traceId":"valid","name":"x","model":"gpt\ud800","startedAt":{{T}}}""", "model" },
        { "lone surrogate in provider", $$"""{"id":"bad-span","traceId":"valid","name":"x","provider":"\ud800","startedAt":{{T}}}""", "provider" },
        { "lone surrogate in a span status", $$"""{"id":"bad-span","traceId":"valid","name":"x","status":"\ud800","startedAt":{{T}}}""", "status" },
        { "lone surrogate in error", $$"""{"id":"bad-span","traceId":"valid","name":"x","error":"boom \ud800","startedAt":{{T}}}""", "error" },
        { "lone surrogate in a span startedAt", """{"id":"bad-span","traceId":"valid","name":"x","startedAt":"\ud800"}""", "startedAt" },
        { "lone surrogate in a span endedAt", $$"""{"id":"bad-span","traceId":"valid","name":"x","startedAt":{{T}},"endedAt":"\ud800"}""", "endedAt" },
        { "lone surrogate in a span input", $$"""{"id":"bad-span","traceId":"valid","name":"x","input":[{"role":"user","content":"\ud800"}],"startedAt":{{T}}}""", "input" },
        { "lone surrogate in a span output", $$"""{"id":"bad-span","traceId":"valid","name":"x","output":{"\ud800":"key"},"startedAt":{{T}}}""", "output" },
        { "lone surrogate in attributes", $$"""{"id":"bad-span","traceId":"valid","name":"x","attributes":{"a":["\ud800"]},"startedAt":{{T}}}""", "attributes" },
        { "lone surrogate in an unknown field", $$"""{"id":"bad-span","traceId":"valid","name":"x","extra":"\ud800","startedAt":{{T}}}""", "extra" },
        { "duplicate key in the span", $$"""{"id":"bad-span","traceId":"valid","name":"x","inputTokens":1,"inputTokens":2,"startedAt":{{T}}}""", "inputTokens" },
        { "duplicate key in attributes", $$"""{"id":"bad-span","traceId":"valid","name":"x","attributes":{"k":1,"k":2},"startedAt":{{T}}}""", "attributes" },
        { "duplicate key deep in attributes", $$"""{"id":"bad-span","traceId":"valid","name":"x","attributes":{"a":{"b":{"c":1,"c":1} } },"startedAt":{{T}}}""", "attributes" },
        { "duplicate key in a span input", $$"""{"id":"bad-span","traceId":"valid","name":"x","input":[{"role":"user","role":"user"}],"startedAt":{{T}}}""", "input" },
    };

    /// <summary>Bodies that are JSON but not an ingest request: the whole request is refused.</summary>
    public static TheoryData<string, string> NotAnEnvelope => new()
    {
        { "a JSON array", "[" + ValidTrace + "]" },
        { "traces not an array", "{\"traces\":" + ValidTrace + "}" },
        { "spans a number", "{\"spans\":5}" },
        { "no traces or spans", "{\"trace\":[" + ValidTrace + "]}" },
        { "a key with a lone surrogate", "{\"\\ud800\":1,\"traces\":[" + ValidTrace + "]}" },
        { "traces twice", "{\"traces\":[" + ValidTrace + "],\"traces\":[]}" },
    };
}
