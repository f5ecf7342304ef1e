import { useState } from 'react';
import { api, ApiError, setCsrfToken } from '../api';
import type { Session } from '../session';

/** Email and password; the session lives in an HttpOnly cookie. */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <main className="narrow">
      <h1>Sign in to Quorum</h1>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            const session = await api.post<Session>('/api/v1/sessions', { email, password });
            setCsrfToken(session.csrfToken);
            onSignedIn(session);
          } catch (caught) {
            setError(caught instanceof ApiError ? caught.message : String(caught));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label className="field">
          Email
          <input
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </label>
        <label className="field">
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
        {error ? <p role="alert">{error}</p> : null}
      </form>
    </main>
  );
}

/** A handed-out password is replaced before anything else. */
export function ChangePassword({
  onChanged,
  required,
}: {
  onChanged: (session: Session) => void;
  required: boolean;
}) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | undefined>();
  return (
    <main className="narrow">
      <h1>Choose a new password</h1>
      {required ? (
        <p>Your password was handed out to you; choose your own before you go on.</p>
      ) : null}
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          if (password !== repeat) {
            setError('The two new passwords differ');
            return;
          }
          try {
            onChanged(await api.post<Session>('/api/v1/me/password', { current, password }));
          } catch (caught) {
            setError(caught instanceof ApiError ? caught.message : String(caught));
          }
        }}
      >
        <label className="field">
          Current password
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
          />
        </label>
        <label className="field">
          New password
          <input
            type="password"
            autoComplete="new-password"
            minLength={10}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <label className="field">
          Repeat the new password
          <input
            type="password"
            autoComplete="new-password"
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
            required
          />
        </label>
        <button type="submit" className="primary">
          Save password
        </button>
        {error ? <p role="alert">{error}</p> : null}
      </form>
    </main>
  );
}
