"use strict";
/*
 * Preloaded (node --require) into the Azurite process that start.js spawns: Azurite exits when
 * start.js goes away, even if start.js was killed without closing it (its IPC channel closes).
 */
if (process.channel) {
    process.channel.unref();
    process.on("disconnect", () => process.exit(0));
}
