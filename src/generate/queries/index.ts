/**
 * Query builders shared by dashboards and alerts: one function per number, parameterised by the
 * selector and the range, so a panel and the alert judging the same number cannot drift.
 */
export * from './common.js';
export * from './http.js';
export * from './runtime.js';
export * from './genai.js';
export * from './dependencies.js';
export * from './infrastructure.js';
export * from './security.js';
export * from './slo.js';
export * from './logs.js';
