/** @packageDocumentation shh JSON-RPC for a Hush node (in progress). */
export {}
