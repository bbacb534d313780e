/** `limit` and `offset` query parameters, shared by the list routes. */
import { z } from 'zod';

export const MAX_LIMIT = 200;
export const DEFAULT_LIMIT = 50;
/** Deep offsets make the database walk and drop rows; nobody pages this far by hand. */
const MAX_OFFSET = 1_000_000;

export const pagination = {
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
};
