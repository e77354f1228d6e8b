using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Traceway.Tests.Dashboard;

/// <summary>
/// The dashboard in real headless Chromium against the real app on the emulators: what a person signing in with a
/// read key sees and can do, each answer compared with the public API's own answer to the same question.
/// </summary>
[Collection(DashboardTestGroup.Name)]
public sealed class DashboardBrowserTests(DashboardSessions app, ITestOutputHelper output)
{
    private const string Loaded = "[data-state=loaded]";

    [Fact]
    public async Task Signing_in_keeps_the_read_key_in_session_storage_and_sends_it_only_as_a_header_never_in_a_URL()
    {
        var page = await NewPageAsync();
        var requests = new List<IRequest>();
        page.Request += (_, request) => requests.Add(request);

        var first = await page.GotoAsync("/");
        await page.FillAsync("#key", "tw_0000000000000000_wrong");
        await page.ClickAsync("#signin button[type=submit]");
        await Expect(page.Locator("#signin .form-error")).ToContainTextAsync("not known");
        await page.FillAsync("#key", app.Project.ReadKey);
        await page.ClickAsync("#signin button[type=submit]");
        await Expect(page.Locator($"section.results{Loaded} table.sessions tbody tr").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardBrowser.Artifacts, "sessions.png") });

        Assert.Equal(app.Project.ReadKey, await page.EvaluateAsync<string>("sessionStorage.getItem('traceway.readKey')"));
        Assert.Null(await page.EvaluateAsync<string?>("localStorage.getItem('traceway.readKey')"));
        Assert.DoesNotContain(requests.Select(r => r.Url).Append(page.Url), url => url.Contains(app.Project.ReadKey, StringComparison.Ordinal));
        var apiCalls = requests.Where(r => new Uri(r.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(apiCalls);
        Assert.Equal($"Bearer {app.Project.ReadKey}", await apiCalls[^1].HeaderValueAsync("authorization"));
        var policy = await first!.HeaderValueAsync("content-security-policy");
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filtering_failed_gpt_4o_sessions_of_the_last_week_costing_more_than_a_dollar_lists_exactly_the_APIs_answer()
    {
        var page = await SignedInPageAsync();

        await page.SelectOptionAsync("form.filters select[name=period]", "7d");
        await page.SelectOptionAsync("form.filters select[name=status]", "error");
        await page.FillAsync("form.filters input[name=model]", "gpt-4o");
        await page.FillAsync("form.filters input[name=minCost]", "1");
        var asked = DateTimeOffset.UtcNow;
        await page.ClickAsync("form.filters button[type=submit]");
        var shown = await ShownSessionsAsync(page, "minCost=1");

        var api = await ApiSessionsAsync($"from={Uri.EscapeDataString(asked.AddDays(-7).ToString("O", CultureInfo.InvariantCulture))}&status=error&model=gpt-4o&minCost=1&limit=200");
        var oracle = app.Journeys.Where(s => s.Failed && s.Model == "gpt-4o" && s.Cost > 1 && s.DaysAgo <= 7).Select(s => s.Id).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(oracle);
        Assert.Equal(oracle, api.Order(StringComparer.Ordinal));
        Assert.Equal(api, shown);
        Assert.Contains("status=error", page.Url, StringComparison.Ordinal);
        Assert.Contains("model=gpt-4o", page.Url, StringComparison.Ordinal);
        Assert.Contains("period=7d", page.Url, StringComparison.Ordinal);

        // The filters live in the URL: a reload (or a shared link) shows the same sessions.
        await page.ReloadAsync();
        Assert.Equal(api, await ShownSessionsAsync(page, "minCost=1"));
        Assert.Equal("gpt-4o", await page.InputValueAsync("form.filters input[name=model]"));
    }

    [Fact]
    public async Task A_filter_the_API_refuses_shows_the_field_to_correct_and_an_empty_result_says_what_to_do()
    {
        var page = await SignedInPageAsync();

        await page.EvaluateAsync("location.hash = '#/sessions?minCost=-3'");
        await Expect(page.Locator("section.results[data-state=error]")).ToContainTextAsync("minCost");
        await page.EvaluateAsync("location.hash = '#/sessions?model=no-such-model'");
        await Expect(page.Locator("section.results[data-state=empty]")).ToContainTextAsync("No session matches these filters");
    }

    [Fact]
    public async Task A_session_reads_turn_by_turn_in_order_with_a_tool_step_expanded_and_its_failed_turn_highlighted()
    {
        var page = await SessionPageAsync(DashboardSessions.Conversation);

        var turns = page.Locator("ol.turns > li.turn");
        await Expect(turns).ToHaveCountAsync(DashboardSessions.ConversationInputTokens.Length);
        Assert.Equal(["question 1", "question 2", "question 3", "question 4", "question 5"], await page.Locator("li.turn .user-input pre").AllInnerTextsAsync());
        Assert.Equal(["answer 1", "answer 2", "answer 3", "answer 4", "answer 5"], await page.Locator("li.turn .response pre").AllInnerTextsAsync());
        Assert.Equal(["1", "2", "3", "4", "5"], await turns.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.turn)"));

        var turn = page.Locator("li.turn[data-turn='2']");
        var tool = turn.Locator("li.step[data-kind=tool]");
        await Expect(tool).Not.ToBeVisibleAsync();
        await turn.Locator("details.steps > summary").ClickAsync();
        await tool.Locator("> details > summary").ClickAsync();
        await Expect(tool.Locator("pre.step-input")).ToContainTextAsync("\"orderId\": \"order-2\"");
        await Expect(tool.Locator("pre.step-output")).ToHaveTextAsync("order-2 shipped");
        // The tree: the tool call is a child of the agent step, beside the LLM call.
        Assert.Equal(["agent", "llm", "tool"], await turn.Locator("li.step").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.kind)"));
        Assert.Equal(1, await turn.Locator("li.step[data-kind=agent] > ul.step-tree > li.step[data-kind=tool]").CountAsync());

        await Expect(page.Locator("li.turn[data-turn='3']")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bfailed\b"));
        await Expect(page.Locator("li.turn.failed")).ToHaveCountAsync(1);
        await Expect(page.Locator("li.turn[data-turn='3'] li.step.failed[data-kind=retrieval]")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardBrowser.Artifacts, "session.png"), FullPage = true });
    }

    [Fact]
    public async Task The_token_chart_has_one_point_per_turn_and_marks_the_turn_with_the_context_window_warning()
    {
        var page = await SessionPageAsync(DashboardSessions.Conversation);
        using var client = app.CreateClient(app.Project.ReadKey);
        var replay = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/sessions/{DashboardSessions.Conversation}/replay", UriKind.Relative));
        var warnedByApi = replay.GetProperty("turns").EnumerateArray().Select((t, i) => (Turn: i + 1, Warned: t.GetProperty("warnings").GetArrayLength() > 0))
            .Where(t => t.Warned).Select(t => t.Turn.ToString(CultureInfo.InvariantCulture)).ToList();

        var points = page.Locator("svg.token-chart circle.turn-point");
        await Expect(points).ToHaveCountAsync(DashboardSessions.ConversationInputTokens.Length);
        Assert.Equal(["1", "2", "3", "4", "5"], await points.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.turn)"));
        Assert.Equal([DashboardSessions.WarningTurn.ToString(CultureInfo.InvariantCulture)], warnedByApi);
        Assert.Equal(warnedByApi, await page.Locator("svg.token-chart circle.turn-point.warning").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.turn)"));
        // Heights follow the tokens: the highest point (smallest y) is the warning turn's 110,000 tokens.
        var heights = await points.EvaluateAllAsync<double[]>("items => items.map(i => Number(i.getAttribute('cy')))");
        Assert.Equal(DashboardSessions.WarningTurn - 1, Array.IndexOf(heights, heights.Min()));
        await Expect(page.Locator("svg.token-chart line.context-window")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task An_output_that_is_HTML_shows_its_characters_and_runs_nothing()
    {
        var page = await SignedInPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };

        await page.EvaluateAsync($"location.hash = '#/session/{DashboardSessions.Xss}'");
        await Expect(page.Locator($".session-body{Loaded} li.turn")).ToHaveCountAsync(1);
        await page.ClickAsync("li.turn details.steps > summary");
        await page.ClickAsync("li.turn li.step > details > summary");

        Assert.Equal(DashboardSessions.XssPayload, await page.InnerTextAsync("li.turn .response pre"));
        Assert.Equal(DashboardSessions.XssPayload, await page.InnerTextAsync("li.turn .user-input pre"));
        Assert.Equal(DashboardSessions.XssPayload, await page.InnerTextAsync("li.turn .turn-name"));
        Assert.Equal(DashboardSessions.XssPayload, await page.InnerTextAsync("li.step .step-name"));
        Assert.Contains(DashboardSessions.XssPayload, await page.InnerTextAsync("li.step pre.step-output"), StringComparison.Ordinal);
        await page.EvaluateAsync("location.hash = '#/sessions?tag=' + encodeURIComponent('<img src=x onerror=alert(1)>')");
        await Expect(page.Locator($"section.results{Loaded} tr[data-session-id='{DashboardSessions.Xss}'] .chip").First).ToHaveTextAsync(DashboardSessions.XssPayload);

        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task Paging_through_a_session_of_1000_turns_shows_every_turn_once_in_order()
    {
        var page = await SessionPageAsync(DashboardSessions.LongSession);
        var seen = new List<string>();
        var next = page.Locator("nav.pager").First.Locator("button", new() { HasText = "Next turns" });
        while (true)
        {
            var turns = page.Locator($".session-body{Loaded} ol.turns > li.turn");
            await Expect(turns.First).ToHaveAttributeAsync("data-turn", (seen.Count + 1).ToString(CultureInfo.InvariantCulture));
            seen.AddRange(await turns.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.traceId)"));
            Assert.Equal(await turns.CountAsync(), await page.Locator("svg.token-chart circle.turn-point").CountAsync());
            if (await next.IsDisabledAsync())
            {
                break;
            }

            Assert.True(seen.Count < DashboardSessions.LongTurns, "The Next button stays enabled past the last turn.");
            await next.ClickAsync();
        }

        Assert.Equal(Enumerable.Range(1, DashboardSessions.LongTurns).Select(t => $"long-t{t:D4}"), seen);
        await Expect(page.Locator("nav.pager .page-number").First).ToHaveTextAsync("Turns 901–1000 of 1,000");
    }

    [Fact]
    public async Task The_journeys_view_shows_the_statistics_the_API_computes()
    {
        var page = await SignedInPageAsync();
        using var client = app.CreateClient(app.Project.ReadKey);
        var stats = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/stats/sessions", UriKind.Relative));

        await page.ClickAsync("#nav a:text('Journeys')");
        await Expect(page.Locator($"section.results{Loaded} .tiles")).ToBeVisibleAsync();

        await Expect(page.Locator(".tile").First.Locator("strong")).ToHaveTextAsync(stats.GetProperty("sessionCount").GetInt32().ToString("N0", CultureInfo.InvariantCulture));
        await Expect(page.Locator("svg.histogram rect.bar")).ToHaveCountAsync(stats.GetProperty("turnHistogram").GetArrayLength());
        await Expect(page.Locator("svg.cost-tail rect.bar")).ToHaveCountAsync(10);
        await Expect(page.Locator("table.models tbody tr")).ToHaveCountAsync(stats.GetProperty("models").GetArrayLength());
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardBrowser.Artifacts, "journeys.png"), FullPage = true });
    }

    [Fact]
    public async Task The_first_page_load_sends_under_200_KB_and_renders_the_list()
    {
        const int loads = 3;
        var measured = new List<(long DashboardBytes, long TotalBytes, double Milliseconds)>();
        for (var i = 0; i < loads; i++)
        {
            var context = await app.Browser.Browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString() });
            // A tab that has signed in before: the key is already in its sessionStorage, so the load ends at the list.
            await context.AddInitScriptAsync($"sessionStorage.setItem('traceway.readKey', {JsonSerializer.Serialize(app.Project.ReadKey)})");
            var page = await context.NewPageAsync();
            var finished = new List<IRequest>();
            page.RequestFinished += (_, request) => finished.Add(request);
            var stopwatch = Stopwatch.StartNew();
            await page.GotoAsync("/");
            await Expect(page.Locator($"section.results{Loaded} table.sessions tbody tr").First).ToBeVisibleAsync();
            var elapsed = stopwatch.Elapsed.TotalMilliseconds;
            long dashboard = 0, total = 0;
            foreach (var request in finished.ToList())
            {
                var sizes = await request.SizesAsync();
                var bytes = sizes.ResponseBodySize + sizes.ResponseHeadersSize;
                total += bytes;
                dashboard += new Uri(request.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal) ? 0 : bytes;
            }

            measured.Add((dashboard, total, elapsed));
            await context.DisposeAsync();
        }

        var median = measured.Select(m => m.Milliseconds).Order().ElementAt(loads / 2);
        var report = new { date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), dashboardBytes = measured[0].DashboardBytes, totalBytes = measured[0].TotalBytes, listRenderedMs = measured.Select(m => Math.Round(m.Milliseconds)).ToArray(), medianMs = Math.Round(median) };
        var json = JsonSerializer.Serialize(report);
        await File.WriteAllTextAsync(Path.Combine(DashboardBrowser.Artifacts, "first-load.json"), json);
        output.WriteLine(json);
        Assert.InRange(measured[0].TotalBytes, 1, 200 * 1024);
    }

    private async Task<IPage> NewPageAsync()
    {
        var page = await app.Browser.NewPageAsync(app.BaseAddress);
        page.PageError += (_, error) => output.WriteLine("page error: " + error);
        return page;
    }

    private async Task<IPage> SignedInPageAsync()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/");
        await page.FillAsync("#key", app.Project.ReadKey);
        await page.ClickAsync("#signin button[type=submit]");
        await Expect(page.Locator($"section.results{Loaded}")).ToBeVisibleAsync();
        return page;
    }

    private async Task<IPage> SessionPageAsync(string sessionId)
    {
        var page = await SignedInPageAsync();
        await page.EvaluateAsync($"location.hash = '#/session/' + encodeURIComponent({JsonSerializer.Serialize(sessionId)})");
        await Expect(page.Locator($".session-body{Loaded}")).ToBeVisibleAsync();
        return page;
    }

    /// <summary>The session ids of the list's rows once the list for a route containing <paramref name="routePart"/> has loaded.</summary>
    private static async Task<List<string>> ShownSessionsAsync(IPage page, string routePart)
    {
        await Expect(page.Locator($"main[data-route*='{routePart}'] section.results:is([data-state=loaded],[data-state=empty])")).ToBeVisibleAsync();
        return [.. await page.Locator("table.sessions tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.sessionId)")];
    }

    private async Task<List<string>> ApiSessionsAsync(string query)
    {
        using var client = app.CreateClient(app.Project.ReadKey);
        var page = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/sessions?" + query, UriKind.Relative));
        Assert.Equal(JsonValueKind.Null, page.GetProperty("nextCursor").ValueKind);
        return [.. page.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("sessionId").GetString()!)];
    }
}
