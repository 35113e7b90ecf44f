/** See acp-text-parts.js: untrusted values made safe to print, and short. */
export declare function cut(value: unknown, max: number, options?: { keepLines?: boolean }): string;
export declare const flat: (value: unknown, max?: number) => string;
export declare const shortPath: (path: unknown) => string;
export declare const PLAN_MARKS: Readonly<Record<string, string>>;
export declare function diffCounts(oldText: unknown, newText: unknown): { added: number; removed: number };
export declare function permissionOptionsText(options: unknown): string;
