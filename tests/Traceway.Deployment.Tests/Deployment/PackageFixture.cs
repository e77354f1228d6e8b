using System.Diagnostics;
using System.IO.Compression;

namespace Traceway.Tests.Deployment;

/// <summary>
/// The deployable zip, built once by the README's packaging command (scripts/package.sh) into a temporary
/// folder, and unpacked as the platform unpacks it.
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("traceway-package-").FullName;

    public string ZipPath => Path.Combine(_folder, "traceway-functions.zip");

    public string Extracted => Path.Combine(_folder, "extracted");

    public TimeSpan PackagingTime { get; private set; }

    internal PublishedFunctions Functions { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "scripts", "package.sh"));
        start.ArgumentList.Add(ZipPath);
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        PackagingTime = stopwatch.Elapsed;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/package.sh failed ({process.ExitCode}): {await stdout}{await stderr}");
        }

        ZipFile.ExtractToDirectory(ZipPath, Extracted);
        Functions = PublishedFunctions.Read(Extracted);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackageTestGroup : ICollectionFixture<PackageFixture>
{
    // Alone, after the parallel tests: publishing is CPU-heavy.
    public const string Name = "Package";
}
