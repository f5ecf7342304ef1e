import { useEffect } from 'react';
import { useHistory } from '../ui/history';
import { Attachment } from './attachment';
import { NUMBER_KEYS, useEditorShortcuts, type EditorProps, type Json } from './types';

interface Criterion {
  id: string;
  description?: string;
  min: number;
  max: number;
}

interface State {
  choice: string | undefined;
  fields: Record<string, string>;
  winner: number | 'tie' | undefined;
  strength: string | undefined;
  ratings: Record<string, Array<number | undefined>>;
}

const letter = (index: number) => String.fromCharCode(65 + index);

/**
 * Two or more responses side by side: which is better (or a tie) and by how much, a rating of
 * each on every criterion of the rubric, Scale's choice question, and free text such as a
 * rationale.
 */
export function ComparisonEditor({ task, initial, onChange }: EditorProps) {
  const params = task.params;
  const attachments = (params.attachments as string[]) ?? [];
  const type = String(params.attachment_type ?? 'image');
  const choices = (params.choices as string[] | undefined) ?? [];
  const fields = (params.fields as Record<string, string> | undefined) ?? {};
  const preference = params.preference as { ties?: boolean; strength?: string[] } | undefined;
  const criteria = (params.criteria as Criterion[] | undefined) ?? [];
  const state = useHistory<State>(() => {
    const given = (initial?.preference ?? {}) as { winner?: number | 'tie'; strength?: string };
    return {
      choice: typeof initial?.choice === 'string' ? initial.choice : undefined,
      fields: { ...((initial?.fields as Record<string, string> | undefined) ?? {}) },
      winner: given.winner,
      strength: given.strength,
      ratings: { ...((initial?.ratings as Record<string, number[]> | undefined) ?? {}) },
    };
  });
  useEffect(() => {
    const value = state.value;
    const response: Json = {};
    if (params.choices) response.choice = value.choice ?? '';
    if (params.fields) response.fields = value.fields;
    if (preference && value.winner !== undefined)
      response.preference =
        value.winner === 'tie' || !preference.strength
          ? { winner: value.winner }
          : { winner: value.winner, ...(value.strength ? { strength: value.strength } : {}) };
    if (criteria.length > 0) response.ratings = value.ratings;
    onChange(response);
  }, [state.value]);

  const set = (change: Partial<State>) => state.set((current) => ({ ...current, ...change }));
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
                    <select
                      aria-label={`${criterion.description ?? criterion.id} of response ${letter(index)}`}
                      value={String(state.value.ratings[criterion.id]?.[index] ?? '')}
                      onChange={(event) => {
                        const scores = [
                          ...(state.value.ratings[criterion.id] ??
                            attachments.map(() => undefined)),
                        ];
                        scores[index] =
                          event.target.value === '' ? undefined : Number(event.target.value);
                        set({ ratings: { ...state.value.ratings, [criterion.id]: scores } });
                      }}
                    >
                      <option value="">—</option>
                      {Array.from(
                        { length: (criterion.max ?? 7) - (criterion.min ?? 1) + 1 },
                        (_, i) => (criterion.min ?? 1) + i,
                      ).map((score) => (
                        <option key={score} value={score}>
                          {score}
                        </option>
                      ))}
                    </select>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
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
    </div>
  );
}
