using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Azure.Cosmos;

namespace Traceway.Benchmarks;

/// <summary>What a Cosmos request did, as the REST API says it: the method, the path and a few headers.</summary>
internal enum CosmosOperation
{
    Create,
    Upsert,
    Read,
    Replace,
    Delete,
    Query,
    QueryPlan,
    ChangeFeed,
    Metadata,
}

/// <summary>
/// Counts the requests the Cosmos emulator served, read from its request log (one stderr line per request).
/// The app runs in its own process, where no counting handler can join its Cosmos client, so the requests
/// are counted where they arrive; the baseline's requests are counted the same way, with the same instrument.
/// </summary>
internal sealed partial class CosmosRequestLog
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _fences = new(StringComparer.Ordinal);
    private volatile RequestTally? _tally;
    private int _fenceCount;
    private int _fenceResponses;

    public CosmosRequestLog(StreamReader log) => _ = Task.Run(() => ReadAsync(log));

    /// <summary>
    /// Counts into <paramref name="tally"/> every request served while <paramref name="work"/> runs. Fences on
    /// both sides make the count exact: the log arrives through a pipe, a little after the requests.
    /// </summary>
    public async Task<T> CountAsync<T>(CosmosClient client, RequestTally tally, Func<Task<T>> work)
    {
        await FenceAsync(client);
        _tally = tally;
        try
        {
            return await work();
        }
        finally
        {
            await FenceAsync(client);
            _tally = null;
        }
    }

    /// <summary>Sends a request that only this log knows and waits until it shows up: every earlier line has been read.</summary>
    private async Task FenceAsync(CosmosClient client)
    {
        var database = $"bench-fence-{Interlocked.Increment(ref _fenceCount)}";
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _fences[database] = seen;
        using (await client.GetDatabase(database).ReadStreamAsync())
        {
        }

        await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task ReadAsync(StreamReader log)
    {
        while (await log.ReadLineAsync() is { } line)
        {
            if (Request().Match(line) is not { Success: true } request)
            {
                if (Response().Match(line) is { Success: true } response)
                {
                    var status = int.Parse(response.Groups["status"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);

                    // A fence's own 404 follows its request line; nothing else runs during a fence.
                    if (status == 404 && _fenceResponses > 0)
                    {
                        _fenceResponses--;
                    }
                    else
                    {
                        _tally?.AddStatus(status);
                    }
                }

                continue;
            }

            var path = request.Groups["path"].Value;
            var resource = Resource().Match(path);
            var database = resource.Groups["database"].Value;
            if (database.StartsWith("bench-fence-", StringComparison.Ordinal))
            {
                _fenceResponses++;
                if (_fences.TryRemove(database, out var fence))
                {
                    fence.TrySetResult();
                }

                continue;
            }

            _tally?.Add(resource.Groups["container"].Success ? resource.Groups["container"].Value : "(account)",
                Classify(request.Groups["method"].Value, resource, request.Groups["headers"].Value));
        }
    }

    private static CosmosOperation Classify(string method, Match resource, string headersJson)
    {
        if (!resource.Groups["docs"].Success)
        {
            return CosmosOperation.Metadata;
        }

        using var headers = JsonDocument.Parse(headersJson);
        bool Has(string name) => headers.RootElement.TryGetProperty(name, out var value) && !string.Equals(value.GetString(), "false", StringComparison.OrdinalIgnoreCase);
        var item = resource.Groups["item"].Success;
        return method switch
        {
            "GET" when Has("a-im") => CosmosOperation.ChangeFeed,
            "GET" when item => CosmosOperation.Read,
            "POST" when Has("x-ms-cosmos-is-query-plan-request") => CosmosOperation.QueryPlan,
            "POST" when Has("x-ms-documentdb-isquery") => CosmosOperation.Query,
            "POST" when Has("x-ms-documentdb-is-upsert") => CosmosOperation.Upsert,
            "POST" => CosmosOperation.Create,
            "PUT" => CosmosOperation.Replace,
            "DELETE" => CosmosOperation.Delete,
            _ => CosmosOperation.Metadata,
        };
    }

    // "[cosmos] POST /dbs/traceway/colls/traces/docs {...headers}" and "[cosmos]   -> 201 etag=... cont=..." (emulators/patches).
    [GeneratedRegex(@"^\[cosmos\] (?<method>[A-Z]+) (?<path>\S+) (?<headers>\{.*\})$")]
    private static partial Regex Request();

    [GeneratedRegex(@"^\[cosmos\]   -> (?<status>\d{3}) ")]
    private static partial Regex Response();

    [GeneratedRegex(@"^/dbs/(?<database>[^/?]+)(/colls/(?<container>[^/?]+)(?<docs>/docs(?<item>/[^?]+)?)?)?")]
    private static partial Regex Resource();
}

/// <summary>Requests counted by container and operation, and the status codes answered, in one measured window.</summary>
internal sealed class RequestTally
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Container, CosmosOperation Operation), int> _requests = [];
    private readonly Dictionary<int, int> _statuses = [];

    public int Count(string container, CosmosOperation operation)
    {
        lock (_lock)
        {
            return _requests.GetValueOrDefault((container, operation));
        }
    }

    public int Count(Func<string, CosmosOperation, bool> predicate)
    {
        lock (_lock)
        {
            return _requests.Where(r => predicate(r.Key.Container, r.Key.Operation)).Sum(r => r.Value);
        }
    }

    public int Total => Count((_, _) => true);

    public int Status(int status)
    {
        lock (_lock)
        {
            return _statuses.GetValueOrDefault(status);
        }
    }

    /// <summary>"container operation: count" for every kind seen, for the JSON report.</summary>
    public IReadOnlyDictionary<string, int> ByKind()
    {
        lock (_lock)
        {
            return _requests.OrderBy(r => r.Key.Container, StringComparer.Ordinal).ThenBy(r => r.Key.Operation)
                .ToDictionary(r => $"{r.Key.Container} {r.Key.Operation}", r => r.Value, StringComparer.Ordinal);
        }
    }

    public IReadOnlyDictionary<string, int> ByStatus()
    {
        lock (_lock)
        {
            return _statuses.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), s => s.Value, StringComparer.Ordinal);
        }
    }

    internal void Add(string container, CosmosOperation operation)
    {
        lock (_lock)
        {
            _requests[(container, operation)] = _requests.GetValueOrDefault((container, operation)) + 1;
        }
    }

    internal void AddStatus(int status)
    {
        lock (_lock)
        {
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
        }
    }
}
