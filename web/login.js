// @ts-check
const KEY = 'tevis.token';

/**
 * The token, asked for once and kept in this browser. A `#token=…` link (what `tevis up` prints)
 * logs in directly; the fragment is dropped from the address at once, and browsers never send
 * fragments to the server anyway.
 */
export function takeTokenFromAddress() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match) return;
  localStorage.setItem(KEY, decodeURIComponent(match[1] ?? ''));
  history.replaceState(null, '', location.pathname + location.search);
}

export const storedToken = () => localStorage.getItem(KEY);
/** @param {string} token */
export const storeToken = (token) => localStorage.setItem(KEY, token);
export const forgetToken = () => localStorage.removeItem(KEY);

/**
 * Shows the login form until a token the API accepts is given.
 * @param {(token: string) => Promise<void>} check  resolves when the API accepted it
 */
export function showLogin(check, message = '') {
  const section = /** @type {HTMLElement} */ (document.getElementById('login'));
  const form = /** @type {HTMLFormElement} */ (document.getElementById('login-form'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('token-input'));
  const error = /** @type {HTMLElement} */ (document.getElementById('login-error'));
  section.hidden = false;
  error.textContent = message;
  input.focus();
  form.onsubmit = async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    error.textContent = '';
    try {
      await check(token);
      storeToken(token);
      input.value = '';
      section.hidden = true;
    } catch (e) {
      error.textContent = /** @type {Error} */ (e).message;
    }
  };
}

/**
 * Resolves when the API accepts the token; else rejects with what to do about it.
 * @param {string} token
 */
export async function checkToken(token) {
  const response = await fetch('/projects', { headers: { authorization: `Bearer ${token}` } }).catch(
    () => null,
  );
  if (!response) throw new Error('The Tevis API does not answer; is `tevis up` running?');
  if (response.status === 401)
    throw new Error(
      'That token was refused. `tevis up` prints a link with the right one; it is also in $TEVIS_HOME/api-token.',
    );
  if (!response.ok) throw new Error(`The API answered ${response.status}.`);
  // The Temporal Web UI decodes sessions through the API's codec endpoint with a cookie only it
  // accepts (scoped to /codec, from the UI's origin only); best effort, the page works without.
  void fetch('/codec/session', { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(
    () => {},
  );
}
