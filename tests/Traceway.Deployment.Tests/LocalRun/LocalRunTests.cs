using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Traceway.Tests.LocalRun;

/// <summary>The README's run command, <c>./run.sh</c>, as a developer uses it: the app crashes and is started again.</summary>
public sealed class LocalRunTests : IDisposable
{

    private readonly string _state = Directory.CreateTempSubdirectory("traceway-run-").FullName;
    private readonly Dictionary<string, string> _ports = new()
    {
        ["TRACEWAY_PORT"] = Port(),
        ["COSMOS_PORT"] = Port(),
        ["BLOB_PORT"] = Port(),
        ["QUEUE_PORT"] = Port(),
        ["TABLE_PORT"] = Port(),
    };

    private int AppPort => int.Parse(_ports["TRACEWAY_PORT"], CultureInfo.InvariantCulture);

    [Fact]
    public async Task When_the_app_dies_the_emulators_keep_its_data_and_a_second_run_starts_the_app_on_them()
    {
        using var first = RunScript.Start(_state, _ports);
        try
        {
            await WaitUntilReadyAsync(first);
            using var admin = Client(File.ReadAllText(Path.Combine(_state, "admin-key")).Trim());
            var project = await TestProject.CreateAsync(admin, "run");
            using (var ingest = Client(project.IngestKey))
            {
                using var sent = await ingest.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative),
                    new { traces = new[] { new { id = "before-crash", sessionId = "s", name = "kept", startedAt = "2026-11-20T10:00:00Z" } } });
                Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
            }

            var emulators = int.Parse(File.ReadAllText(Path.Combine(_state, "emulators.pid")), CultureInfo.InvariantCulture);
            using (var app = Process.GetProcessById(int.Parse(File.ReadAllText(Path.Combine(_state, "app.pid")), CultureInfo.InvariantCulture)))
            {
                app.Kill();
            }

            await first.WaitForOutputAsync("The emulators keep running", TimeSpan.FromSeconds(30));
            Assert.True(IsRunning(emulators), "The emulators stopped with the app.");

            using var second = RunScript.Start(_state, _ports);
            try
            {
                await WaitUntilReadyAsync(second);
                Assert.Contains("Reusing the emulators", second.Output, StringComparison.Ordinal);
                Assert.Contains("kept from the earlier run", second.Output, StringComparison.Ordinal);

                using var read = Client(project.ReadKey);
                var trace = await read.GetFromJsonAsync<JsonElement>(new Uri("/api/traces/before-crash", UriKind.Relative));
                Assert.Equal("kept", trace.GetProperty("name").GetString());
            }
            finally
            {
                await second.InterruptAsync();
            }

            // The second run stopped only its app; the first still owns the emulators and stops them.
            Assert.True(IsRunning(emulators), "The second run stopped emulators it did not start.");
            await first.InterruptAsync();
            Assert.True(await StopsWithinAsync(emulators, TimeSpan.FromSeconds(30)), "Ctrl-C on the first run left its emulators running.");
        }
        finally
        {
            await first.InterruptAsync();
        }
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);

    /// <summary>Until the app answers and run.sh has printed its keys and instructions.</summary>
    private async Task WaitUntilReadyAsync(RunScript run)
    {
        await WaitForHealthAsync(run);
        await run.WaitForOutputAsync("Press Ctrl-C to stop.", TimeSpan.FromSeconds(30));
    }

    private async Task WaitForHealthAsync(RunScript run)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{AppPort}"), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(run.HasExited, "run.sh exited: " + run.Output);
            try
            {
                using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        Assert.Fail("The app did not become healthy: " + run.Output);
    }

    private HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{AppPort}") };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    /// <summary>Polls: a process killed by its parent's exit trap may take a moment to be gone from the process table.</summary>
    private static async Task<bool> StopsWithinAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsRunning(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    /// <summary>Alive and not a zombie (an exited child not yet reaped still has a process table entry).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Port() => AppProcess.FreePort().ToString(CultureInfo.InvariantCulture);

    /// <summary>One <c>./run.sh</c>, stopped as a developer stops it: Ctrl-C (SIGINT), then by force if it lingers.</summary>
    private sealed class RunScript : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private RunScript(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public bool HasExited => _process.HasExited;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static RunScript Start(string state, IReadOnlyDictionary<string, string> ports)
        {
            var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "run.sh"));
            start.Environment["TRACEWAY_STATE_DIR"] = state;
            // The test run has built the app already; building it again here would race the package tests' publish.
            start.Environment["TRACEWAY_SKIP_BUILD"] = "1";
            foreach (var (name, value) in ports)
            {
                start.Environment[name] = value;
            }

            return new RunScript(Process.Start(start)!);
        }

        public async Task WaitForOutputAsync(string text, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, $"run.sh did not print '{text}': {Output}");
                await Task.Delay(100);
            }
        }

        public async Task InterruptAsync()
        {
            if (_process.HasExited)
            {
                return;
            }

            using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
