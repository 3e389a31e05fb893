import { enableCompileCache } from 'node:module';

// The entry point: `node packages/proxy/src/main.ts`. Node strips the
// TypeScript of every module on load, and the stripper's memory stays with
// the process (~20-30 MB of RSS). The compile cache keeps the stripped code
// on disk, so from the second start on the proxy's modules skip it. Setting
// NODE_COMPILE_CACHE covers this file too. Hence only dynamic imports below.
enableCompileCache();
await import('./app/run.ts');
