/**
 * Handling of a 401 from the API. Open editors save their work locally first, and then
 * the app goes to the login page.
 */

type Listener = () => void;

const beforeLogout = new Set<Listener>();
let goToLogin: Listener = () => {
  window.location.assign("/login");
};

/** Registers work to keep (such as an editor's draft) before the login page replaces it. */
export function onBeforeLogin(listener: Listener): () => void {
  beforeLogout.add(listener);
  return () => beforeLogout.delete(listener);
}

export function setLoginRedirect(redirect: Listener): void {
  goToLogin = redirect;
}

export function handleUnauthorized(): void {
  for (const listener of beforeLogout) listener();
  goToLogin();
}
