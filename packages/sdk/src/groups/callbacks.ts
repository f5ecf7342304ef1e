import { itemsOfPages } from '../paging';
import type { Transport } from '../transport';
import type {
  ApiKey,
  CallbackKeys,
  CreateApiKeyInput,
  CreatedApiKey,
  Delivery,
  DeliveryDetail,
  DeliveryListQuery,
  DeliveryPage,
} from '../types';

/** The callback delivery log: deliveries with their attempts, and redelivery. */
export class Deliveries {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** One page of deliveries, newest first; pass the previous page's `next_token` for the next. */
  list(query: DeliveryListQuery & { next_token?: string } = {}): Promise<DeliveryPage> {
    return this.#t.json('deliveries.list', { query });
  }

  /** Every matching delivery, newest first, fetching pages as the caller iterates. */
  iterate(query: DeliveryListQuery = {}): AsyncGenerator<Delivery> {
    return itemsOfPages<Delivery, string>(async (next_token) => {
      const page = await this.list({ ...query, next_token });
      return { items: page.docs, next: page.has_more ? page.next_token : undefined };
    });
  }

  /** One delivery with its payload and every attempt. */
  get(id: string): Promise<DeliveryDetail> {
    return this.#t.json('deliveries.get', { params: { id } });
  }

  /** Sends a delivery again (a new series of attempts). */
  redeliver(id: string): Promise<Delivery> {
    return this.#t.json('deliveries.redeliver', { params: { id } });
  }
}

/** The organization's callback secrets. */
export class CallbackKeysApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** The callback auth key (scale-callback-auth) and the webhook signing secret. */
  get(): Promise<CallbackKeys> {
    return this.#t.json('callbackKeys.get');
  }

  /** Replaces both secrets. */
  rotate(): Promise<CallbackKeys> {
    return this.#t.json('callbackKeys.rotate');
  }
}

/** API keys of the organization. */
export class Keys {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates a key; its secret is in this answer only. */
  create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    return this.#t.json('keys.create', { json: input });
  }

  /** The keys (secrets are never shown again). */
  list(): Promise<{ docs: ApiKey[] }> {
    return this.#t.json('keys.list');
  }

  /** Revokes a key. */
  revoke(id: string): Promise<ApiKey> {
    return this.#t.json('keys.revoke', { params: { id } });
  }
}
