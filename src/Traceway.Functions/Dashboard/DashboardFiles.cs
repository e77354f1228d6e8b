using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;

namespace Traceway.Dashboard;

/// <summary>
/// The dashboard's static files, embedded in the app by the build (<c>Dashboard/web</c>, bundled by esbuild) and
/// read once: each with its content type, a strong ETag and a gzip copy, so serving one is a dictionary lookup.
/// </summary>
internal sealed class DashboardFiles
{
    public const string ResourcePrefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, DashboardFile> _files;

    public DashboardFiles()
        : this(typeof(DashboardFiles).Assembly)
    {
    }

    internal DashboardFiles(Assembly assembly)
    {
        _files = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .ToFrozenDictionary(name => name[ResourcePrefix.Length..], name => Load(assembly, name), StringComparer.Ordinal);
        if (!_files.ContainsKey(DashboardEndpoints.IndexFile))
        {
            throw new InvalidOperationException(
                "The dashboard is not embedded in the app: the build runs 'npm ci' and 'npm run build' in src/Traceway.Functions/Dashboard/web (Node.js and npm needed).");
        }
    }

    public IEnumerable<string> Names => _files.Keys;

    public DashboardFile? Find(string name) => _files.GetValueOrDefault(name);

    private static DashboardFile Load(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        var type = ContentTypes.GetValueOrDefault(Path.GetExtension(resource), "application/octet-stream");
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
        return new DashboardFile(content, gzipped.ToArray(), type, etag);
    }
}

/// <summary>One dashboard file: its bytes, their gzip copy, its content type and ETag.</summary>
internal sealed record DashboardFile(byte[] Content, byte[] Gzipped, string ContentType, string ETag);
