import { useEffect } from 'react';
import { useHistory } from '../ui/history';
import { Markdown } from '../ui/markdown';
import { Attachment } from './attachment';
import { useEditorShortcuts, type EditorProps, type Json } from './types';

interface Choice {
  label: string;
  value: string | number | boolean;
  hint?: string;
  subchoices?: Choice[];
}

interface Field {
  type: 'category' | 'text' | 'number' | 'datetime' | 'boolean' | 'field_set';
  field_id: string;
  title: string;
  description?: string;
  hint?: string;
  required?: boolean;
  max_responses_required?: number;
  min_responses_required?: number;
  choices?: Choice[];
  min_choices?: number;
  max_choices?: number;
  min?: number;
  max?: number;
  step?: number;
  fields?: Field[];
}

type Answers = Record<string, unknown>;

/** The selectable choices of a category field, with the labels of their parents. */
function leaves(
  choices: Choice[],
  parents: string[] = [],
): Array<{ choice: Choice; path: string[] }> {
  return choices.flatMap((choice) =>
    choice.subchoices?.length
      ? leaves(choice.subchoices, [...parents, choice.label])
      : [{ choice, path: parents }],
  );
}

/** Free text, numbers, dates, yes/no and choices, as the task's form lays them out. */
export function TextCollectionEditor({ task, initial, onChange }: EditorProps) {
  const params = task.params;
  const fields = (params.fields as Field[]) ?? [];
  const attachments = (params.attachments as Array<{ type: string; content: string }>) ?? [];
  const answers = useHistory<Answers>(() => ({ ...((initial?.annotations as Answers) ?? {}) }));
  useEffect(() => onChange({ annotations: withoutBlanks(answers.value) as Json }), [answers.value]);
  useEditorShortcuts('textcollection', [
    { key: 'z', mod: true, shift: false, description: 'Undo', run: answers.undo },
    { key: 'z', mod: true, shift: true, description: 'Redo', run: answers.redo },
  ]);
  return (
    <div className="editor textcollection">
      {typeof params.title === 'string' ? <h2>{params.title}</h2> : null}
      {typeof params.description === 'string' ? <Markdown source={params.description} /> : null}
      {attachments.map((attachment, index) =>
        attachment.type === 'text' ? (
          <div
            key={index}
            className="attachment-text"
            role="document"
            aria-label={`Attachment ${index + 1}`}
          >
            <Markdown source={attachment.content} />
          </div>
        ) : (
          <Attachment
            key={index}
            type={attachment.type}
            content={attachment.content}
            label={`Attachment ${index + 1}`}
          />
        ),
      )}
      <Fields fields={fields} values={answers.value} onChange={(next) => answers.set(next)} />
    </div>
  );
}

/** Empty answers are left out, so optional fields stay unanswered rather than blank. */
function withoutBlanks(answers: Answers): Answers {
  const out: Answers = {};
  for (const [id, value] of Object.entries(answers)) {
    if (value === '' || value === undefined || (Array.isArray(value) && value.length === 0))
      continue;
    out[id] =
      value && typeof value === 'object' && !Array.isArray(value)
        ? withoutBlanks(value as Answers)
        : value;
  }
  return out;
}

function Fields(props: { fields: Field[]; values: Answers; onChange: (next: Answers) => void }) {
  return (
    <>
      {props.fields.map((field) => (
        <FieldInput
          key={field.field_id}
          field={field}
          value={props.values[field.field_id]}
          onChange={(value) => props.onChange({ ...props.values, [field.field_id]: value })}
        />
      ))}
    </>
  );
}

function FieldInput({
  field,
  value,
  onChange,
}: {
  field: Field;
  value: unknown;
  onChange: (value: unknown) => void;
}) {
  const title = `${field.title}${field.required ? ' (required)' : ''}`;
  const many = (field.max_responses_required ?? 1) > 1;
  if (field.type === 'field_set')
    return (
      <fieldset>
        <legend>{title}</legend>
        {field.description ? <p>{field.description}</p> : null}
        <Fields fields={field.fields ?? []} values={(value as Answers) ?? {}} onChange={onChange} />
      </fieldset>
    );
  if (field.type === 'category') {
    const options = leaves(field.choices ?? []);
    const chosen = (value as unknown[]) ?? [];
    const multiple = (field.max_choices ?? 1) > 1;
    return (
      <fieldset>
        <legend>{title}</legend>
        {field.description ? <p>{field.description}</p> : null}
        {options.map(({ choice, path }) => (
          <label key={String(choice.value)} className="choice" title={choice.hint}>
            <input
              type={multiple ? 'checkbox' : 'radio'}
              name={field.field_id}
              checked={chosen.includes(choice.value)}
              onChange={() =>
                onChange(
                  multiple
                    ? chosen.includes(choice.value)
                      ? chosen.filter((c) => c !== choice.value)
                      : [...chosen, choice.value]
                    : [choice.value],
                )
              }
            />
            {[...path, choice.label].join(' › ')}
          </label>
        ))}
      </fieldset>
    );
  }
  if (many) {
    const list = Array.isArray(value) ? (value as unknown[]) : [];
    const shown = Math.max(field.min_responses_required ?? 1, list.length, 1);
    return (
      <fieldset>
        <legend>{title}</legend>
        {Array.from({ length: shown }, (_, index) => (
          <Single
            key={index}
            field={{ ...field, title: `${field.title} ${index + 1}` }}
            value={list[index]}
            onChange={(item) => {
              const next = [...list];
              next[index] = item;
              onChange(next.filter((entry) => entry !== '' && entry !== undefined));
            }}
          />
        ))}
        {shown < (field.max_responses_required ?? 1) ? (
          <button type="button" onClick={() => onChange([...list, ''])}>
            Add another {field.title}
          </button>
        ) : null}
      </fieldset>
    );
  }
  return <Single field={{ ...field, title }} value={value} onChange={onChange} />;
}

function Single({
  field,
  value,
  onChange,
}: {
  field: Field;
  value: unknown;
  onChange: (value: unknown) => void;
}) {
  switch (field.type) {
    case 'boolean':
      return (
        <label className="choice">
          <input
            type="checkbox"
            checked={value === true}
            onChange={(event) => onChange(event.target.checked)}
          />
          {field.title}
        </label>
      );
    case 'number':
      return (
        <label className="field">
          {field.title}
          <input
            type="number"
            min={field.min}
            max={field.max}
            step={field.step ?? 'any'}
            value={value === undefined ? '' : String(value)}
            onChange={(event) =>
              onChange(event.target.value === '' ? '' : Number(event.target.value))
            }
          />
        </label>
      );
    case 'datetime':
      return (
        <label className="field">
          {field.title}
          <input
            type="datetime-local"
            value={String(value ?? '')}
            onChange={(event) => onChange(event.target.value)}
          />
        </label>
      );
    default:
      return (
        <label className="field">
          {field.title}
          {field.hint ? <small>{field.hint}</small> : null}
          <textarea
            rows={3}
            value={String(value ?? '')}
            onChange={(event) => onChange(event.target.value)}
            dir="auto"
          />
        </label>
      );
  }
}
