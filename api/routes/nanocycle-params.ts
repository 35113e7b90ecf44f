import { z } from '@hono/zod-openapi';
import { HOLD_ID_PATTERN, NANOCYCLE_ID_PATTERN } from '../../contracts/nanocycle.js';
import { SESSION_ID_PATTERN } from '../../contracts/ids.js';
import { MAX_INT4 } from '../../contracts/storable.js';

/** The path and query parameters of the nanocycle, log and hold point routes. */

export const SessionParam = z
  .string()
  .regex(SESSION_ID_PATTERN, 'a session id looks like sess_a1b2c3')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'sess_a1b2c3' });
// From this module's `z`, not `NanocycleId.openapi(...)`: a contracts/ schema made before
// @hono/zod-openapi was first imported has no `.openapi` (see api/schemas.ts).
export const NcParams = z.object({
  id: SessionParam,
  nc: z
    .string()
    .regex(NANOCYCLE_ID_PATTERN, 'a nanocycle id looks like NC-001')
    .openapi({ param: { name: 'nc', in: 'path' }, example: 'NC-001' }),
});
export const HoldParams = z.object({
  id: SessionParam,
  // The contract's own pattern: a regex with flags (it was /…/i) is emitted with "/i" after the
  // "$", a JSON Schema pattern no id can ever match.
  hp: z
    .string()
    .regex(HOLD_ID_PATTERN, 'a hold point id looks like HP-001-merge')
    .openapi({ param: { name: 'hp', in: 'path' }, example: 'HP-001-merge' }),
});
// Bounded to the int4 `seq` column: a larger cursor is a client mistake (400), not a database error.
export const After = z.object({
  after: z.coerce.number().int().min(0).max(MAX_INT4).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
