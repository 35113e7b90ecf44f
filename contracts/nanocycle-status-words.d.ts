/** See nanocycle-status-words.js: the product's words for a nanocycle's machine status. */
export declare function nanocycleStatusWord(status: string, hasCommit?: boolean): string;
