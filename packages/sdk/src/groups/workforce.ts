import { itemsOfPages } from '../paging';
import type { Transport } from '../transport';
import type {
  ChangePasswordInput,
  CreatedWorker,
  CreateWorkerInput,
  Earnings,
  PayoutsQuery,
  Session,
  SignInInput,
  UpdateWorkerInput,
  Worker,
  WorkerQuery,
} from '../types';

/** The workforce (operators and managers): people, their tokens, payouts. */
export class Workers {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Invites a worker; the answer's `token` (shown once) authenticates them as a client's apiKey. */
  create(input: CreateWorkerInput): Promise<CreatedWorker> {
    return this.#t.json('workers.create', { json: input });
  }

  /** One page of workers by id; pass the previous page's `next` as `after` for the next. */
  list(query: WorkerQuery = {}): Promise<{ docs: Worker[]; next: string | null }> {
    return this.#t.json('workers.list', { query });
  }

  /** Every matching worker by id, fetching pages as the caller iterates. */
  iterate(query: Omit<WorkerQuery, 'after'> = {}): AsyncGenerator<Worker> {
    return itemsOfPages<Worker, string>(async (after) => {
      const page = await this.list({ ...query, after });
      return { items: page.docs, next: page.next ?? undefined };
    });
  }

  /** One worker. */
  get(id: string): Promise<Worker> {
    return this.#t.json('workers.get', { params: { id } });
  }

  /** Changes a worker's profile, roles or password, or removes them (`status: 'removed'`). */
  update(id: string, change: UpdateWorkerInput): Promise<Worker> {
    return this.#t.json('workers.update', { params: { id }, json: change });
  }

  /** A new personal token for a worker (managers, or the worker themself). */
  newToken(id: string): Promise<{ token: string }> {
    return this.#t.json('workers.newToken', { params: { id } });
  }

  /** Payouts as CSV text: per worker and currency, for work submitted in [from, to). */
  payouts(query: PayoutsQuery = {}): Promise<string> {
    return this.#t.text('workers.payouts', { query });
  }
}

/**
 * Web sign-in sessions. The session itself is an HttpOnly cookie for browsers; a client
 * authenticated by a worker's token reads and ends its own session here.
 */
export class Sessions {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Signs in with email and password (throttled: repeated failures answer 429). */
  signIn(input: SignInInput): Promise<Session> {
    return this.#t.json('sessions.signIn', { json: input });
  }

  /** Who is signed in. */
  current(): Promise<Session> {
    return this.#t.json('sessions.current');
  }

  /** Signs out. */
  async signOut(): Promise<void> {
    await this.#t.json('sessions.signOut');
  }
}

/** The calling worker: who they are, their earnings, their password. */
export class Me {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Who you are. */
  get(): Promise<Worker> {
    return this.#t.json('me.get');
  }

  /** Your earnings, effective hourly rate and accuracy per project. */
  earnings(): Promise<Earnings> {
    return this.#t.json('me.earnings');
  }

  /** Chooses a new password (needs the current one); ends your other web sessions. */
  changePassword(input: ChangePasswordInput): Promise<Session> {
    return this.#t.json('me.changePassword', { json: input });
  }
}
