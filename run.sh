#!/usr/bin/env bash
# Runs Traceway locally: installs the emulators if missing, starts Cosmos DB and Azurite emulators,
# builds and starts the app on http://127.0.0.1:${TRACEWAY_PORT:-7071}. Ctrl-C stops everything it started.
#
# Ports: TRACEWAY_PORT (7071), COSMOS_PORT (8081), BLOB_PORT (10000), QUEUE_PORT (10001), TABLE_PORT (10002).
# State (admin key, emulator log and pid, dev project): TRACEWAY_STATE_DIR (.local). If the app dies, the emulators keep
# running with their data and another ./run.sh starts the app on them again. TRACEWAY_SKIP_BUILD=1 starts the app as
# last built (Release) without building it.
set -euo pipefail
cd "$(dirname "$0")"

app_port=${TRACEWAY_PORT:-7071}
cosmos_port=${COSMOS_PORT:-8081}
blob_port=${BLOB_PORT:-10000}
queue_port=${QUEUE_PORT:-10001}
table_port=${TABLE_PORT:-10002}
state=${TRACEWAY_STATE_DIR:-.local}
mkdir -p "$state"

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT
trap 'exit 130' INT TERM

scripts/install-emulators.sh
if [[ "${TRACEWAY_SKIP_BUILD:-}" != 1 ]]; then
  echo "Building the app..."
  dotnet build src/Traceway.Functions/Traceway.Functions.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
fi

# Emulators already started by another ./run.sh (whose app crashed or was stopped) are reused, data and all.
if [[ -s "$state/emulators.pid" ]] && kill -0 "$(cat "$state/emulators.pid")" 2>/dev/null && grep -q '^READY ' "$state/emulators.log"; then
  echo "Reusing the emulators of another ./run.sh (pid $(cat "$state/emulators.pid")); Ctrl-C there stops them."
else
  node emulators/start.js --cosmos-port "$cosmos_port" --blob-port "$blob_port" --queue-port "$queue_port" \
    --table-port "$table_port" > "$state/emulators.log" 2>&1 &
  emulators=$!
  pids+=("$emulators")
  echo "$emulators" > "$state/emulators.pid"
  for _ in $(seq 1 300); do
    grep -q '^READY ' "$state/emulators.log" && break
    kill -0 "$emulators" 2>/dev/null || { cat "$state/emulators.log"; exit 1; }
    sleep 0.1
  done
  grep -q '^READY ' "$state/emulators.log" || { echo "The emulators did not start:"; cat "$state/emulators.log"; exit 1; }
fi
# Endpoints and keys come from the emulators' READY line (emulators/start.js owns them).
ready=$(sed -n 's/^READY //p' "$state/emulators.log" | head -n 1)
ready_value() { node -e 'let v = JSON.parse(process.argv[1]); for (const k of process.argv[2].split(".")) v = v[k]; console.log(v);' "$ready" "$1"; }
cosmos_endpoint=$(ready_value cosmos.endpoint)
cosmos_key=$(ready_value cosmos.key)
blob_endpoint=$(ready_value blob.endpoint)
blob_connection=$(ready_value blob.connectionString)

# A development admin key, generated once and kept in .local/ (git-ignored).
[[ -s "$state/admin-key" ]] || node -e 'console.log("twa_" + require("crypto").randomBytes(32).toString("base64url"))' > "$state/admin-key"
admin_key=$(cat "$state/admin-key")

Traceway__Port=$app_port \
Traceway__AdminKey=$admin_key \
Traceway__ProvisionStorage=true \
Traceway__Cosmos__AccountEndpoint="$cosmos_endpoint" \
Traceway__Cosmos__Key="$cosmos_key" \
Traceway__Blob__ConnectionString="$blob_connection" \
  bash -c 'cd src/Traceway.Functions/bin/Release/net10.0 && exec dotnet Traceway.Functions.dll' &
app=$!
pids+=("$app")
echo "$app" > "$state/app.pid"

node scripts/wait-for-http.js "http://127.0.0.1:${app_port}/api/health" 200 60
echo
echo "Traceway is running at http://127.0.0.1:${app_port}  (health: /api/health)"
echo "  Cosmos DB emulator ${cosmos_endpoint}   Azurite blob ${blob_endpoint}"
echo "  Admin key (Traceway:AdminKey): ${admin_key}"
node scripts/create-dev-project.js "http://127.0.0.1:${app_port}" "$admin_key" "$state/dev-project.json"
cat <<MSG
  Dashboard: http://127.0.0.1:${app_port}/  (sign in with the read key above)
  Send a trace:
    curl -s http://127.0.0.1:${app_port}/api/ingest -H "Authorization: Bearer <ingest key>" -H 'Content-Type: application/json' \\
      -d '{"traces":[{"id":"t-1","sessionId":"s-1","startedAt":"2026-11-20T10:00:00Z"}]}'
Press Ctrl-C to stop.
MSG
set +e
wait "$app"
code=$?
set -e
# A crashed app leaves the emulators (and the data in them) running: another ./run.sh starts the app on them again.
if [[ -n "${emulators:-}" ]] && kill -0 "$emulators" 2>/dev/null; then
  echo "The app exited (code $code). The emulators keep running with their data: run ./run.sh in another terminal to start the app again; Ctrl-C here stops them."
  wait "$emulators"
fi
exit "$code"
