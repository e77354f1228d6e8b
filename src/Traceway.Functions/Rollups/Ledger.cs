namespace Traceway.Rollups;

/// <summary>
/// The head of a ledger, in the <c>summaries</c> container beside the summary it feeds (same partition). A ledger
/// keeps one contribution per key (a trace's spans by span id, a session's turns by trace id), each with the
/// version it was read from, so applying a change replaces a contribution instead of adding it again: applying
/// the same change twice, or an older version after a newer one, changes nothing.
/// Small ledgers keep their entries in the head (<see cref="Depth"/> -1). Large ones split them by a hash of the
/// key into 2^Depth chunk documents of generation <see cref="Gen"/>, and the head keeps each chunk's partial
/// aggregate, so a change reads and writes only the head and the chunks of the keys it touches.
/// </summary>
internal sealed class LedgerHead<TEntry, TPartial>
    where TEntry : ILedgerEntry
{
    public const string DocumentType = "ledger";

    public required string Id { get; init; }

    public required string Pk { get; init; }

    public string Type { get; init; } = DocumentType;

    public required string ProjectId { get; init; }

    /// <summary>Grows with every write of the head: a turn read from a later revision is newer.</summary>
    public long Rev { get; init; }

    public int Depth { get; init; } = -1;

    public string Gen { get; init; } = "";

    public int Count { get; init; }

    public Dictionary<string, TEntry>? Entries { get; init; }

    public IReadOnlyList<TPartial>? Partials { get; init; }

    /// <summary>A trace ledger's trace document (metric fields and version), when stored.</summary>
    public TraceEntry? Trace { get; init; }
}

/// <summary>One chunk of a large ledger's entries.</summary>
internal sealed class LedgerChunk<TEntry>
{
    public const string DocumentType = "ledgerChunk";

    public required string Id { get; init; }

    public required string Pk { get; init; }

    public string Type { get; init; } = DocumentType;

    public required Dictionary<string, TEntry> Entries { get; init; }
}

/// <summary>A trace document's metric fields and version in its trace's ledger.</summary>
internal sealed record TraceEntry(long V, MetricFields Fields) : ILedgerEntry;

/// <summary>The pure rules of a ledger: where a key lives, when it splits, what replaces what.</summary>
internal static class LedgerLayout
{
    /// <summary>Up to this many entries live in the head itself (every ordinary trace and session).</summary>
    public const int InlineMax = 64;

    /// <summary>Average entries per chunk right after a split; a ledger splits again at twice this.</summary>
    public const int ChunkTarget = 128;

    /// <summary>FNV-1a over the key's UTF-16 code units: stable across processes and versions, unlike string.GetHashCode.</summary>
    public static int ChunkOf(string key, int depth)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & ((1u << depth) - 1));
    }

    /// <summary>The depth for <paramref name="count"/> entries, or -1 when they fit in the head.</summary>
    public static int DepthFor(int count)
    {
        if (count <= InlineMax)
        {
            return -1;
        }

        var depth = 1;
        while (count > ChunkTarget << depth)
        {
            depth++;
        }

        return depth;
    }

    /// <summary>True when a ledger of <paramref name="depth"/> holding <paramref name="count"/> entries must be laid out again.</summary>
    public static bool Outgrown(int depth, int count) => depth < 0 ? count > InlineMax : count > (2 * ChunkTarget) << depth;

    /// <summary>The entry to keep for a key: the newer version; on a tie the one already there (same version, same content).</summary>
    public static bool Replaces<TEntry>(TEntry candidate, TEntry? current)
        where TEntry : class, ILedgerEntry => current is null || candidate.V > current.V;

    /// <summary>Applies <paramref name="changes"/> to <paramref name="entries"/>, newest version winning; true when anything changed.</summary>
    public static bool Merge<TEntry>(Dictionary<string, TEntry> entries, IEnumerable<KeyValuePair<string, TEntry>> changes)
        where TEntry : class, ILedgerEntry
    {
        var changed = false;
        foreach (var (key, entry) in changes)
        {
            if (Replaces(entry, entries.GetValueOrDefault(key)))
            {
                entries[key] = entry;
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>
    /// Makes <paramref name="entries"/> hold exactly the keys of <paramref name="complete"/> (a full read of the
    /// stored documents), keeping an entry already there when it is newer than the one read; true when anything changed.
    /// </summary>
    public static bool Reset<TEntry>(Dictionary<string, TEntry> entries, IReadOnlyDictionary<string, TEntry> complete)
        where TEntry : class, ILedgerEntry
    {
        var removed = entries.Keys.Where(k => !complete.ContainsKey(k)).ToList();
        foreach (var key in removed)
        {
            entries.Remove(key);
        }

        return Merge(entries, complete) || removed.Count > 0;
    }
}
