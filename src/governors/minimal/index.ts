// The seed's minimal 3-signal governor: table and machine.
export * from './table.js';
export * from './machine.js';
export * from './scenario.js';
