// Creates a development project through the admin API and prints its ingest and read keys. The local emulators keep
// data in memory: a run on new emulators gets a new project, a run on reused emulators keeps the project it finds.
// Usage: node create-dev-project.js <baseUrl> <adminKey> <outputFile>
const fs = require("fs");
const [baseUrl, adminKey, outputFile] = process.argv.slice(2);

const key = (project, scope) => project.keys.find(k => k.scopes.includes(scope)).key;

async function existingProject() {
  if (!fs.existsSync(outputFile)) return null;
  const project = JSON.parse(fs.readFileSync(outputFile, "utf8"));
  const response = await fetch(`${baseUrl}/api/sessions?limit=1`, { headers: { Authorization: `Bearer ${key(project, "read")}` } });
  return response.status === 200 ? project : null;
}

async function newProject() {
  const response = await fetch(`${baseUrl}/api/projects`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "dev" }),
  });
  if (response.status !== 201) {
    throw new Error(`${response.status} ${await response.text()}`);
  }
  const project = await response.json();
  fs.writeFileSync(outputFile, JSON.stringify(project, null, 2));
  return project;
}

(async () => {
  const kept = await existingProject();
  const project = kept ?? (await newProject());
  console.log(`  Dev project ${project.id}${kept ? " (kept from the earlier run)" : ""}`);
  console.log(`    ingest key: ${key(project, "ingest")}`);
  console.log(`    read key:   ${key(project, "read")}`);
})().catch(error => {
  console.error(`Creating the dev project failed: ${error.message}`);
  process.exit(1);
});
