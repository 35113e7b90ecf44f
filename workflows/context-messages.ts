import { defineUpdate } from '@temporalio/workflow';
import type { ContextEdit, ContextEdited } from '../contracts/context-documents.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';

/** A planning session's change to one context document (`.tevis/<path>`), committed on its branch. */
export const editContextUpdate = defineUpdate<ContextEdited, [ContextEdit, CommandStamp?]>('editContext');
