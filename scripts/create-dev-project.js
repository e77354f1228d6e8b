// Creates a development project through the admin API and prints its ingest and read keys.
// The local emulators keep data in memory, so each local run starts with a new project.
// Usage: node create-dev-project.js <baseUrl> <adminKey> <outputFile>
const fs = require("fs");
const [baseUrl, adminKey, outputFile] = process.argv.slice(2);

(async () => {
  const response = await fetch(`${baseUrl}/api/projects`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "dev" }),
  });
  if (response.status !== 201) {
    console.error(`Creating the dev project failed: ${response.status} ${await response.text()}`);
    process.exit(1);
  }
  const project = await response.json();
  fs.writeFileSync(outputFile, JSON.stringify(project, null, 2));
  const key = scope => project.keys.find(k => k.scopes.includes(scope)).key;
  console.log(`  Dev project ${project.id}`);
  console.log(`    ingest key: ${key("ingest")}`);
  console.log(`    read key:   ${key("read")}`);
})().catch(error => {
  console.error(`Creating the dev project failed: ${error.message}`);
  process.exit(1);
});
