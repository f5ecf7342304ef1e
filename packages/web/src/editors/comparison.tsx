import { useEffect, useMemo } from 'react';
import { useHistory } from '../ui/history';
import { Attachment } from './attachment';
import {
  comparisonResponse,
  comparisonStateOf,
  comparisonTaskOf,
  type ComparisonState,
} from './comparison-model';
import { FlagChecklist, RankingList, RatingSelect, RewriteField } from './feedback-controls';
import { letter, moveInRanking, rate, toggleFlag } from './feedback';
import { NUMBER_KEYS, useEditorShortcuts, type EditorProps } from './types';

/**
 * Two or more responses side by side: which is better (or a tie) and by how much, a rating of
 * each on every criterion of the rubric, a ranking of all of them, safety flags on each, the
 * ideal response rewritten, Scale's choice question, and free text such as a rationale.
 */
export function ComparisonEditor({ task, initial, onChange }: EditorProps) {
  const params = task.params;
  const model = useMemo(() => comparisonTaskOf(params), [params]);
  const attachments = model.attachments;
  const type = String(params.attachment_type ?? 'image');
  const choices = model.choices ?? [];
  const fields = model.fields ?? {};
  const preference = model.preference;
  const criteria = model.criteria;
  const state = useHistory<ComparisonState>(() => comparisonStateOf(model, initial));
  useEffect(() => onChange(comparisonResponse(model, state.value)), [state.value]);

  const set = (change: Partial<ComparisonState>) =>
    state.set((current) => ({ ...current, ...change }));
  const options: Array<{ value: number | 'tie'; label: string }> = preference
    ? [
        ...attachments.map((_, index) => ({ value: index, label: `${letter(index)} is better` })),
        ...(preference.ties !== false ? [{ value: 'tie' as const, label: 'Tie' }] : []),
      ]
    : [];
  useEditorShortcuts('comparison', [
    ...(preference
      ? options.slice(0, 10).map((option, index) => ({
          key: NUMBER_KEYS[index]!,
          description: option.label,
          run: () => set({ winner: option.value }),
        }))
      : choices.slice(0, 10).map((choice, index) => ({
          key: NUMBER_KEYS[index]!,
          description: `Choose “${choice}”`,
          run: () => set({ choice }),
        }))),
    { key: 'z', mod: true, shift: false, description: 'Undo', run: state.undo },
    { key: 'z', mod: true, shift: true, description: 'Redo', run: state.redo },
  ]);

  return (
    <div className="editor comparison">
      {typeof params.context === 'string' ? (
        <div className="attachment-text" role="document" aria-label="Prompt" dir="auto">
          {params.context}
        </div>
      ) : null}
      <div className="side-by-side">
        {attachments.map((attachment, index) => (
          <section key={index} aria-label={`Response ${letter(index)}`}>
            <h3>Response {letter(index)}</h3>
            <Attachment type={type} content={attachment} label={`Response ${letter(index)}`} />
            {model.flags ? (
              <FlagChecklist
                label={`Flags for response ${letter(index)}`}
                categories={model.flags}
                flags={state.value.flags}
                target="attachment"
                index={index}
                onToggle={(mark) =>
                  state.set((current) => ({ ...current, flags: toggleFlag(current.flags, mark) }))
                }
              />
            ) : null}
          </section>
        ))}
      </div>
      {preference ? (
        <fieldset>
          <legend>Which is better?</legend>
          <div className="preference-scale">
            {options.map((option, index) => (
              <label key={String(option.value)} className="choice">
                <input
                  type="radio"
                  name="winner"
                  checked={state.value.winner === option.value}
                  onChange={() => set({ winner: option.value })}
                />
                {index < 10 ? <kbd>{NUMBER_KEYS[index]}</kbd> : null}
                {option.label}
              </label>
            ))}
          </div>
          {preference.strength &&
          state.value.winner !== undefined &&
          state.value.winner !== 'tie' ? (
            <div role="radiogroup" aria-label="By how much" className="preference-scale">
              {preference.strength.map((strength) => (
                <label key={strength} className="choice">
                  <input
                    type="radio"
                    name="strength"
                    checked={state.value.strength === strength}
                    onChange={() => set({ strength })}
                  />
                  {strength}
                </label>
              ))}
            </div>
          ) : null}
        </fieldset>
      ) : null}
      {criteria.length > 0 ? (
        <table className="rubric">
          <caption>Ratings</caption>
          <thead>
            <tr>
              <th scope="col">Criterion</th>
              {attachments.map((_, index) => (
                <th key={index} scope="col">
                  Response {letter(index)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {criteria.map((criterion) => (
              <tr key={criterion.id}>
                <th scope="row" title={criterion.description}>
                  {criterion.description ?? criterion.id}
                </th>
                {attachments.map((_, index) => (
                  <td key={index}>
                    <RatingSelect
                      label={`${criterion.description ?? criterion.id} of response ${letter(index)}`}
                      criterion={criterion}
                      value={state.value.ratings[criterion.id]?.[index]}
                      onChange={(score) =>
                        state.set((current) => ({
                          ...current,
                          ratings: rate(
                            current.ratings,
                            criterion.id,
                            index,
                            score,
                            attachments.length,
                          ),
                        }))
                      }
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {model.ranking ? (
        <fieldset>
          <legend>Rank the responses, best first</legend>
          <RankingList
            ranking={state.value.ranking}
            name={(item) => `Response ${letter(item)}`}
            onMove={(item, by) =>
              state.set((current) => ({
                ...current,
                ranking: moveInRanking(current.ranking, item, by),
              }))
            }
          />
        </fieldset>
      ) : null}
      {choices.length > 0 ? (
        <fieldset>
          <legend>{preference ? 'Question' : 'Which is better?'}</legend>
          <div className="preference-scale">
            {choices.map((choice, index) => (
              <label key={choice} className="choice">
                <input
                  type="radio"
                  name="choice"
                  checked={state.value.choice === choice}
                  onChange={() => set({ choice })}
                />
                {!preference && index < 10 ? <kbd>{NUMBER_KEYS[index]}</kbd> : null}
                {choice}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      {Object.entries(fields).map(([id, description]) => (
        <label key={id} className="field">
          {description || id}
          <textarea
            value={state.value.fields[id] ?? ''}
            onChange={(event) =>
              set({ fields: { ...state.value.fields, [id]: event.target.value } })
            }
          />
        </label>
      ))}
      {model.rewrite ? (
        <RewriteField
          label="Rewrite: the ideal response"
          instructions={model.rewrite.instructions}
          required={model.rewrite.required !== false}
          value={state.value.rewrite}
          onChange={(rewrite) => set({ rewrite })}
        />
      ) : null}
    </div>
  );
}
