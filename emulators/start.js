#!/usr/bin/env node
"use strict";
/*
 * Starts, in one Node process, the local emulators used by Traceway tests:
 *   - Cosmos DB: @vercel/cosmosdb-server (patched, see patches/) over HTTPS
 *   - Azurite blob, queue and table, in memory
 * all bound to 127.0.0.1.
 *
 * Usage: node start.js [--cosmos-port N] [--blob-port N] [--queue-port N]
 *                      [--table-port N] [--exit-on-stdin-close]
 * Prints one line to stdout when everything listens:
 *   READY {"cosmos":8081,"blob":10000,"queue":10001,"table":10002}
 * Port 0 picks a free port (the READY line reports the real one).
 * SIGINT / SIGTERM (or stdin EOF with --exit-on-stdin-close) closes everything, exit 0.
 * Nothing is written to disk: all stores are in memory.
 */
const os = require("os");
const path = require("path");

const HOST = "127.0.0.1";
const USAGE = "usage: node start.js [--cosmos-port N] [--blob-port N] [--queue-port N] [--table-port N] [--exit-on-stdin-close]";

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

async function startAzurite(kind, port, tmpRoot) {
    const base = path.join(path.dirname(require.resolve("azurite/package.json")), "dist", "src");
    const dbPath = name => path.join(tmpRoot, name); // never written: memory persistence
    let server;
    if (kind === "blob") {
        const Configuration = require(path.join(base, "blob", "BlobConfiguration")).default;
        const Server = require(path.join(base, "blob", "BlobServer")).default;
        // host, port, keepAliveTimeout, metadataDBPath, extentDBPath, persistencePathArray,
        // enableAccessLog, accessLogWriteStream, enableDebugLog, debugLogFilePath, loose,
        // skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, isMemoryPersistence
        server = new Server(new Configuration(HOST, port, undefined, dbPath("blob.json"), dbPath("blob_extent.json"),
            [{ locationId: "Default", locationPath: dbPath("blobstorage"), maxConcurrency: 1 }],
            false, undefined, false, undefined, true, true, "", "", "", undefined, false, true));
    }
    else if (kind === "queue") {
        const Configuration = require(path.join(base, "queue", "QueueConfiguration")).default;
        const Server = require(path.join(base, "queue", "QueueServer")).default;
        server = new Server(new Configuration(HOST, port, undefined, dbPath("queue.json"), dbPath("queue_extent.json"),
            [{ locationId: "Default", locationPath: dbPath("queuestorage"), maxConcurrency: 1 }],
            false, undefined, false, undefined, true, true, "", "", "", undefined, false, true));
    }
    else {
        const Configuration = require(path.join(base, "table", "TableConfiguration")).default;
        const Server = require(path.join(base, "table", "TableServer")).default;
        // host, port, keepAliveTimeout, metadataDBPath, enableDebugLog, enableAccessLog,
        // accessLogWriteStream, debugLogFilePath, loose, skipApiVersionCheck, cert, key, pwd,
        // oauth, disableProductStyleUrl, isMemoryPersistence
        server = new Server(new Configuration(HOST, port, undefined, dbPath("table.json"), false, false,
            undefined, undefined, true, true, "", "", "", undefined, false, true));
    }
    const name = `Azurite ${kind}`;
    try {
        await server.start();
    }
    catch (err) {
        throw new Error(describeListenError(name, port, err));
    }
    const address = server.httpServer.address();
    return {
        port: address && typeof address === "object" ? address.port : port,
        close: async () => {
            try {
                await server.close();
            }
            catch (err) {
                // already closing
            }
            try {
                await server.clean();
            }
            catch (err) {
                // memory stores: nothing to clean
            }
        }
    };
}

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const tmpRoot = path.join(os.tmpdir(), `traceway-emulators-${process.pid}`);
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

    const ports = {};
    try {
        const cosmos = await startCosmos(opts.cosmos);
        running.push(cosmos);
        ports.cosmos = cosmos.port;
        for (const kind of ["blob", "queue", "table"]) {
            const s = await startAzurite(kind, opts[kind], tmpRoot);
            running.push(s);
            ports[kind] = s.port;
        }
    }
    catch (err) {
        process.stderr.write(`start.js: ${err.message}\n`);
        stopping = true;
        await Promise.all(running.map(r => r.close().catch(() => undefined)));
        process.exit(1);
    }
    if (stopping)
        return;
    process.stdout.write(`READY ${JSON.stringify({ cosmos: ports.cosmos, blob: ports.blob, queue: ports.queue, table: ports.table })}\n`);
}

main().catch(err => fail(err && err.stack ? err.stack : String(err)));
