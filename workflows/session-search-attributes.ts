import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES } from '../contracts/search-attributes.js';

export const projectKey = defineSearchAttributeKey(
  SEARCH_ATTRIBUTE_NAMES.project,
  SearchAttributeType.KEYWORD,
);
export const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.status, SearchAttributeType.KEYWORD);
export const typeKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.type, SearchAttributeType.KEYWORD);
