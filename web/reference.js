// @ts-check
import { storedToken, takeTokenFromAddress } from './login.js';

/**
 * The API reference page (Swagger UI). A browser sends no bearer header by itself and the API
 * takes no cookie, so the page adds the token to every request it makes — the OpenAPI document
 * and "Try it out" alike. The token comes from a `#token=…` link (never sent to the server) or
 * from Mission Control's login, which this page shares (same origin, same browser storage).
 */
takeTokenFromAddress();
const token = storedToken();
const missing = /** @type {HTMLElement} */ (document.getElementById('no-token'));

if (!token) {
  missing.hidden = false;
} else {
  /** @type {any} */
  const swagger = /** @type {any} */ (window).SwaggerUIBundle;
  swagger({
    url: '/openapi.json',
    dom_id: '#ui',
    /** @param {{ headers: Record<string, string> }} request */
    requestInterceptor: (request) => {
      request.headers.Authorization = `Bearer ${token}`;
      return request;
    },
  });
}
