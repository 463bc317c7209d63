import type { Hash } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * node:crypto's hashing, loaded on first use: loading node:crypto costs about
 * 6 ms of CPU (Node 20), and a run using only local plugins hashes nothing
 * (cache keys, checksums and go:// fingerprints are what hash).
 */
const requireHere = createRequire(import.meta.url);
let loaded: typeof import('node:crypto') | undefined;

function nodeCrypto(): typeof import('node:crypto') {
  return (loaded ??= requireHere('node:crypto') as typeof import('node:crypto'));
}

export function createHash(algorithm: string): Hash {
  return nodeCrypto().createHash(algorithm);
}

export function randomBytes(size: number): Buffer {
  return nodeCrypto().randomBytes(size);
}
