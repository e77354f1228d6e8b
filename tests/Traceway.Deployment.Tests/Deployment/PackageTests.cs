using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using Xunit.Abstractions;

namespace Traceway.Tests.Deployment;

/// <summary>The zip made by scripts/package.sh is the isolated worker's publish output that Flex Consumption runs.</summary>
[Collection(PackageTestGroup.Name)]
public sealed class PackageTests(PackageFixture package, ITestOutputHelper output)
{
    [Fact]
    public void The_package_root_holds_host_json_the_generated_worker_files_and_the_app()
    {
        using var archive = ZipFile.OpenRead(package.ZipPath);
        var names = archive.Entries.Select(e => e.FullName).ToHashSet();

        foreach (var file in new[] { "host.json", "functions.metadata", "worker.config.json", "extensions.json", "Traceway.Functions.dll", "Traceway.Functions.runtimeconfig.json" })
        {
            Assert.Contains(file, names);
        }

        Assert.Contains(names, n => n.StartsWith(".azurefunctions/", StringComparison.Ordinal));
        Assert.Equal(
            File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Traceway.Functions", "host.json")),
            File.ReadAllText(Path.Combine(package.Extracted, "host.json")));
        // No custom handler and no extension bundle: the host runs the worker the SDK describes.
        Assert.False(package.Functions.HostJson.TryGetProperty("customHandler", out _));
        Assert.False(package.Functions.HostJson.TryGetProperty("extensionBundle", out _));
    }

    [Fact]
    public void The_worker_config_names_the_packaged_assembly_as_a_dotnet_isolated_worker()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(package.Extracted, "worker.config.json")));
        var description = config.RootElement.GetProperty("description");

        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.True(File.Exists(Path.Combine(package.Extracted, description.GetProperty("defaultWorkerPath").GetString()!)));
    }

    [Fact]
    public void The_packaged_app_runs_on_the_platforms_dotnet_10_and_is_compiled_ahead_of_time()
    {
        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(package.Extracted, "Traceway.Functions.runtimeconfig.json")));
        using var assembly = new PEReader(File.OpenRead(Path.Combine(package.Extracted, "Traceway.Functions.dll")));
        var frameworks = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("frameworks").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("version").GetString()!);

        // Framework-dependent: Flex Consumption's dotnet-isolated 10.0 runtime provides .NET and ASP.NET Core.
        Assert.StartsWith("10.0.", frameworks["Microsoft.NETCore.App"], StringComparison.Ordinal);
        Assert.StartsWith("10.0.", frameworks["Microsoft.AspNetCore.App"], StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(package.Extracted, "libcoreclr.so")));
        // ReadyToRun: native code beside the IL, so a cold start does not wait for the JIT.
        Assert.True(assembly.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "Traceway.Functions.dll is not ReadyToRun");
    }

    [Fact]
    public async Task Started_without_a_Functions_host_the_packaged_app_runs_standalone_and_answers_health()
    {
        var port = AppProcess.FreePort();
        var stopwatch = Stopwatch.StartNew();
        await using var app = await AppProcess.StartAsync(Path.Combine(package.Extracted, "Traceway.Functions.dll"), [], new Dictionary<string, string>
        {
            ["Traceway__Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Traceway__ChangeFeed__Enabled"] = "false",
        });

        var status = await app.PollHealthAsync(port, TimeSpan.FromSeconds(60));

        Assert.True(status == HttpStatusCode.OK, $"health answered {status}; output: {await app.OutputAsync()}");
        var report = $"package: {package.PackagingTime.TotalSeconds:F1} s to build, {new FileInfo(package.ZipPath).Length / 1048576.0:F1} MiB; "
            + $"standalone start of the packaged app to first health answer: {stopwatch.ElapsedMilliseconds} ms";
        output.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(RepositoryPaths.Root, "artifacts"));
        await File.WriteAllTextAsync(Path.Combine(RepositoryPaths.Root, "artifacts", "package-startup.txt"), report + Environment.NewLine);
    }

    [Fact]
    public async Task Started_by_a_Functions_host_the_packaged_app_is_the_isolated_worker_that_calls_the_host_and_serves_no_standalone_port()
    {
        // Stands in for the host's gRPC endpoint: the worker's first act is to connect to it.
        using var host = new TcpListener(IPAddress.Loopback, 0);
        host.Start();
        var hostPort = ((IPEndPoint)host.LocalEndpoint).Port;
        var standalonePort = AppProcess.FreePort();
        string[] hostArguments = ["--functions-uri", $"http://127.0.0.1:{hostPort}/", "--functions-worker-id", "worker-1", "--functions-request-id", "request-1", "--functions-grpc-max-message-length", "2147483647"];
        await using var app = await AppProcess.StartAsync(Path.Combine(package.Extracted, "Traceway.Functions.dll"), hostArguments, new Dictionary<string, string>
        {
            ["Traceway__Port"] = standalonePort.ToString(CultureInfo.InvariantCulture),
            ["Traceway__ChangeFeed__Enabled"] = "false",
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var worker = await host.AcceptTcpClientAsync(timeout.Token);

        Assert.True(worker.Connected, await app.OutputAsync());
        Assert.Null(await app.PollHealthAsync(standalonePort, TimeSpan.FromSeconds(1)));
    }
}
