import { describe, expect, it } from 'vitest';
import { parseCreateTaskBody } from '@quorum/core';
import { parseLabelStudioConfig } from './config';
import { labelStudioConfigXml } from './config-write';
import { IMAGE_CONFIG } from './test-support';

describe('the Label Studio config parser', () => {
  it('maps image shapes to geometries and per-region controls to attributes', () => {
    const config = parseLabelStudioConfig(IMAGE_CONFIG);
    expect(config.type).toBe('imageannotation');
    expect(config.object).toEqual({ tag: 'Image', name: 'image', dataKey: 'image' });
    expect(config.params).toEqual({
      geometries: {
        // Label Studio lets boxes turn unless canRotate="false".
        box: { objects_to_annotate: ['car', 'person'], can_rotate: true },
        polygon: { objects_to_annotate: ['road'] },
        point: { objects_to_annotate: ['nose'] },
      },
      annotation_attributes: {
        occluded: {
          type: 'category',
          choices: ['yes', 'no'],
          allow_multiple: false,
          conditions: { label_condition: { label: 'car' } },
        },
        colour: { type: 'category', choices: ['red', 'blue'], allow_multiple: true },
        note: { type: 'text' },
      },
    });
    expect(
      config.controls.map((control) => [control.name, control.kind, control.perRegion]),
    ).toEqual([
      ['box', 'rectanglelabels', false],
      ['poly', 'polygonlabels', false],
      ['kp', 'keypointlabels', false],
      ['occluded', 'choices', true],
      ['colour', 'choices', true],
      ['note', 'textarea', true],
      ['weather', 'choices', false],
    ]);
    // The params are what Quorum's create-task rules accept.
    expect(() =>
      parseCreateTaskBody('imageannotation', { ...config.params, attachment: 'https://x/a.jpg' }),
    ).not.toThrow();
  });

  it('maps Text with Labels to named entities', () => {
    const config = parseLabelStudioConfig(
      '<View><Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/></Labels><Text name="text" value="$text"/></View>',
    );
    expect(config).toMatchObject({
      type: 'namedentityrecognition',
      params: { labels: [{ name: 'PER' }, { name: 'ORG' }] },
    });
  });

  it('maps Choices to categorization, several to taxonomies', () => {
    const single = parseLabelStudioConfig(
      '<View><Text name="text" value="$review"/><Choices name="sentiment" toName="text" choice="single-radio"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>',
    );
    expect(single).toMatchObject({
      type: 'categorization',
      object: { dataKey: 'review' },
      params: {
        attachment_type: 'text',
        categories: ['Positive', 'Negative'],
        allow_multiple: false,
      },
    });
    const several = parseLabelStudioConfig(
      '<View><Image name="img" value="$url"/><Choices name="scene" toName="img"><Choice value="indoor"/></Choices><Choices name="tags" toName="img" choice="multiple"><Choice value="people"/><Choice value="pets"/></Choices></View>',
    );
    expect(several.params).toEqual({
      attachment_type: 'image',
      taxonomies: {
        scene: { type: 'category', choices: ['indoor'], allow_multiple: false },
        tags: { type: 'category', choices: ['people', 'pets'], allow_multiple: true },
      },
    });
  });

  it('maps TextArea (with Choices) to text collection, titled by the Header before it', () => {
    const config = parseLabelStudioConfig(
      '<View><Image name="image" value="$image"/><Header value="Transcribe the sign"/><TextArea name="transcript" toName="image" maxSubmissions="2"/><Header value="Legible?"/><Choices name="legible" toName="image"><Choice value="yes"/><Choice value="no"/></Choices></View>',
    );
    expect(config).toMatchObject({
      type: 'textcollection',
      params: {
        fields: [
          {
            type: 'text',
            field_id: 'transcript',
            title: 'Transcribe the sign',
            max_responses_required: 2,
          },
          {
            type: 'category',
            field_id: 'legible',
            title: 'Legible?',
            choices: [
              { label: 'yes', value: 'yes' },
              { label: 'no', value: 'no' },
            ],
            max_choices: 1,
          },
        ],
      },
    });
  });

  it('names every unsupported tag with its line', () => {
    expect(() =>
      parseLabelStudioConfig(
        '<View>\n<Image name="image" value="$image"/>\n<BrushLabels name="b" toName="image"><Label value="x"/></BrushLabels>\n<Rating name="r" toName="image"/>\n</View>',
      ),
    ).toThrow(
      /^unsupported Label Studio tags: BrushLabels \(line 3\), Rating \(line 4\); Quorum maps View, Header, Style, Image, Text/,
    );
  });

  it('refuses configs Quorum cannot map, saying why', () => {
    const parse = (xml: string) => () => parseLabelStudioConfig(xml);
    expect(parse('<View><Image name="a" value="$a"/><Text name="b" value="$b"/></View>')).toThrow(
      'labels 2 objects (Image, Text)',
    );
    expect(
      parse(
        '<View><Image name="a" value="$a"/><Choices name="c" toName="b"><Choice value="x"/></Choices></View>',
      ),
    ).toThrow('control "c" labels "b", but the object is "a"');
    expect(
      parse('<View><Image name="a" value="$a"/><RectangleLabels name="r" toName="a"/></View>'),
    ).toThrow('offers no Label');
    expect(
      parse(
        '<View><Image name="a" value="$a"/><Choices name="c"><Choice value="x"/></Choices></View>',
      ),
    ).toThrow('<Choices> needs a toName attribute');
    expect(
      parse(
        '<View><Text name="t" value="$t"/><RectangleLabels name="r" toName="t"><Label value="x"/></RectangleLabels></View>',
      ),
    ).toThrow('rectanglelabels ("r") needs an Image');
    expect(parse('<View><Image name="a" value="$a"/></View>')).toThrow('no control');
    expect(parse('<!DOCTYPE View [<!ENTITY x "y">]><View/>')).toThrow(
      'DOCTYPE declarations are refused',
    );
  });
});

describe('the Label Studio config writer', () => {
  it('writes configs the parser reads back to the same params', () => {
    const image = {
      geometries: {
        box: {
          objects_to_annotate: ['car', { choice: 'animal', subchoices: ['dog', 'cat'] }],
          can_rotate: false,
        },
        polygon: { objects_to_annotate: ['road'] },
        line: {},
      },
      annotation_attributes: {
        occluded: {
          type: 'category',
          choices: ['yes', 'no'],
          allow_multiple: false,
          conditions: { label_condition: { label: 'car' } },
        },
        note: { type: 'text' },
        width: { type: 'number' },
      },
    };
    const written = labelStudioConfigXml('imageannotation', image);
    expect(written.omitted).toEqual([
      'line: no Label Studio control is mapped',
      'attribute width: number attributes have no mapped Label Studio control',
    ]);
    expect(parseLabelStudioConfig(written.xml).params).toEqual({
      geometries: {
        box: { objects_to_annotate: ['car', 'dog', 'cat'], can_rotate: false },
        polygon: { objects_to_annotate: ['road'] },
      },
      annotation_attributes: {
        occluded: image.annotation_attributes.occluded,
        note: { type: 'text' },
      },
    });
    const ner = { labels: [{ name: 'PER' }, { name: 'Org & Co "quoted"' }] };
    expect(
      parseLabelStudioConfig(labelStudioConfigXml('namedentityrecognition', ner).xml).params,
    ).toEqual(ner);
    const taxonomies = {
      attachment_type: 'image',
      taxonomies: { scene: { type: 'category', choices: ['in', 'out'], allow_multiple: true } },
    };
    const parsed = parseLabelStudioConfig(labelStudioConfigXml('categorization', taxonomies).xml);
    // One question reads back as the legacy single-question form, which answers the same way.
    expect(parsed.params).toEqual({
      attachment_type: 'image',
      categories: ['in', 'out'],
      allow_multiple: true,
    });
  });
});
