"use strict";
/*
 * Queries (POST .../docs) and read feeds (GET .../docs without A-IM):
 *  - query-plan requests (x-ms-cosmos-is-query-plan-request) get a pass-through plan
 *  - SELECT DISTINCT [VALUE], OFFSET n LIMIT m (stripped here, applied after the engine)
 *  - results filtered by the x-ms-documentdb-partitionkey header
 *  - offset based continuation tokens that survive new iterators/clients
 */
const { cosmosdbQuery, readJson } = require("./internals");
const { header, trueHeader, notFound } = require("./http");
const { partitionFilter, singlePartitionKey } = require("./partition");

/** Replace string literals and parenthesised content by 'x' (same length). */
function mask(sql) {
    let out = "";
    let depth = 0;
    let quote = null;
    for (let i = 0; i < sql.length; i += 1) {
        const ch = sql[i];
        if (quote) {
            if (ch === "\\" && i + 1 < sql.length) {
                out += "xx";
                i += 1;
                continue;
            }
            if (ch === quote)
                quote = null;
            out += "x";
            continue;
        }
        if (ch === "'" || ch === '"') {
            quote = ch;
            out += "x";
            continue;
        }
        if (ch === "(") {
            depth += 1;
            out += depth === 1 ? "(" : "x";
            continue;
        }
        if (ch === ")") {
            out += depth === 1 ? ")" : "x";
            depth = Math.max(0, depth - 1);
            continue;
        }
        out += depth > 0 ? "x" : ch;
    }
    return out;
}

function resolveNumber(token, parameters) {
    if (/^@/.test(token)) {
        const p = (parameters || []).find(x => x.name === token);
        if (!p || typeof p.value !== "number") {
            throw new cosmosdbQuery.SyntaxError(`Invalid value for ${token} in OFFSET/LIMIT/TOP`);
        }
        return p.value;
    }
    const n = Number(token);
    if (!Number.isInteger(n) || n < 0) {
        throw new cosmosdbQuery.SyntaxError(`Invalid OFFSET/LIMIT/TOP value '${token}'`);
    }
    return n;
}

/**
 * Strips the top-level DISTINCT and OFFSET/LIMIT clauses, which the query
 * engine (@zeit/cosmosdb-query 0.7.2) cannot parse, so they can be applied to
 * the engine's result.
 */
function rewriteQuery(sql, parameters) {
    let text = sql;
    let distinct = false;
    let offset = 0;
    let limit = null;
    let m = /\s+OFFSET\s+(@?[A-Za-z0-9_]+)\s+LIMIT\s+(@?[A-Za-z0-9_]+)\s*$/i.exec(mask(text));
    if (m) {
        const o = text.substr(m.index, m[0].length);
        const mm = /OFFSET\s+(\S+)\s+LIMIT\s+(\S+)/i.exec(o);
        offset = resolveNumber(mm[1], parameters);
        limit = resolveNumber(mm[2], parameters);
        text = text.slice(0, m.index);
    }
    // SELECT DISTINCT [TOP n] ... / SELECT TOP n DISTINCT ...
    m = /^(\s*SELECT\s+)(?:(TOP\s+(@?[A-Za-z0-9_]+)\s+)DISTINCT|DISTINCT(\s+TOP\s+(@?[A-Za-z0-9_]+))?)(?=\s)/i.exec(mask(text));
    if (m) {
        distinct = true;
        const topToken = m[3] || m[5];
        if (topToken) {
            // TOP must apply after DISTINCT: do it ourselves
            const top = resolveNumber(topToken, parameters);
            limit = limit === null ? top : Math.min(limit, Math.max(0, top - offset));
        }
        text = m[1] + text.slice(m[0].length);
    }
    return { text, distinct, offset, limit };
}

function canonical(v) {
    if (Array.isArray(v))
        return `[${v.map(canonical).join(",")}]`;
    if (v && typeof v === "object") {
        return `{${Object.keys(v)
            .sort()
            .map(k => `${JSON.stringify(k)}:${canonical(v[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v === undefined ? null : v);
}

function parseMaxItemCount(req) {
    const v = parseInt(header(req, "x-ms-max-item-count") || "", 10);
    return Number.isFinite(v) && v > 0 ? v : null;
}

const TOKEN_RANGE = { min: "", max: "FF" };
function encodeQueryContinuation(offset) {
    return JSON.stringify({ token: `tw:${offset}`, range: TOKEN_RANGE });
}
function decodeQueryContinuation(raw) {
    if (!raw)
        return 0;
    const m = /tw:(\d+)/.exec(raw);
    return m ? parseInt(m[1], 10) : 0;
}

/** The single physical partition covers the whole EPK space. */
const QUERY_PLAN = {
    partitionedQueryExecutionInfoVersion: 2,
    queryInfo: {
        distinctType: "None",
        top: null,
        offset: null,
        limit: null,
        orderBy: [],
        orderByExpressions: [],
        groupByExpressions: [],
        groupByAliases: [],
        aggregates: [],
        groupByAliasToAggregateType: {},
        rewrittenQuery: "",
        hasSelectValue: false,
        dCountInfo: null,
        hasNonStreamingOrderBy: false
    },
    queryRanges: [
        { min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }
    ]
};

function runQuery(collection, docs, queryText, parameters) {
    const documents = collection.documents;
    const parent = collection.read();
    const compositeIndexes = ((parent.indexingPolicy ? parent.indexingPolicy.compositeIndexes : null) || []);
    const { text, distinct, offset, limit } = rewriteQuery(queryText, parameters);
    const q = documents._getQuery(text);
    let rows;
    try {
        rows = q.exec(docs, {
            parameters,
            udf: documents._userDefinedFunctions(),
            compositeIndexes
        }).result;
    }
    catch (err) {
        if (!(err instanceof cosmosdbQuery.SyntaxError))
            err.badRequest = true;
        throw err;
    }
    if (distinct) {
        const seen = new Set();
        rows = rows.filter(r => {
            const k = canonical(r);
            if (seen.has(k))
                return false;
            seen.add(k);
            return true;
        });
    }
    if (offset || limit !== null) {
        rows = rows.slice(offset, limit === null ? undefined : offset + limit);
    }
    return rows;
}

/** One page of rows, from the request's continuation token, at most x-ms-max-item-count long. */
function page(req, res, collection, rows) {
    const max = parseMaxItemCount(req);
    const start = decodeQueryContinuation(header(req, "x-ms-continuation"));
    let result = rows.slice(start);
    if (max !== null && result.length > max) {
        result = result.slice(0, max);
        res.setHeader("x-ms-continuation", encodeQueryContinuation(start + max));
    }
    res.setHeader("x-ms-item-count", String(result.length));
    return {
        _rid: collection.read()._rid,
        Documents: result,
        _count: result.length
    };
}

/** The collection's unexpired documents, of the request's partition if it names one (from the partition index). */
function liveDocuments(req, collection) {
    const f = partitionFilter(req, collection.read());
    if (!f)
        return collection.documents.liveDocuments();
    const key = singlePartitionKey(req, collection.read());
    const docs = key === undefined ? collection.documents.liveDocuments() : collection.documents.partitionDocuments(key);
    return docs.filter(f);
}

/** POST /dbs/:db/colls/:coll/docs (query) */
async function queryDocuments(account, req, res, { dbId, collId }) {
    const body = await readJson(req);
    const collection = account.database(dbId).collection(collId);
    if (!collection.read())
        return notFound(res);
    if (!body || typeof body.query !== "string") {
        res.statusCode = 400;
        return { code: "BadRequest", message: "missing query" };
    }
    if (trueHeader(req, "x-ms-cosmos-is-query-plan-request")) {
        // validate the query so syntax errors surface as 400 like the real service
        try {
            const { text } = rewriteQuery(body.query, body.parameters);
            collection.documents._getQuery(text);
        }
        catch (err) {
            res.statusCode = 400;
            return { code: "BadRequest", message: err.message };
        }
        res.statusCode = 200;
        return QUERY_PLAN;
    }
    let rows;
    try {
        const docs = liveDocuments(req, collection);
        // How many documents the query looked at: the compatibility suite proves a partition-scoped query scans only its partition.
        res.setHeader("x-traceway-scanned", String(docs.length));
        rows = runQuery(collection, docs, body.query, body.parameters);
    }
    catch (err) {
        if (err instanceof cosmosdbQuery.SyntaxError || err.badRequest) {
            res.statusCode = 400;
            return { code: "BadRequest", message: err.message };
        }
        throw err;
    }
    res.statusCode = 200;
    return page(req, res, collection, rows);
}

module.exports = { rewriteQuery, runQuery, page, liveDocuments, parseMaxItemCount, queryDocuments };
