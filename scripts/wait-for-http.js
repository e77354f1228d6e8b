// Waits until a URL answers with the expected status; exits non-zero after the timeout.
// Usage: node wait-for-http.js <url> [status=200] [timeoutSeconds=60]
const [url, status = "200", timeout = "60"] = process.argv.slice(2);
const deadline = Date.now() + Number(timeout) * 1000;

(async () => {
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status === Number(status)) process.exit(0);
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      console.error(`${url} did not answer ${status} within ${timeout} s`);
      process.exit(1);
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
})();
