import { useEffect } from 'react';
import { leafLabels, type LabelEntry } from '@quorum/core';
import { useHistory } from '../ui/history';
import { NUMBER_KEYS, useEditorShortcuts, type EditorProps, type Json } from './types';
import { Attachment } from './attachment';

interface Question {
  id: string;
  prompt: string;
  choices: string[];
  multiple: boolean;
}

/** The questions a categorization task asks: its taxonomies, or the legacy single question. */
function questionsOf(params: Json): Question[] {
  const taxonomies = params.taxonomies as
    | Record<string, { description?: string; choices: LabelEntry[]; allow_multiple?: boolean }>
    | undefined;
  if (taxonomies)
    return Object.entries(taxonomies).map(([id, taxonomy]) => ({
      id,
      prompt: taxonomy.description ?? id,
      choices: leafLabels(taxonomy.choices),
      multiple: taxonomy.allow_multiple ?? false,
    }));
  return [
    {
      id: '',
      prompt: 'Category',
      choices: (params.categories as string[] | undefined) ?? [],
      multiple: Boolean(params.allow_multiple),
    },
  ];
}

type Answers = Record<string, string[]>;

function answersOf(initial: Json | undefined, questions: Question[]): Answers {
  if (!initial) return {};
  if (initial.taxonomies) return { ...(initial.taxonomies as Answers) };
  const category = initial.category;
  const first = questions[0];
  if (!first || category === undefined) return {};
  return { [first.id]: Array.isArray(category) ? category : [String(category)] };
}

function responseOf(answers: Answers, questions: Question[], params: Json): Json {
  if (params.taxonomies) return { taxonomies: answers };
  const question = questions[0]!;
  const chosen = answers[question.id] ?? [];
  return { category: question.multiple ? chosen : (chosen[0] ?? '') };
}

/** Classification, single or multiple choice; keys 1-9 pick in the first open question. */
export function CategorizationEditor({ task, initial, onChange }: EditorProps) {
  const questions = questionsOf(task.params);
  const answers = useHistory<Answers>(() => answersOf(initial, questions));
  useEffect(() => onChange(responseOf(answers.value, questions, task.params)), [answers.value]);

  const toggle = (question: Question, choice: string) =>
    answers.set((current) => {
      const chosen = current[question.id] ?? [];
      const next = question.multiple
        ? chosen.includes(choice)
          ? chosen.filter((c) => c !== choice)
          : [...chosen, choice]
        : [choice];
      return { ...current, [question.id]: next };
    });

  const target = questions.find((q) => !(answers.value[q.id]?.length ?? 0)) ?? questions[0];
  useEditorShortcuts('categorization', [
    ...(target?.choices.slice(0, 10).map((choice, index) => ({
      key: NUMBER_KEYS[index]!,
      description: `Choose “${choice}”`,
      run: () => toggle(target, choice),
    })) ?? []),
    { key: 'z', mod: true, shift: false, description: 'Undo', run: answers.undo },
    { key: 'z', mod: true, shift: true, description: 'Redo', run: answers.redo },
  ]);

  return (
    <div className="editor categorization">
      <Attachment
        type={String(task.params.attachment_type ?? 'text')}
        content={String(task.params.attachment ?? '')}
        label="Item to classify"
      />
      {questions.map((question) => (
        <fieldset key={question.id}>
          <legend>{question.prompt}</legend>
          {question.choices.map((choice, index) => (
            <label key={choice} className="choice">
              <input
                type={question.multiple ? 'checkbox' : 'radio'}
                name={`q-${question.id}`}
                checked={answers.value[question.id]?.includes(choice) ?? false}
                onChange={() => toggle(question, choice)}
              />
              {question === target && index < 10 ? <kbd>{NUMBER_KEYS[index]}</kbd> : null}
              {choice}
            </label>
          ))}
        </fieldset>
      ))}
    </div>
  );
}
