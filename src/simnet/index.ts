/**
 * The simulated node: a {@link SimulatedChain} served over Bitcoin Core's JSON-RPC dialect and
 * the Esplora REST dialect on loopback.
 *
 * @module
 */
export { type Simnet, type SimnetOptions, startSimnet } from './simnet.js';
