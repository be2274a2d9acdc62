// The type side of `#typescript` (see src/typescript.ts): ts-morph's `ts` namespace, types and values.
export { ts } from 'ts-morph';
