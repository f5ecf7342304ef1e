import type { Transport } from '../transport';
import type {
  CreateModelEndpointInput,
  ModelCallInput,
  ModelCallResult,
  ModelEndpoint,
} from '../types';

/** Model endpoints: OpenAI-compatible chat completions the server calls. */
export class Models {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Registers an endpoint; its API key is stored encrypted and never shown again. */
  create(input: CreateModelEndpointInput): Promise<ModelEndpoint> {
    return this.#t.json('models.create', { json: input });
  }

  /** The registered endpoints. */
  list(): Promise<{ docs: ModelEndpoint[] }> {
    return this.#t.json('models.list');
  }

  /** Removes an endpoint (by id or name); what it generated stays. */
  remove(id: string): Promise<ModelEndpoint> {
    return this.#t.json('models.remove', { params: { id } });
  }

  /** One chat completion from the endpoint (by id or name), to try it. */
  call(id: string, input: ModelCallInput): Promise<ModelCallResult> {
    return this.#t.json('models.call', { params: { id }, json: input });
  }
}
