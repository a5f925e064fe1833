/**
 * secp256k1 behind one interface: @noble/curves by default, tiny-secp256k1 (WebAssembly) or the
 * native `secp256k1` binding when the embedder selects them. Policy (key range, low-S, lengths)
 * is decided in this layer, identically whichever backend computes.
 */
export * from './backend.js';
export * from './errors.js';
export * from './selection.js';
export * from './ecdsa.js';
export * from './private-keys.js';
export { compactToDer, derToCompact } from './der.js';
export { CURVE_ORDER, HALF_CURVE_ORDER } from './curve.js';
export { nobleBackend } from './noble-backend.js';
export { loadTinySecp256k1Backend } from './tiny-secp256k1-backend.js';
export { loadNativeSecp256k1Backend, NATIVE_BINDING_SPECIFIER } from './native-backend.js';
