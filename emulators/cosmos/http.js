"use strict";
/*
 * Request/response details the .NET SDK depends on: error bodies with a code and a message,
 * session tokens on document responses, and the optional request log (TRACEWAY_COSMOS_DEBUG=1).
 */
const { state } = require("./store");

const NOT_FOUND_MESSAGE = "Entity with the specified id does not exist in the system.";
const DEFAULT_ERROR_CODES = { 400: "BadRequest", 404: "NotFound", 409: "Conflict", 412: "PreconditionFailed" };

function header(req, name) {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
}

function trueHeader(req, name) {
    const v = header(req, name);
    return typeof v === "string" && v.toLowerCase() === "true";
}

/** The body of a 404 (the SDK needs a code and a message). */
function notFoundBody() {
    return { code: "NotFound", message: NOT_FOUND_MESSAGE };
}

/** Sets 404 on res and returns its body. */
function notFound(res) {
    res.statusCode = 404;
    return notFoundBody();
}

/**
 * Completes an error response's body before the server's own defaults apply: an object, with the
 * service's error code for the status, and for a 404 the service's message.
 */
function completeErrorBody(statusCode, body) {
    if (statusCode > 399 && !body) {
        body = {};
    }
    if (statusCode > 399 && !body.code && DEFAULT_ERROR_CODES[statusCode]) {
        body.code = DEFAULT_ERROR_CODES[statusCode];
    }
    if (statusCode === 404 && !body.message) {
        body.message = NOT_FOUND_MESSAGE;
    }
    return body;
}

/** Logs the request and its outcome to stderr when TRACEWAY_COSMOS_DEBUG is set. */
function logRequest(req, res) {
    if (process.env.TRACEWAY_COSMOS_DEBUG) {
        console.error(`[cosmos] ${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
        res.on("finish", () => console.error(`[cosmos]   -> ${res.statusCode} etag=${res.getHeader("etag")} cont=${res.getHeader("x-ms-continuation")}`));
    }
}

/** Document responses carry a session token (the SDK's session consistency reads it). */
function setSessionToken(req, res) {
    if (!res.hasHeader("x-ms-session-token") && /\/docs(\/|$|\?)/.test(req.url || "")) {
        res.setHeader("x-ms-session-token", `0:-1#${state.globalLsn}`);
    }
}

module.exports = {
    NOT_FOUND_MESSAGE,
    header,
    trueHeader,
    notFoundBody,
    notFound,
    completeErrorBody,
    logRequest,
    setSessionToken
};
