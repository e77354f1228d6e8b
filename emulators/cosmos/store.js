"use strict";
/*
 * Additions to the server's in-memory stores, as mixins the package's classes extend:
 *  - Documents: every write gets a per-container sequence number (_lsn, used by the change feed)
 *    and a precise write time (TTL, If-Modified-Since); TTL (container defaultTtl / document ttl)
 *    is enforced lazily, on every read.
 *  - Collections: replacing a container (e.g. to change defaultTtl) keeps its documents, partition
 *    key ranges and UDFs.
 */
const { getValue } = require("./internals");

/** Process-wide: the number of document writes and deletes (session tokens). */
const state = { globalLsn: 0 };

/** class Documents extends documentsMixin(Items) */
function documentsMixin(Items) {
    return class extends Items {
        _set(data) {
            this._lsn = (this._lsn || 0) + 1;
            state.globalLsn += 1;
            data._lsn = this._lsn;
            Object.defineProperty(data, "_twWriteMs", { value: Date.now(), enumerable: false });
            return super._set(data);
        }
        delete(idOrRid, partition) {
            super.delete(idOrRid, partition);
            this._lsn = (this._lsn || 0) + 1;
            state.globalLsn += 1;
        }
        writeTime(data) {
            return data._twWriteMs || data._ts * 1000;
        }
        _ttlOf(data) {
            const coll = this._parent.read();
            if (!coll || typeof coll.defaultTtl !== "number")
                return null;
            const ttl = typeof data.ttl === "number" ? data.ttl : coll.defaultTtl;
            return ttl > 0 ? ttl : ttl === 0 ? 0 : null;
        }
        _isExpired(data, now = Date.now()) {
            const ttl = this._ttlOf(data);
            return ttl !== null && now >= this.writeTime(data) + ttl * 1000;
        }
        _purge(data) {
            this._uniqueKeyPaths.forEach(keyPath => {
                const keyPathValue = getValue(keyPath.slice(1).split("/"), data);
                this._index.delete(this._getId(keyPath, keyPathValue, this._getPartition(data)));
            });
            this._data.delete(data._rid);
        }
        _item(keyPath, keyPathValue, partition) {
            const item = super._item(keyPath, keyPathValue, partition);
            const data = item.read();
            if (data && this._isExpired(data)) {
                this._purge(data);
                return this._newItem();
            }
            return item;
        }
        liveDocuments() {
            const now = Date.now();
            const out = [];
            for (const item of [...this._data.values()]) {
                const data = item.read();
                if (!data)
                    continue;
                if (this._isExpired(data, now))
                    this._purge(data);
                else
                    out.push(data);
            }
            return out;
        }
        query(params, options) {
            this.liveDocuments();
            return super.query(params, options);
        }
        read(options) {
            this.liveDocuments();
            return super.read(options);
        }
    };
}

/** class Collections extends collectionsMixin(Items) */
function collectionsMixin(Items) {
    return class extends Items {
        replace(data, original) {
            const prev = original && this._data.get(original._rid);
            const result = super.replace(data, original);
            const cur = this._data.get(result._rid);
            if (prev && cur && prev !== cur) {
                ["documents", "partitionKeyRanges", "userDefinedFunctions"].forEach(k => {
                    cur[k] = prev[k];
                    cur[k]._parent = cur;
                });
            }
            return result;
        }
    };
}

module.exports = { state, documentsMixin, collectionsMixin };
