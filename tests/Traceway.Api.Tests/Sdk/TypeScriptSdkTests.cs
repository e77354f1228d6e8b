using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Traceway.Tests.Sdk;

/// <summary>The app the TypeScript SDK's end-to-end tests talk to: rollups on, since they assert session summaries.</summary>
public sealed class SdkTestApp : TracewayApp
{
    public SdkTestApp()
    {
        WithSetting("Traceway:ChangeFeed:Enabled", "true");
        WithSetting("Traceway:ChangeFeed:PollIntervalMs", "100");
    }

    /// <summary>The app's loopback URL, for a client outside this process.</summary>
    public string BaseUrl => Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}

/// <summary>
/// The TypeScript SDK (<c>sdk/typescript</c>): each end-to-end file of the SDK runs under <c>node --test</c> against
/// this app with a new project's ingest and read keys, and asserts what the replay API shows; its unit tests
/// (transport faults against a fake endpoint) run too, so one command runs every SDK test.
/// Builds nothing: <c>./test.sh</c> builds the SDK first (<c>scripts/build-sdk.sh</c>).
/// </summary>
public sealed class TypeScriptSdkTests(SdkTestApp app) : IClassFixture<SdkTestApp>
{
    private static readonly string SdkDirectory = Path.Combine(RepositoryPaths.Root, "sdk", "typescript");

    [Theory]
    [InlineData("quickstart.test.mjs")]
    [InlineData("agent.test.mjs")]
    [InlineData("faults.test.mjs")]
    public async Task The_SDK_end_to_end_tests_pass_against_the_real_app(string file)
    {
        Assert.True(File.Exists(Path.Combine(SdkDirectory, "dist", "index.js")), $"The SDK is not built in {SdkDirectory}: run scripts/build-sdk.sh (./test.sh does).");
        var project = await app.CreateProjectAsync("typescript-sdk");

        var (exitCode, output) = await RunNodeTestsAsync(Path.Combine("test", "e2e", file), new Dictionary<string, string>
        {
            ["TRACEWAY_BASE_URL"] = app.BaseUrl,
            ["TRACEWAY_API_KEY"] = project.IngestKey,
            ["TRACEWAY_READ_KEY"] = project.ReadKey,
        });

        Assert.True(exitCode == 0, $"node --test {file} exited with {exitCode}:\n{output}");
        // A test that skipped (no server configured) would pass silently: every one must have run.
        Assert.Contains("# skipped 0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("# pass 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_SDK_unit_tests_pass()
    {
        Assert.True(File.Exists(Path.Combine(SdkDirectory, "dist", "index.js")), $"The SDK is not built in {SdkDirectory}: run scripts/build-sdk.sh (./test.sh does).");

        var (exitCode, output) = await RunNodeTestsAsync(Path.Combine("test", "unit"), []);

        Assert.True(exitCode == 0, $"node --test test/unit exited with {exitCode}:\n{output}");
        Assert.Contains("# skipped 0", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunNodeTestsAsync(string file, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = SdkDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--test");
        start.ArgumentList.Add(file);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            output.AppendLine("(killed after 120 s)");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}
