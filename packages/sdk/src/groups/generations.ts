import { itemsOfPages } from '../paging';
import { ndjsonBody, ndjsonRecords } from '../streams';
import type { Transport } from '../transport';
import type {
  ComparisonsInput,
  CreateGenerationInput,
  Generation,
  GenerationLeaderboard,
  GenerationRatings,
  GenerationResponse,
  GenerationResponsePage,
  JudgeReport,
  JudgeStart,
  LeaderboardQuery,
  PreferenceExportQuery,
  PromptLine,
  PromptSet,
  PromptSetImport,
} from '../types';

/** Prompt sets: the prompts generations run on. */
export class PromptSets {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Imports a prompt set from prompts (or NDJSON text), all or nothing unless `skipBadLines`.
   * Iterables that are not arrays are streamed as they are consumed.
   */
  import(
    name: string,
    prompts: string | Iterable<PromptLine> | AsyncIterable<PromptLine>,
    options: { skipBadLines?: boolean } = {},
  ): Promise<PromptSetImport> {
    return this.#t.json('promptSets.import', {
      raw: ndjsonBody(prompts),
      contentType: 'application/x-ndjson',
      query: { name, skipBadLines: options.skipBadLines },
    });
  }

  /** The prompt sets. */
  list(): Promise<{ docs: PromptSet[] }> {
    return this.#t.json('promptSets.list');
  }
}

/** Generations: responses from models to a prompt set, preferences, leaderboards, judges. */
export class Generations {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Starts generating a response from each model for each prompt, in the background. */
  create(input: CreateGenerationInput): Promise<Generation> {
    return this.#t.json('generations.create', { json: input });
  }

  /** The latest 100 generations, newest first, with their progress. */
  list(): Promise<{ docs: Generation[] }> {
    return this.#t.json('generations.list');
  }

  /** A generation and its progress. */
  get(id: string): Promise<Generation> {
    return this.#t.json('generations.get', { params: { id } });
  }

  /** Picks a generation up again: lapsed claims run again, and failures with `retryFailed`. */
  resume(id: string, options: { retryFailed?: boolean } = {}): Promise<Generation> {
    return this.#t.json('generations.resume', { params: { id }, json: options });
  }

  /** One page of responses; pass the previous page's `next` as `after` for the next. */
  responses(
    id: string,
    query: { limit?: number; after?: string } = {},
  ): Promise<GenerationResponsePage> {
    return this.#t.json('generations.responses', { params: { id }, query });
  }

  /** Every response of the generation, fetching pages as the caller iterates. */
  iterateResponses(id: string, query: { limit?: number } = {}): AsyncGenerator<GenerationResponse> {
    return itemsOfPages<GenerationResponse, string>(async (after) => {
      const page = await this.responses(id, { ...query, after });
      return { items: page.docs, next: page.next ?? undefined };
    });
  }

  /** Makes feedback tasks (pairs, rankings or ratings) from the generation for a project. */
  createComparisons(
    id: string,
    input: ComparisonsInput,
  ): Promise<{ created: number; skipped: number }> {
    return this.#t.json('generations.createComparisons', { params: { id }, json: input });
  }

  /** The models' leaderboard from the human preferences, overall and per category. */
  leaderboard(id: string, query: LeaderboardQuery = {}): Promise<GenerationLeaderboard> {
    return this.#t.json('generations.leaderboard', { params: { id }, query });
  }

  /** Rubric scores per model and criterion with 95% intervals, safety flags and rewrites. */
  ratings(id: string): Promise<GenerationRatings> {
    return this.#t.json('generations.ratings', { params: { id } });
  }

  /** The preference data in a training format, one record at a time as it streams in. */
  async *export<T = Record<string, unknown>>(
    id: string,
    query: PreferenceExportQuery,
  ): AsyncGenerator<T> {
    yield* ndjsonRecords<T>(await this.#t.open('generations.export', { params: { id }, query }));
  }

  /** Has a judge model give a verdict on every comparison task, in the background. */
  startJudge(id: string, model: string): Promise<JudgeStart> {
    return this.#t.json('generations.startJudge', { params: { id }, json: { model } });
  }

  /** Each judge beside the humans: Cohen's kappa overall and per category, the disagreements. */
  judges(id: string): Promise<JudgeReport> {
    return this.#t.json('generations.judges', { params: { id } });
  }

  /** Sends the items where a judge and the humans disagree back to people, in `project`. */
  reviewDisagreements(
    id: string,
    input: { judge: string; project: string },
  ): Promise<{ created: number; alreadySent: number }> {
    return this.#t.json('generations.reviewDisagreements', { params: { id }, json: input });
  }
}
