import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES, HAZARD_TAXONOMY } from '@quorum/core';
import {
  addCategory,
  campaignBody,
  editCategory,
  idFromName,
  removeCategory,
  severitiesFromText,
  startDraft,
  toggleAttack,
  toggleEndpoint,
} from './redteam-model';

const draft = () => ({
  ...startDraft(HAZARD_TAXONOMY, DEFAULT_SEVERITIES),
  name: 'Spring audit',
  endpoints: ['model-a'],
});

describe('the campaign form', () => {
  it('starts from the built-in taxonomy with every category attacked, and sends it as it is', () => {
    const result = campaignBody(draft());
    expect('body' in result && result.body).toMatchObject({
      name: 'Spring audit',
      endpoints: ['model-a'],
      categories: HAZARD_TAXONOMY.map((category) => category.id),
      severities: [...DEFAULT_SEVERITIES],
      attemptsPerCategory: 5,
      maxTurns: 10,
      review: true,
    });
  });

  it('renames, removes and adds categories, attacking only those chosen', () => {
    let edited = editCategory(draft(), 'vcr', { name: 'Violence' });
    edited = removeCategory(edited, 'sxc');
    edited = toggleAttack(edited, 'ipv');
    const added = addCategory(edited, { name: 'Jailbreak: system prompt leak', description: '' });
    if (!('draft' in added)) throw new Error(added.problem);
    const result = campaignBody(added.draft);
    if (!('body' in result)) throw new Error(result.problem);
    const taxonomy = result.body.taxonomy as Array<{ id: string; name: string }>;
    expect(taxonomy.find((category) => category.id === 'vcr')?.name).toBe('Violence');
    expect(taxonomy.some((category) => category.id === 'sxc')).toBe(false);
    expect(taxonomy.at(-1)).toEqual({
      id: 'jailbreak-system-prompt-leak',
      name: 'Jailbreak: system prompt leak',
      description: '',
    });
    expect(result.body.categories).not.toContain('ipv');
    expect(result.body.categories).not.toContain('sxc');
    expect(result.body.categories).toContain('jailbreak-system-prompt-leak');
    // Attacking it again puts it back in the taxonomy's order.
    const back = toggleAttack(added.draft, 'ipv');
    expect(back.attack.indexOf('ipv')).toBe(HAZARD_TAXONOMY.findIndex((c) => c.id === 'ipv'));
  });

  it('refuses a category whose id is taken or cannot be used', () => {
    expect(addCategory(draft(), { name: 'Hate again', description: '', id: 'hte' })).toEqual({
      problem: 'The taxonomy already has a category with the id “hte”',
    });
    expect(addCategory(draft(), { name: '  ', description: '' })).toEqual({
      problem: 'Give the new category a name',
    });
    expect('problem' in addCategory(draft(), { name: '!!!', description: '' })).toBe(true);
    expect(idFromName('Défamation & libel')).toBe('defamation-libel');
  });

  it('names the problem before sending: no model, nothing attacked, a name the server refuses', () => {
    expect(campaignBody(toggleEndpoint(draft(), 'model-a'))).toEqual({
      problem: 'Choose at least one target model',
    });
    const none = { ...draft(), attack: [] };
    expect(campaignBody(none)).toEqual({ problem: 'Choose at least one category to attack' });
    const result = campaignBody({ ...draft(), name: 'bad/name' });
    expect('problem' in result && result.problem).toMatch(/^Name: /);
    expect(severitiesFromText(' low, high ,, severe')).toEqual(['low', 'high', 'severe']);
  });
});
