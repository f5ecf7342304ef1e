import { ndjsonRecords } from '../streams';
import type { Transport } from '../transport';
import type {
  Campaign,
  CampaignExportFormat,
  CampaignReport,
  CreateCampaignInput,
  Taxonomy,
} from '../types';

/** Red-team campaigns: live-chat attempts on target models, the attack success report, pairs. */
export class Redteam {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** The built-in hazard taxonomy and severities. */
  taxonomy(): Promise<Taxonomy> {
    return this.#t.json('redteam.taxonomy');
  }

  /** Starts a campaign: a project of live-chat attempts per target model and hazard category. */
  createCampaign(input: CreateCampaignInput): Promise<Campaign> {
    return this.#t.json('redteam.createCampaign', { json: input });
  }

  /** Every campaign, newest first, with its progress. */
  campaigns(): Promise<{ campaigns: Campaign[] }> {
    return this.#t.json('redteam.campaigns');
  }

  /** One campaign (by id or name). */
  campaign(id: string): Promise<Campaign> {
    return this.#t.json('redteam.campaign', { params: { id } });
  }

  /** Attack success rates by model and category, with Wilson 95% intervals. */
  report(id: string): Promise<CampaignReport> {
    return this.#t.json('redteam.report', { params: { id } });
  }

  /** Successful attacks with their safe rewrites as preference pairs, as they stream in. */
  async *export<T = Record<string, unknown>>(
    id: string,
    query: { format?: CampaignExportFormat } = {},
  ): AsyncGenerator<T> {
    yield* ndjsonRecords<T>(await this.#t.open('redteam.export', { params: { id }, query }));
  }
}
