using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Traceway.Tests.Deployment;

/// <summary>The Bicep CLI that scripts/install-bicep.sh restores from NuGet into .tools/bicep/bicep (pinned in tools/bicep/bicep.proj).</summary>
internal static class BicepCli
{
    public static string Executable { get; } = Path.Combine(RepositoryPaths.Root, ".tools", "bicep", "bicep");

    public static string Infra { get; } = Path.Combine(RepositoryPaths.Root, "infra");

    private static readonly Lazy<Task<JsonObject>> MainTemplate = new(CompileMainAsync);

    /// <summary>infra/main.bicep compiled to its ARM JSON template, once per test run.</summary>
    public static Task<JsonObject> CompiledMainAsync() => MainTemplate.Value;

    public static async Task<BicepRun> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"The Bicep CLI is not installed at {Executable}: run ./test.sh or scripts/install-bicep.sh.");
        }

        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Infra };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A null value removes the variable, so nothing from the caller's shell leaks into a test.
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new BicepRun(process.ExitCode, await stdout, await stderr);
    }

    private static async Task<JsonObject> CompileMainAsync()
    {
        var run = await RunAsync(["build", "main.bicep", "--stdout"]);
        Assert.True(run.ExitCode == 0, "bicep build failed: " + run.Diagnostics);
        return JsonNode.Parse(run.Stdout)!.AsObject();
    }
}

internal sealed record BicepRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Bicep writes its diagnostics (errors, warnings, infos) to standard error.</summary>
    public string Diagnostics => Stderr.Trim();
}
