import { OpenAPIHono } from '@hono/zod-openapi';
import { problemResponse, validationProblem } from './problem.js';

/** Every router is made here, so that a body, query or path that fails its schema is problem+json. */
export function openApiRouter(): OpenAPIHono {
  return new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return problemResponse(c, validationProblem(result.error, result.target));
    },
  });
}
