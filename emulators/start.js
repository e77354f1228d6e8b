#!/usr/bin/env node
"use strict";
/*
 * Starts the local emulators used by Traceway's local run, tests and benchmark:
 *   - Cosmos DB: @vercel/cosmosdb-server (patched, see patches/ and cosmos/) over HTTPS, in this
 *     process, through its programmatic API with keep-alive
 *   - Azurite blob, queue and table, in memory, through the azurite CLI and its documented flags,
 *     in a child process
 * all bound to 127.0.0.1. This file owns the emulators' endpoints and well-known keys: the READY
 * line carries them, and every consumer in the repository reads them from there.
 *
 * Usage: node start.js [--cosmos-port N] [--blob-port N] [--queue-port N]
 *                      [--table-port N] [--exit-on-stdin-close]
 * Prints one line to stdout (its first) when everything listens:
 *   READY {"cosmos":{"port":8081,"endpoint":"https://127.0.0.1:8081/","key":"...","connectionString":"..."},
 *          "blob":{"port":10000,"endpoint":"http://127.0.0.1:10000/devstoreaccount1","connectionString":"..."},
 *          "queue":{...},"table":{...},"processes":{"cosmos":PID,"azurite":PID}}
 * (one line; see README.md). Port 0 picks a free port (the READY line reports the real one).
 * SIGINT / SIGTERM (or stdin EOF with --exit-on-stdin-close) closes everything, exit 0.
 * Nothing is written to disk: all stores are in memory.
 */
const childProcess = require("child_process");
const path = require("path");

const HOST = "127.0.0.1";
const USAGE = "usage: node start.js [--cosmos-port N] [--blob-port N] [--queue-port N] [--table-port N] [--exit-on-stdin-close]";

/** The emulators' documented well-known credentials (not secrets: every emulator install has them). */
const COSMOS_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";
const STORAGE_ACCOUNT = "devstoreaccount1";
const STORAGE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const AZURITE_SERVICES = { blob: "Blob", queue: "Queue", table: "Table" };

function fail(message, code = 1) {
    process.stderr.write(`start.js: ${message}\n`);
    process.exit(code);
}

function parseArgs(argv) {
    const opts = { cosmos: 8081, blob: 10000, queue: 10001, table: 10002, exitOnStdinClose: false };
    const portFlags = { "--cosmos-port": "cosmos", "--blob-port": "blob", "--queue-port": "queue", "--table-port": "table" };
    for (let i = 0; i < argv.length; i += 1) {
        let arg = argv[i];
        let value;
        const eq = arg.indexOf("=");
        if (arg.startsWith("--") && eq > 0) {
            value = arg.slice(eq + 1);
            arg = arg.slice(0, eq);
        }
        if (arg === "--exit-on-stdin-close") {
            opts.exitOnStdinClose = true;
        }
        else if (arg === "--help" || arg === "-h") {
            process.stdout.write(`${USAGE}\n`);
            process.exit(0);
        }
        else if (portFlags[arg]) {
            if (value === undefined) {
                i += 1;
                value = argv[i];
            }
            const n = Number(value);
            if (value === undefined || !/^\d+$/.test(value) || n > 65535) {
                fail(`invalid value for ${arg}: ${value === undefined ? "(missing)" : value}\n${USAGE}`, 2);
            }
            opts[portFlags[arg]] = n;
        }
        else {
            fail(`unknown argument: ${argv[i]}\n${USAGE}`, 2);
        }
    }
    return opts;
}

function describeListenError(name, port, err) {
    if (err && err.code === "EADDRINUSE") {
        return `${name} emulator cannot listen on ${HOST}:${port}: port already in use`;
    }
    if (err && err.code === "EACCES") {
        return `${name} emulator cannot listen on ${HOST}:${port}: permission denied`;
    }
    return `${name} emulator failed to start on ${HOST}:${port}: ${err && err.message ? err.message : err}`;
}

async function startCosmos(port) {
    const cosmos = require("@vercel/cosmosdb-server");
    // keepAlive: the server answers "connection: keep-alive" instead of closing
    // every connection (the CLI's behaviour), which is several times faster.
    const server = cosmos.createHttpsServer({ keepAlive: true });
    // Let clients close idle connections first (.NET pools them for ~1-2 min).
    server.keepAliveTimeout = 10 * 60 * 1000;
    server.headersTimeout = 10 * 60 * 1000 + 1000;
    server.requestTimeout = 0;
    await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, HOST, () => {
            server.removeListener("error", reject);
            resolve();
        });
    }).catch(err => {
        throw new Error(describeListenError("Cosmos DB", port, err));
    });
    return {
        port: server.address().port,
        close: () => new Promise(resolve => {
            server.close(() => resolve());
            if (server.closeAllConnections)
                server.closeAllConnections();
        })
    };
}

/**
 * Starts Azurite's blob, queue and table services with the azurite CLI's documented flags
 * (azurite 3.35.0 has no public programmatic API: its package's main is the VS Code extension).
 * Resolves when all three listen, with the ports they report.
 */
function startAzurite(ports) {
    const cli = path.join(path.dirname(require.resolve("azurite/package.json")), require("azurite/package.json").bin.azurite);
    const args = [
        "--require", path.join(__dirname, "azurite", "exit-with-parent.js"), cli,
        "--blobHost", HOST, "--blobPort", String(ports.blob),
        "--queueHost", HOST, "--queuePort", String(ports.queue),
        "--tableHost", HOST, "--tablePort", String(ports.table),
        "--inMemoryPersistence", // nothing on disk
        "--loose", // ignore unsupported headers and parameters
        "--skipApiVersionCheck", // newer Azure.Storage SDKs than this Azurite knows
        "--silent", // no access log
        "--disableTelemetry"
    ];
    const env = { ...process.env };
    delete env.AZURITE_DB; // would select SQL metadata storage, which rejects --inMemoryPersistence
    const child = childProcess.spawn(process.execPath, args, {
        cwd: __dirname,
        env,
        stdio: ["ignore", "pipe", "pipe", "ipc"]
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", chunk => {
        stderr += chunk;
    });
    const exited = new Promise(resolve => child.once("exit", (code, signal) => resolve({ code, signal })));
    const close = async () => {
        if (child.exitCode !== null || child.signalCode !== null)
            return;
        child.kill("SIGTERM");
        const force = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(force);
    };
    return new Promise((resolve, reject) => {
        const listening = {};
        let buffered = "";
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", chunk => {
            buffered += chunk;
            let nl;
            while ((nl = buffered.indexOf("\n")) >= 0) {
                const line = buffered.slice(0, nl).trim();
                buffered = buffered.slice(nl + 1);
                // "Azurite Blob service is successfully listening at http://127.0.0.1:10000"
                const m = /^Azurite (Blob|Queue|Table) service is successfully listening at \S+:(\d+)$/.exec(line);
                if (m) {
                    const kind = Object.keys(AZURITE_SERVICES).find(k => AZURITE_SERVICES[k] === m[1]);
                    listening[kind] = Number(m[2]);
                    if (Object.keys(AZURITE_SERVICES).every(k => listening[k] !== undefined)) {
                        resolve({ ports: listening, pid: child.pid, close });
                    }
                }
            }
        });
        child.once("error", err => reject(new Error(`Azurite could not be started: ${err.message}`)));
        exited.then(({ code, signal }) => {
            // "Exit due to unhandled error: listen EADDRINUSE: address already in use 127.0.0.1:10000"
            const inUse = /(EADDRINUSE|EACCES)\b.*:(\d+)\s*$/m.exec(stderr);
            if (inUse) {
                const port = Number(inUse[2]);
                const kind = Object.keys(AZURITE_SERVICES).find(k => ports[k] === port) || "storage";
                reject(new Error(describeListenError(`Azurite ${kind}`, port, { code: inUse[1] })));
            }
            else {
                reject(new Error(`Azurite exited (${signal || `code ${code}`}) before it listened: ${stderr.trim() || "no error output"}`));
            }
        });
    });
}

/** The READY line's object: each emulator's port, endpoint and credentials. */
function describe(cosmosPort, azurite) {
    const cosmosEndpoint = `https://${HOST}:${cosmosPort}/`;
    const storage = (kind, port) => {
        const endpoint = `http://${HOST}:${port}/${STORAGE_ACCOUNT}`;
        const service = AZURITE_SERVICES[kind];
        return {
            port,
            endpoint,
            connectionString: `DefaultEndpointsProtocol=http;AccountName=${STORAGE_ACCOUNT};AccountKey=${STORAGE_KEY};${service}Endpoint=${endpoint};`
        };
    };
    return {
        cosmos: {
            port: cosmosPort,
            endpoint: cosmosEndpoint,
            key: COSMOS_KEY,
            connectionString: `AccountEndpoint=${cosmosEndpoint};AccountKey=${COSMOS_KEY};`
        },
        blob: storage("blob", azurite.ports.blob),
        queue: storage("queue", azurite.ports.queue),
        table: storage("table", azurite.ports.table),
        processes: { cosmos: process.pid, azurite: azurite.pid }
    };
}

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const running = [];
    let stopping = false;

    const stop = async (code) => {
        if (stopping)
            return;
        stopping = true;
        const force = setTimeout(() => process.exit(code), 5000);
        force.unref();
        await Promise.all(running.map(r => r.close().catch(() => undefined)));
        process.exit(code);
    };

    process.on("SIGINT", () => stop(0));
    process.on("SIGTERM", () => stop(0));
    if (opts.exitOnStdinClose) {
        process.stdin.on("end", () => stop(0));
        process.stdin.on("close", () => stop(0));
        process.stdin.on("error", () => stop(0));
        process.stdin.resume();
    }

    let ready;
    try {
        // Azurite starts in its own process meanwhile.
        const azuriteStarting = startAzurite(opts);
        const cosmos = await startCosmos(opts.cosmos).catch(async err => {
            await azuriteStarting.then(a => a.close(), () => undefined);
            throw err;
        });
        running.push(cosmos);
        const azurite = await azuriteStarting;
        running.push(azurite);
        ready = describe(cosmos.port, azurite);
    }
    catch (err) {
        process.stderr.write(`start.js: ${err.message}\n`);
        stopping = true;
        await Promise.all(running.map(r => r.close().catch(() => undefined)));
        process.exit(1);
    }
    if (stopping)
        return;
    process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
}

main().catch(err => fail(err && err.stack ? err.stack : String(err)));
