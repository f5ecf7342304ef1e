import { useEffect } from 'react';
import { useHistory } from '../ui/history';
import { Attachment } from './attachment';
import { NUMBER_KEYS, useEditorShortcuts, type EditorProps, type Json } from './types';

interface State {
  choice: string | undefined;
  fields: Record<string, string>;
}

/**
 * Two or more responses side by side: a choice over them (preference, ties included when the
 * task offers one) and free-text fields such as a rationale or per-criterion notes.
 */
export function ComparisonEditor({ task, initial, onChange }: EditorProps) {
  const params = task.params;
  const attachments = (params.attachments as string[]) ?? [];
  const type = String(params.attachment_type ?? 'image');
  const choices = (params.choices as string[] | undefined) ?? [];
  const fields = (params.fields as Record<string, string> | undefined) ?? {};
  const state = useHistory<State>(() => ({
    choice: typeof initial?.choice === 'string' ? initial.choice : undefined,
    fields: { ...((initial?.fields as Record<string, string> | undefined) ?? {}) },
  }));
  useEffect(() => {
    const response: Json = {};
    if (params.choices) response.choice = state.value.choice ?? '';
    if (params.fields) response.fields = state.value.fields;
    onChange(response);
  }, [state.value]);

  useEditorShortcuts('comparison', [
    ...choices.slice(0, 10).map((choice, index) => ({
      key: NUMBER_KEYS[index]!,
      description: `Choose “${choice}”`,
      run: () => state.set((current) => ({ ...current, choice })),
    })),
    { key: 'z', mod: true, shift: false, description: 'Undo', run: state.undo },
    { key: 'z', mod: true, shift: true, description: 'Redo', run: state.redo },
  ]);

  return (
    <div className="editor comparison">
      <div className="side-by-side">
        {attachments.map((attachment, index) => (
          <section key={index} aria-label={`Response ${String.fromCharCode(65 + index)}`}>
            <h3>Response {String.fromCharCode(65 + index)}</h3>
            <Attachment
              type={type}
              content={attachment}
              label={`Response ${String.fromCharCode(65 + index)}`}
            />
          </section>
        ))}
      </div>
      {choices.length > 0 ? (
        <fieldset>
          <legend>Which is better?</legend>
          <div className="preference-scale">
            {choices.map((choice, index) => (
              <label key={choice} className="choice">
                <input
                  type="radio"
                  name="preference"
                  checked={state.value.choice === choice}
                  onChange={() => state.set((current) => ({ ...current, choice }))}
                />
                {index < 10 ? <kbd>{NUMBER_KEYS[index]}</kbd> : null}
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
              state.set((current) => ({
                ...current,
                fields: { ...current.fields, [id]: event.target.value },
              }))
            }
          />
        </label>
      ))}
    </div>
  );
}
