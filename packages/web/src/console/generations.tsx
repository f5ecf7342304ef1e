import { useState } from 'react';
import type { GenerationLeaderboard, LeaderboardBoard, StyleCoefficient } from '@quorum/core';
import { api, seg } from '../api';
import { Link } from '../router';
import { FeedbackTasksForm, RatingsSummary } from './feedback-tasks';
import { useLoad } from './projects';

interface Generation {
  id: string;
  status: string;
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  created_at: string;
}

/** Generation runs with their progress. */
export function GenerationsPage() {
  const generations = useLoad<{ docs: Generation[] }>('/api/v1/generations');
  return (
    <section>
      <h1>Generations</h1>
      {generations.error ? <p role="alert">{generations.error}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Generation</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Failed</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {(generations.data?.docs ?? []).map((generation) => (
            <tr key={generation.id}>
              <th scope="row">
                <Link to={`/console/generations/${seg(generation.id)}`}>{generation.id}</Link>
              </th>
              <td>{generation.status}</td>
              <td>
                <progress
                  max={generation.total}
                  value={generation.succeeded + generation.failed}
                  aria-label={`Progress of ${generation.id}`}
                />{' '}
                {generation.succeeded + generation.failed}/{generation.total}
              </td>
              <td>{generation.failed}</td>
              <td>{new Date(generation.created_at).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One generation: its progress, the leaderboard with intervals and win rates, and exports. */
export function GenerationPage({ id }: { id: string }) {
  const generation = useLoad<Generation>(`/api/v1/generations/${seg(id)}`);
  const [styleControl, setStyleControl] = useState(false);
  const [version, setVersion] = useState(0);
  const board = useLoad<GenerationLeaderboard>(
    `/api/v1/generations/${seg(id)}/leaderboard?bootstrap=1000${styleControl ? '&style_control=true' : ''}`,
  );
  // The previous board stays up while the next one is fitted.
  const fitting = styleControl && board.data !== undefined && !board.data.overall.styleControl;
  const g = generation.data;
  return (
    <section>
      <h1>Generation {id}</h1>
      {g ? (
        <p>
          {g.status}: {g.succeeded} responses, {g.failed} failed, {g.pending} to go of {g.total}.{' '}
          {g.pending === 0 && g.failed > 0 ? (
            <button
              type="button"
              onClick={() =>
                void api
                  .post(`/api/v1/generations/${seg(id)}/resume`, { retryFailed: true })
                  .then(() => generation.reload())
              }
            >
              Retry the failed ones
            </button>
          ) : null}
        </p>
      ) : null}
      <h2>Human feedback tasks</h2>
      <FeedbackTasksForm id={id} onCreated={() => setVersion((v) => v + 1)} />
      <h2>Leaderboard</h2>
      <label className="choice">
        <input
          type="checkbox"
          checked={styleControl}
          onChange={(e) => setStyleControl(e.target.checked)}
        />
        Style control
      </label>{' '}
      <span className="note">
        Holds the responses’ length, headers, list items and bold equal, and shows what each is
        worth.
      </span>
      {board.error ? <p role="status">{board.error}</p> : null}
      {fitting ? <p role="status">Fitting with style held equal…</p> : null}
      {board.data ? (
        <>
          <BoardView title="All prompts" board={board.data.overall} styleControl={styleControl} />
          {Object.entries(board.data.categories).map(([category, categoryBoard]) => (
            <BoardView
              key={category}
              title={`Category: ${category}`}
              board={categoryBoard}
              styleControl={styleControl}
            />
          ))}
        </>
      ) : null}
      <RatingsSummary id={id} version={version} />
      <Judges id={id} />
      <h2>Export</h2>
      <ul>
        {(
          [
            ['trl', 'TRL preference (prompt, chosen, rejected)'],
            ['trl-conversational', 'TRL preference, conversational'],
            ['kto', 'KTO (desirable or not)'],
            ['reward', 'Reward-model pairs with margin'],
            ['sft', 'SFT messages (preferred responses and rewrites)'],
            ['hh-rlhf', 'Anthropic HH-RLHF'],
            ['arena', 'Chatbot-Arena battles'],
          ] as const
        ).map(([format, label]) => (
          <li key={format}>
            <a href={`/api/v1/generations/${seg(id)}/export?format=${format}`} download>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

const COVARIATE_NAMES: Record<StyleCoefficient['covariate'], string> = {
  length: 'Length',
  headers: 'Headers',
  lists: 'List items',
  bold: 'Bold',
};

const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}`;

/**
 * The board as a table, the ratings with their intervals as a chart, and the win rates; with
 * style control, the style-controlled ratings beside the plain ones and what style is worth.
 */
function BoardView({
  title,
  board,
  styleControl,
}: {
  title: string;
  board: LeaderboardBoard;
  styleControl: boolean;
}) {
  const styled = styleControl ? board.styleControl : undefined;
  const rows = styled?.rows ?? board.rows;
  const plainRating = new Map(board.rows.map((row) => [row.model, row.rating]));
  const low = Math.min(...rows.map((row) => row.lower));
  const high = Math.max(...rows.map((row) => row.upper));
  const span = Math.max(1, high - low);
  const width = 520;
  const left = 160;
  const x = (rating: number) => left + ((rating - low) / span) * (width - left - 20);
  return (
    <div className="board">
      <h3>
        {title} ({board.comparisons} comparison{board.comparisons === 1 ? '' : 's'})
      </h3>
      {board.comparisons < 10 * board.models.length ? (
        <p className="note">
          Few comparisons for {board.models.length} models: when one side wins every resample the
          intervals shrink to a point. Treat these ranks as provisional.
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Model</th>
            <th scope="col">Rating</th>
            <th scope="col">95% interval</th>
            {styled ? <th scope="col">Without style control</th> : null}
            <th scope="col">Battles</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.model}>
              <td>{row.rank}</td>
              <th scope="row">{row.model}</th>
              <td>{row.rating.toFixed(0)}</td>
              <td>
                {row.lower.toFixed(0)} – {row.upper.toFixed(0)}
              </td>
              {styled ? <td>{plainRating.get(row.model)?.toFixed(0) ?? '—'}</td> : null}
              <td>{row.battles}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {styled ? (
        <table>
          <caption>
            What style is worth: Elo points for one standard deviation more of it than the other
            response, with its 95% interval
          </caption>
          <thead>
            <tr>
              <th scope="col">Style</th>
              <th scope="col">Points</th>
              <th scope="col">95% interval</th>
            </tr>
          </thead>
          <tbody>
            {styled.coefficients.map((coefficient) => (
              <tr key={coefficient.covariate}>
                <th scope="row">{COVARIATE_NAMES[coefficient.covariate]}</th>
                <td>{coefficient.sd > 0 ? signed(coefficient.points) : '—'}</td>
                <td>
                  {coefficient.sd > 0
                    ? `${signed(coefficient.lower)} to ${signed(coefficient.upper)}`
                    : 'never differed'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <svg
        className="chart"
        role="img"
        aria-label={`${styled ? 'Style-controlled ratings' : 'Ratings'} with 95% intervals, ${title}`}
        width={width}
        height={rows.length * 24 + 8}
      >
        {rows.map((row, index) => (
          <g key={row.model} transform={`translate(0 ${index * 24 + 4})`}>
            <text x={0} y={14} fontSize={12}>
              {row.model.length > 22 ? `${row.model.slice(0, 21)}…` : row.model}
            </text>
            <line
              x1={x(row.lower)}
              x2={x(row.upper)}
              y1={10}
              y2={10}
              stroke="#2f5bea"
              strokeWidth={2}
            />
            <circle cx={x(row.rating)} cy={10} r={4} fill="#2f5bea" />
          </g>
        ))}
      </svg>
      <table className="confusion">
        <caption>Win rate of the row model against the column model</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            {board.models.map((model) => (
              <th key={model} scope="col">
                {model}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {board.models.map((model, i) => (
            <tr key={model}>
              <th scope="row">{model}</th>
              {board.models.map((other, j) => {
                const rate = board.winRates[i]?.[j];
                return (
                  <td
                    key={other}
                    className={rate == null ? '' : `heat heat-${Math.round(rate * 4)}`}
                  >
                    {rate == null ? '—' : `${Math.round(rate * 100)}%`}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Agreement {
  items: number;
  kappa: number | null;
  observed: number | null;
}

interface JudgeRow {
  judge: string;
  verdicts: number;
  failed: number;
  pending: number;
  errors: string[];
  agreement: Agreement;
  categories: Record<string, Agreement>;
  ratings: Record<string, { items: number; kappa: number | null; meanAbsoluteDifference: number }>;
  disagreements: string[];
  reviews: { reviewed: number; withJudge: number; withHumans: number; neither: number };
}

/** Each judge model beside the humans: kappa overall and per category, and where they differ. */
function Judges({ id }: { id: string }) {
  const report = useLoad<{ judges: JudgeRow[] }>(`/api/v1/generations/${seg(id)}/judges`);
  const judges = report.data?.judges ?? [];
  if (judges.length === 0) return null;
  const kappa = (a: Agreement) => (a.kappa === null ? '—' : a.kappa.toFixed(2));
  return (
    <>
      <h2>Judges</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Judge</th>
            <th scope="col">Verdicts</th>
            <th scope="col">Failed</th>
            <th scope="col">Agreement with humans</th>
            <th scope="col">Cohen’s kappa</th>
            <th scope="col">Per category</th>
            <th scope="col">Ratings (weighted kappa, mean gap)</th>
            <th scope="col">Disagreements</th>
            <th scope="col">Second look</th>
          </tr>
        </thead>
        <tbody>
          {judges.map((judge) => (
            <tr key={judge.judge}>
              <th scope="row">{judge.judge}</th>
              <td>
                {judge.verdicts}
                {judge.pending ? ` (${judge.pending} to go)` : ''}
              </td>
              <td title={judge.errors.join('\n')}>{judge.failed}</td>
              <td>
                {judge.agreement.observed === null
                  ? '—'
                  : `${Math.round(judge.agreement.observed * 100)}% of ${judge.agreement.items}`}
              </td>
              <td>{kappa(judge.agreement)}</td>
              <td>
                {Object.entries(judge.categories)
                  .map(([category, agreement]) => `${category}: ${kappa(agreement)}`)
                  .join(', ') || '—'}
              </td>
              <td>
                {Object.entries(judge.ratings)
                  .map(
                    ([criterion, rating]) =>
                      `${criterion}: ${rating.kappa === null ? '—' : rating.kappa.toFixed(2)}, ${rating.meanAbsoluteDifference.toFixed(1)} of ${rating.items}`,
                  )
                  .join('; ') || '—'}
              </td>
              <td>{judge.disagreements.length}</td>
              <td>
                {judge.reviews.reviewed === 0
                  ? '—'
                  : `${judge.reviews.reviewed} reviewed: ${judge.reviews.withJudge} with the judge, ${judge.reviews.withHumans} with the first humans`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
