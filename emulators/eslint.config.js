"use strict";
// Lint of the emulator code that lives in this repository (npm run lint). Node.js CommonJS.
const js = require("@eslint/js");

module.exports = [
    { ignores: ["node_modules/"] },
    js.configs.recommended,
    {
        files: ["**/*.js"],
        languageOptions: {
            ecmaVersion: 2022,
            sourceType: "commonjs",
            globals: {
                require: "readonly", module: "writable", exports: "writable", __dirname: "readonly", __filename: "readonly",
                process: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly"
            }
        },
        rules: {
            "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
            eqeqeq: "error",
            "prefer-const": "error",
            "no-var": "error",
            strict: ["error", "global"]
        }
    }
];
