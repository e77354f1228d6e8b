using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using Traceway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Traceway.Tests.Deployment;

/// <summary>The zip made by scripts/package.sh is what the Functions host expects, and the app in it starts fast.</summary>
[Collection(PackageTestGroup.Name)]
public sealed class PackageTests(PackageFixture package, ITestOutputHelper output)
{
    private static readonly UnixFileMode Executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    [Fact]
    public void The_package_holds_host_json_every_function_folder_and_the_app_and_nothing_else_at_its_root()
    {
        using var archive = ZipFile.OpenRead(package.ZipPath);
        var names = archive.Entries.Select(e => e.FullName).ToHashSet();
        var roots = names.Select(n => n.Split('/')[0]).ToHashSet();

        Assert.Contains("host.json", names);
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")), File.ReadAllText(Path.Combine(package.Extracted, "host.json")));
        foreach (var function in FunctionFolders.All)
        {
            Assert.Contains($"{function.Name}/function.json", names);
        }

        Assert.Equal(
            new[] { "app", "host.json" }.Concat(FunctionFolders.All.Select(f => f.Name)).Order(StringComparer.Ordinal),
            roots.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_executable_host_json_names_is_in_the_package_and_executable()
    {
        var description = HostDescription();
        var executable = description.GetProperty("defaultExecutablePath").GetString()!;
        using var archive = ZipFile.OpenRead(package.ZipPath);

        var entry = archive.GetEntry(executable);

        Assert.NotNull(entry);
        Assert.Equal(Executable, PackageFixture.ModeOf(entry) & Executable);
        Assert.True(Directory.Exists(Path.Combine(package.Extracted, description.GetProperty("workingDirectory").GetString()!)));
        using var stream = entry.Open();
        var magic = new byte[4];
        stream.ReadExactly(magic);
        Assert.Equal("\u007fELF"u8.ToArray(), magic);
    }

    [Fact]
    public void The_packaged_app_is_self_contained_and_compiled_ahead_of_time()
    {
        var app = Path.Combine(package.Extracted, "app");
        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(app, "Traceway.Functions.runtimeconfig.json")));
        using var assembly = new PEReader(File.OpenRead(Path.Combine(app, "Traceway.Functions.dll")));

        // Self-contained: the runtime ships in app/ (includedFrameworks), none is looked for on the machine (frameworks).
        Assert.True(runtimeConfig.RootElement.GetProperty("runtimeOptions").TryGetProperty("includedFrameworks", out _));
        Assert.True(File.Exists(Path.Combine(app, "libcoreclr.so")));
        // ReadyToRun: native code beside the IL, so start-up does not wait for the JIT.
        Assert.True(assembly.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "Traceway.Functions.dll is not ReadyToRun");
    }

    [Fact]
    public async Task Started_as_the_Functions_host_starts_it_the_packaged_app_answers_health_within_a_second()
    {
        var description = HostDescription();
        var executable = Path.Combine(package.Extracted, description.GetProperty("defaultExecutablePath").GetString()!);
        var workingDirectory = Path.Combine(package.Extracted, description.GetProperty("workingDirectory").GetString()!);
        var database = "package-" + Guid.NewGuid().ToString("N");
        await LocalEmulators.Shared;

        // As in Azure, storage exists before the app starts (Bicep makes it): one run creates it, the measured runs do not.
        await StartAndTimeAsync(executable, workingDirectory, database, provision: true);
        var times = new List<TimeSpan>();
        for (var run = 0; run < 5; run++)
        {
            times.Add(await StartAndTimeAsync(executable, workingDirectory, database, provision: false));
        }

        var report = $"package: {package.PackagingTime.TotalSeconds:F1} s to build, {new FileInfo(package.ZipPath).Length / 1048576.0:F1} MiB; "
            + $"process start to first health answer: {string.Join(", ", times.Select(t => $"{t.TotalMilliseconds:F0} ms"))}";
        output.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(RepositoryPaths.Root, "artifacts"));
        await File.WriteAllTextAsync(Path.Combine(RepositoryPaths.Root, "artifacts", "package-startup.txt"), report + Environment.NewLine);
        // The fastest run is what the app costs; slower ones measure whatever else the machine was doing.
        Assert.True(times.Min() < TimeSpan.FromSeconds(1), report);
    }

    private static async Task<TimeSpan> StartAndTimeAsync(string executable, string workingDirectory, string database, bool provision)
    {
        var port = AppProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["Traceway__Cosmos__DatabaseName"] = database,
            ["Traceway__ProvisionStorage"] = provision ? "true" : "false",
            ["Traceway__ChangeFeed__Enabled"] = "false",
        };
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var stopwatch = Stopwatch.StartNew();
        await using var app = await AppProcess.StartExecutableAsync(executable, workingDirectory, environment);
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(60) && !app.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
                var elapsed = stopwatch.Elapsed;
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"health answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                return elapsed;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(5);
            }
        }

        throw new InvalidOperationException($"The packaged app did not answer within 60 s; output: {await app.OutputAsync()}");
    }

    private static JsonElement HostDescription() =>
        FunctionFolders.HostJson.GetProperty("customHandler").GetProperty("description");
}
